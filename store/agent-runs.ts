// The `agent_runs` table: runs started through the Agent Server API, and with them whether a thread is busy.
import type { Queryable } from "./db.js";

export type RunStatus = "pending" | "running" | "success" | "error" | "interrupted";

export interface AgentRunRow {
  runId: string;
  threadId: string;
  caseKey: string;
  assistantId: string;
  approvalId: string;
  approver: string;
  answer: Record<string, unknown>;
  status: RunStatus;
  error: { code: string; message: string; status?: number } | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A run whose process died leaves its row active; after this long it no longer makes the thread busy (and a new run
 * may start). Answers take milliseconds and the case lock gives up after two minutes, so five is generous.
 */
export const STALE_AFTER = "5 minutes";

function toRow(r: any): AgentRunRow {
  return {
    runId: r.run_id,
    threadId: r.thread_id,
    caseKey: r.case_key,
    assistantId: r.assistant_id,
    approvalId: r.approval_id,
    approver: r.approver,
    answer: r.answer,
    status: r.status,
    error: r.error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Starts a run (status pending) unless the thread already has a live one: then null. Abandoned runs are closed first. */
export async function insertRun(
  db: Queryable,
  r: Pick<AgentRunRow, "runId" | "threadId" | "caseKey" | "assistantId" | "approvalId" | "approver" | "answer">,
): Promise<AgentRunRow | null> {
  await db.query(
    `UPDATE agent_runs SET status = 'error', error = '{"code":"run_abandoned","message":"the process running it stopped"}', updated_at = now()
     WHERE thread_id = $1 AND status IN ('pending', 'running') AND updated_at < now() - $2::interval`,
    [r.threadId, STALE_AFTER],
  );
  const { rows } = await db.query(
    `INSERT INTO agent_runs (run_id, thread_id, case_key, assistant_id, approval_id, approver, answer)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (thread_id) WHERE status IN ('pending', 'running') DO NOTHING
     RETURNING *`,
    [r.runId, r.threadId, r.caseKey, r.assistantId, r.approvalId, r.approver, JSON.stringify(r.answer)],
  );
  return rows[0] ? toRow(rows[0]) : null;
}

export async function setRunStatus(db: Queryable, runId: string, status: RunStatus, error: AgentRunRow["error"] = null): Promise<void> {
  await db.query(`UPDATE agent_runs SET status = $2, error = $3, updated_at = now() WHERE run_id = $1`, [runId, status, error ? JSON.stringify(error) : null]);
}

export async function getRun(db: Queryable, threadId: string, runId: string): Promise<AgentRunRow | null> {
  const { rows } = await db.query(`SELECT * FROM agent_runs WHERE thread_id = $1 AND run_id = $2`, [threadId, runId]);
  return rows[0] ? toRow(rows[0]) : null;
}

/** The thread ids among these that have a live run: they are `busy`. */
export async function busyThreads(db: Queryable, threadIds: string[]): Promise<Set<string>> {
  if (threadIds.length === 0) return new Set();
  const { rows } = await db.query(
    `SELECT DISTINCT thread_id FROM agent_runs
     WHERE thread_id = ANY($1::uuid[]) AND status IN ('pending', 'running') AND updated_at >= now() - $2::interval`,
    [threadIds, STALE_AFTER],
  );
  return new Set(rows.map((r) => r.thread_id as string));
}
