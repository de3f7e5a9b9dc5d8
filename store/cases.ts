// The `cases` table: one row per business object billops works on, pointing at its LangGraph thread.
import type { Queryable } from "./db.js";
import { sql } from "./literal.js";
import { parseCaseKey, threadIdFor } from "../domain/case.js";

export type CaseStatus = "open" | "waiting_approval" | "closed" | "escalated" | "error";

export interface CaseRow {
  caseKey: string;
  threadId: string;
  kind: string;
  objectId: string;
  route: string | null;
  status: CaseStatus;
  lastAction: string | null;
  lastEventId: string | null;
  customer: string | null;
  createdAt: Date;
  updatedAt: Date;
}

function toRow(r: any): CaseRow {
  return {
    caseKey: r.case_key,
    threadId: r.thread_id,
    kind: r.kind,
    objectId: r.object_id,
    route: r.route,
    status: r.status,
    lastAction: r.last_action,
    lastEventId: r.last_event_id,
    customer: r.customer,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface CasePatch {
  route?: string | null;
  status?: CaseStatus;
  lastAction?: string | null;
  lastEventId?: string | null;
  customer?: string | null;
}

/**
 * Creates the case or updates it, in one statement with its values written in (to send with the commit of the case's
 * transaction, see CaseTx.defer). Fields left out keep what the row has; the customer, once known, stays.
 */
export function upsertCaseStatement(caseKey: string, patch: CasePatch): string {
  const key = parseCaseKey(caseKey);
  const p = { route: patch.route ?? null, status: patch.status ?? null, lastAction: patch.lastAction ?? null, lastEventId: patch.lastEventId ?? null, customer: patch.customer ?? null };
  return sql`INSERT INTO cases (case_key, thread_id, kind, object_id, customer, route, status, last_action, last_event_id)
     VALUES (${caseKey}, ${threadIdFor(caseKey)}, ${key.kind}, ${key.id}, ${p.customer}, ${p.route}, ${p.status ?? "open"}, ${p.lastAction}, ${p.lastEventId})
     ON CONFLICT (case_key) DO UPDATE SET
       route = COALESCE(${p.route}, cases.route),
       status = COALESCE(${p.status}, cases.status),
       last_action = COALESCE(${p.lastAction}, cases.last_action),
       last_event_id = COALESCE(${p.lastEventId}, cases.last_event_id),
       customer = COALESCE(cases.customer, ${p.customer}),
       updated_at = now()`;
}

export async function getCase(db: Queryable, caseKey: string): Promise<CaseRow | null> {
  const { rows } = await db.query(`SELECT * FROM cases WHERE case_key = $1`, [caseKey]);
  return rows[0] ? toRow(rows[0]) : null;
}

export async function getCaseByThread(db: Queryable, threadId: string): Promise<CaseRow | null> {
  const { rows } = await db.query(`SELECT * FROM cases WHERE thread_id = $1`, [threadId]);
  return rows[0] ? toRow(rows[0]) : null;
}

export async function listCases(
  db: Queryable,
  opts: { status?: CaseStatus; limit?: number; offset?: number } = {},
): Promise<CaseRow[]> {
  const { rows } = await db.query(
    `SELECT * FROM cases WHERE ($1::text IS NULL OR status = $1)
     ORDER BY created_at DESC, case_key LIMIT $2 OFFSET $3`,
    [opts.status ?? null, Math.min(opts.limit ?? 50, 500), opts.offset ?? 0],
  );
  return rows.map(toRow);
}

/**
 * The case threads retention prunes next: cases quiet since before `quietSince` with activity since their thread was
 * last pruned (or never pruned), the longest quiet first; then cases whose kept decisions are due to leave the replay
 * window.
 */
export async function casesToPrune(db: Queryable, quietSince: Date, limit: number): Promise<{ caseKey: string; threadId: string }[]> {
  const { rows } = await db.query(
    `(SELECT case_key, thread_id FROM cases
       WHERE (checkpoints_pruned_at IS NULL OR updated_at >= checkpoints_pruned_at) AND updated_at < $1
       ORDER BY updated_at LIMIT $2)
     UNION
     (SELECT case_key, thread_id FROM cases
       WHERE checkpoints_prune_due_at IS NOT NULL AND checkpoints_prune_due_at <= now() AND updated_at < $1
       ORDER BY checkpoints_prune_due_at LIMIT $2)
     LIMIT $2`,
    [quietSince, limit],
  );
  return rows.map((r: any) => ({ caseKey: r.case_key, threadId: r.thread_id }));
}

/** Records that the case's thread was pruned now, and when it is due again (null: only new activity makes it so). */
export async function markCheckpointsPruned(db: Queryable, caseKey: string, dueAt: Date | null): Promise<void> {
  await db.query(`UPDATE cases SET checkpoints_pruned_at = now(), checkpoints_prune_due_at = $2 WHERE case_key = $1`, [caseKey, dueAt]);
}
