// The `notifications` outbox: customer messages rendered once per unique key, sent later (or kept when no SMTP is set).
import type { Queryable } from "./db.js";

export interface NotificationInput {
  key: string;
  caseKey: string;
  template: string;
  to: string | null;
  subject: string;
  body: string;
  at: number;
  /**
   * `customer:template:object` — one fact told to one customer. The database holds it unique across cases
   * (migration 011), so a second case telling the same thing adds nothing. Null: not held (operations messages).
   */
  factKey?: string | null;
}

export interface NotificationRow extends NotificationInput {
  id: string;
  status: "pending" | "sending" | "sent" | "failed" | "kept";
  attempts: number;
  lastError: string | null;
}

/** Idempotent by key: a re-run of the act node after a crash adds nothing. Returns whether it was new. */
export async function enqueueNotification(db: Queryable, n: NotificationInput): Promise<boolean> {
  return (await enqueueNotificationOnce(db, n)).status === "queued";
}

export type EnqueueResult =
  | { status: "queued" }
  /** The same key was enqueued before: a re-run of the same step. */
  | { status: "exists" }
  /** Another notification already tells this customer this fact (possibly from another case): skipped. */
  | { status: "duplicate_fact"; key: string; caseKey: string };

/**
 * Enqueues unless the key (a re-run) or the fact key (the same fact told by any case) is already there. The unique
 * indexes decide, so two workers racing on two cases still leave one row.
 */
export async function enqueueNotificationOnce(db: Queryable, n: NotificationInput): Promise<EnqueueResult> {
  const res = await db.query(
    `INSERT INTO notifications (key, case_key, template, to_email, subject, body, at, fact_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
    [n.key, n.caseKey, n.template, n.to, n.subject, n.body, n.at, n.factKey ?? null],
  );
  if ((res.rowCount ?? 0) > 0) return { status: "queued" };
  const { rows } = await db.query(`SELECT key, case_key FROM notifications WHERE key = $1 OR fact_key = $2 ORDER BY (key = $1) DESC LIMIT 1`, [n.key, n.factKey ?? null]);
  const row = rows[0];
  if (!row || row.key === n.key) return { status: "exists" };
  return { status: "duplicate_fact", key: row.key, caseKey: row.case_key };
}

function toRow(r: any): NotificationRow {
  return {
    id: String(r.id),
    key: r.key,
    caseKey: r.case_key,
    template: r.template,
    to: r.to_email,
    subject: r.subject,
    body: r.body,
    at: Number(r.at),
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
  };
}

export async function listNotifications(db: Queryable, opts: { caseKey?: string; status?: string; limit?: number } = {}): Promise<NotificationRow[]> {
  const { rows } = await db.query(
    `SELECT * FROM notifications WHERE ($1::text IS NULL OR case_key = $1) AND ($2::text IS NULL OR status = $2)
     ORDER BY id LIMIT $3`,
    [opts.caseKey ?? null, opts.status ?? null, Math.min(opts.limit ?? 100, 1000)],
  );
  return rows.map(toRow);
}

/**
 * Claims notifications for a sender: pending ones, and ones a sender claimed long ago and never finished (it died).
 * SKIP LOCKED plus the 'sending' state mean two senders never take the same message.
 */
export async function claimPendingNotifications(db: Queryable, limit: number, staleSeconds = 300): Promise<NotificationRow[]> {
  const { rows } = await db.query(
    `UPDATE notifications SET status = 'sending', claimed_at = now(), attempts = attempts + 1
     WHERE id IN (SELECT id FROM notifications
                  WHERE (status = 'pending' OR (status = 'sending' AND claimed_at < now() - make_interval(secs => $2)))
                    AND attempts < 5
                  ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [limit, staleSeconds],
  );
  return rows.map(toRow);
}

export async function markNotification(db: Queryable, id: string, status: "sent" | "failed" | "pending" | "kept", error?: string): Promise<void> {
  await db.query(
    `UPDATE notifications SET status = $2, last_error = $3, sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END WHERE id = $1`,
    [id, status, error ?? null],
  );
}
