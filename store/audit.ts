// The `audit_log` table: every event, decision, guard verdict, approval, Stripe request and notification, append-only.
import type { Queryable } from "./db.js";
import { sql } from "./literal.js";

export type AuditKind =
  | "event"
  | "echo"
  | "decision"
  | "fallback"
  | "guard"
  | "approval_requested"
  | "approval_answered"
  | "approval_superseded"
  | "approval_escalated"
  | "stripe"
  | "stripe_error"
  | "notification"
  // A customer message not sent because another notification already told this customer the same fact (migration 011).
  | "notification_skipped"
  | "scheduled"
  | "error";

export interface AuditEntry {
  /** Deterministic id, so a re-run after a crash writes each line once. */
  entryId: string;
  caseKey: string;
  threadId?: string | null;
  kind: AuditKind;
  at: number;
  actor?: string;
  data: Record<string, unknown>;
}

const INSERT_AUDIT = `INSERT INTO audit_log (entry_id, case_key, thread_id, kind, at, actor, data)
     SELECT * FROM jsonb_to_recordset($1::jsonb)
       AS x(entry_id text, case_key text, thread_id uuid, kind text, at bigint, actor text, data jsonb)
     ON CONFLICT (entry_id) DO NOTHING`;

const auditRecords = (entries: AuditEntry[]) =>
  entries.map((e) => ({ entry_id: e.entryId, case_key: e.caseKey, thread_id: e.threadId ?? null, kind: e.kind, at: e.at, actor: e.actor ?? "billops", data: e.data }));

export async function appendAudit(db: Queryable, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.query(INSERT_AUDIT, [JSON.stringify(auditRecords(entries))]);
}

/** The same insert as one statement with its values written in (to send with a commit, see CaseTx.defer). */
export function appendAuditStatement(entries: AuditEntry[]): string | null {
  if (entries.length === 0) return null;
  return INSERT_AUDIT.replace("$1::jsonb", sql`${auditRecords(entries)}`);
}

export interface AuditRow extends AuditEntry {
  id: string;
  createdAt: Date;
}

export async function listAudit(db: Queryable, caseKey: string, limit = 200): Promise<AuditRow[]> {
  const { rows } = await db.query(
    `SELECT * FROM (SELECT * FROM audit_log WHERE case_key = $1 ORDER BY id DESC LIMIT $2) t ORDER BY id`,
    [caseKey, limit],
  );
  return rows.map((r: any) => ({
    id: String(r.id),
    entryId: r.entry_id,
    caseKey: r.case_key,
    threadId: r.thread_id,
    kind: r.kind,
    at: Number(r.at),
    actor: r.actor,
    data: r.data,
    createdAt: r.created_at,
  }));
}

export interface ModelUsageDay {
  /** 00:00 UTC of the day, unix seconds. */
  day: number;
  calls: number;
  tokens: number;
  /** Model answers the rules replaced (error, timeout, invalid output). */
  fallbacks: number;
}

/**
 * Model calls and tokens per day of billops' clock: specialists' decisions (`data.llm`) and support-request
 * classifications (`data.classification.llm`), fallbacks included — their calls were made and paid for.
 */
export async function modelUsageByDay(db: Queryable, period: { from: number; to: number }): Promise<ModelUsageDay[]> {
  const { rows } = await db.query(
    `SELECT (at - mod(at, 86400)) AS day,
            sum(coalesce((data->'llm'->>'calls')::int, (data->'classification'->'llm'->>'calls')::int, 0))::int AS calls,
            sum(coalesce((data->'llm'->>'tokens')::int, (data->'classification'->'llm'->>'tokens')::int, 0))::bigint AS tokens,
            count(*) FILTER (WHERE kind = 'fallback')::int AS fallbacks
     FROM audit_log
     WHERE kind IN ('decision', 'fallback') AND at >= $1 AND at < $2
     GROUP BY 1 ORDER BY 1`,
    [period.from, period.to],
  );
  return rows.map((r: any) => ({ day: Number(r.day), calls: r.calls, tokens: Number(r.tokens), fallbacks: r.fallbacks }));
}
