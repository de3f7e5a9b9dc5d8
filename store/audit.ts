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
