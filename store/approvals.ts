// The `approvals` table: what waits for a person, and who answered what and when.
import type { HumanInterrupt, HumanResponse } from "@langchain/langgraph/prebuilt";
import type { Queryable } from "./db.js";

export type ApprovalStatus = "pending" | "accepted" | "edited" | "rejected" | "ignored" | "superseded" | "resolved";

export interface ApprovalRow {
  id: string;
  caseKey: string;
  threadId: string;
  decisionId: string;
  domain: string;
  action: string;
  args: Record<string, unknown>;
  request: HumanInterrupt;
  status: ApprovalStatus;
  response: HumanResponse | null;
  approver: string | null;
  supersededBy: string | null;
  requestedAt: number;
  dueAt: number | null;
  /** After this the answer is pointless (a dispute's evidence deadline); null when the question does not expire. */
  expiresAt: number | null;
  escalatedAt: number | null;
  answeredAt: number | null;
}

function toRow(r: any): ApprovalRow {
  return {
    id: r.id,
    caseKey: r.case_key,
    threadId: r.thread_id,
    decisionId: r.decision_id,
    domain: r.domain,
    action: r.action,
    args: r.args,
    request: r.request,
    status: r.status,
    response: r.response,
    approver: r.approver,
    supersededBy: r.superseded_by,
    requestedAt: Number(r.requested_at),
    dueAt: r.due_at == null ? null : Number(r.due_at),
    expiresAt: r.expires_at == null ? null : Number(r.expires_at),
    escalatedAt: r.escalated_at == null ? null : Number(r.escalated_at),
    answeredAt: r.answered_at == null ? null : Number(r.answered_at),
  };
}

export async function insertApproval(
  db: Queryable,
  a: Pick<ApprovalRow, "id" | "caseKey" | "threadId" | "decisionId" | "domain" | "action" | "args" | "request" | "requestedAt" | "dueAt"> & { expiresAt?: number | null },
): Promise<boolean> {
  const res = await db.query(
    `INSERT INTO approvals (id, case_key, thread_id, decision_id, domain, action, args, request, requested_at, due_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (id) DO NOTHING`,
    [a.id, a.caseKey, a.threadId, a.decisionId, a.domain, a.action, JSON.stringify(a.args), JSON.stringify(a.request), a.requestedAt, a.dueAt, a.expiresAt ?? null],
  );
  return (res.rowCount ?? 0) > 0;
}

export async function getApproval(db: Queryable, id: string): Promise<ApprovalRow | null> {
  const { rows } = await db.query(`SELECT * FROM approvals WHERE id = $1`, [id]);
  return rows[0] ? toRow(rows[0]) : null;
}

export async function pendingApprovalForCase(db: Queryable, caseKey: string): Promise<ApprovalRow | null> {
  const { rows } = await db.query(`SELECT * FROM approvals WHERE case_key = $1 AND status = 'pending'`, [caseKey]);
  return rows[0] ? toRow(rows[0]) : null;
}

export async function listApprovals(
  db: Queryable,
  opts: { status?: ApprovalStatus | "answered" | "all"; caseKey?: string; domain?: string; limit?: number; offset?: number } = {},
): Promise<ApprovalRow[]> {
  const status = opts.status ?? "pending";
  const { rows } = await db.query(
    `SELECT * FROM approvals
     WHERE ($1 = 'all' OR ($1 = 'answered' AND status NOT IN ('pending')) OR status = $1)
       AND ($2::text IS NULL OR case_key = $2)
       AND ($3::text IS NULL OR domain = $3)
     -- the most urgent first: a deadline (dispute due date or approval limit) nearest, then newest
     ORDER BY (status = 'pending') DESC, due_at ASC NULLS LAST, requested_at DESC, id
     LIMIT $4 OFFSET $5`,
    [status, opts.caseKey ?? null, opts.domain ?? null, Math.min(opts.limit ?? 50, 500), opts.offset ?? 0],
  );
  return rows.map(toRow);
}

/** Closes a pending approval; false when it was no longer pending (someone else answered first). */
export async function closeApproval(
  db: Queryable,
  id: string,
  close: { status: Exclude<ApprovalStatus, "pending">; response?: HumanResponse | null; approver?: string | null; supersededBy?: string | null; at: number },
): Promise<boolean> {
  const res = await db.query(
    `UPDATE approvals SET status = $2, response = $3, approver = $4, superseded_by = $5, answered_at = $6
     WHERE id = $1 AND status = 'pending'`,
    [id, close.status, close.response ? JSON.stringify(close.response) : null, close.approver ?? null, close.supersededBy ?? null, close.at],
  );
  return (res.rowCount ?? 0) > 0;
}

/**
 * Notes, committed at once, that a person's answer is about to resume the thread: if the run then fails (a Stripe
 * outage inside act) or the process dies, the worker's sweep finds the approval still pending with this mark.
 */
export async function markAnswering(db: Queryable, id: string): Promise<void> {
  await db.query(`UPDATE approvals SET answering_at = now() WHERE id = $1 AND status = 'pending'`, [id]);
}

/** The answer never reached the thread (it still asks the same question): the approval waits for a person again. */
export async function clearAnswering(db: Queryable, id: string): Promise<void> {
  await db.query(`UPDATE approvals SET answering_at = NULL WHERE id = $1 AND status = 'pending'`, [id]);
}

/** Pending approvals an answer began to resume at least `olderThanSeconds` ago, oldest first. */
export async function approvalsBeingAnswered(db: Queryable, olderThanSeconds: number, limit = 50): Promise<ApprovalRow[]> {
  const { rows } = await db.query(
    `SELECT * FROM approvals WHERE status = 'pending' AND answering_at IS NOT NULL
       AND answering_at <= now() - $1::float8 * interval '1 second'
     ORDER BY answering_at LIMIT $2`,
    [olderThanSeconds, limit],
  );
  return rows.map(toRow);
}

/** Pending approvals whose deadline passed and that were not escalated yet: each is escalated once. */
export async function markOverdueEscalated(db: Queryable, now: number): Promise<ApprovalRow[]> {
  const { rows } = await db.query(
    `UPDATE approvals SET escalated_at = $1
     WHERE status = 'pending' AND escalated_at IS NULL AND due_at IS NOT NULL AND due_at <= $1
     RETURNING *`,
    [now],
  );
  return rows.map(toRow);
}

export interface AnswerTime {
  domain: string;
  status: ApprovalStatus;
  /** Seconds from the question to a person's answer. */
  seconds: number;
}

/** How long people took to answer the approvals answered in [from, to): superseded questions had no person's answer. */
export async function answerTimes(db: Queryable, period: { from: number; to: number }): Promise<AnswerTime[]> {
  const { rows } = await db.query(
    `SELECT domain, status, greatest(answered_at - requested_at, 0) AS seconds FROM approvals
     WHERE status IN ('accepted', 'edited', 'rejected', 'ignored', 'resolved')
       AND answered_at >= $1 AND answered_at < $2
     ORDER BY seconds, id`,
    [period.from, period.to],
  );
  return rows.map((r: any) => ({ domain: r.domain, status: r.status, seconds: Number(r.seconds) }));
}

export interface PendingApprovalStats {
  domain: string;
  count: number;
  /** Seconds the oldest pending question of the domain has waited, at `now`. */
  oldestAgeSeconds: number;
}

/** What waits for a person now, per domain (metrics and the outcomes page). */
export async function pendingApprovalStats(db: Queryable, now: number): Promise<PendingApprovalStats[]> {
  const { rows } = await db.query(
    `SELECT domain, count(*)::int AS count, greatest($1 - min(requested_at), 0) AS oldest FROM approvals
     WHERE status = 'pending' GROUP BY domain ORDER BY domain`,
    [now],
  );
  return rows.map((r: any) => ({ domain: r.domain, count: r.count, oldestAgeSeconds: Number(r.oldest) }));
}
