// An operator's retry: a failed event goes back to pending with a fresh attempt budget, unblocking its case.
import { toInboxEvent, eventColumns, type EventRow, type EventStatus, type InboxEvent, type Queryable } from "./types.js";

export type RetryResult =
  | { ok: true; event: InboxEvent }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "not_failed"; status: EventStatus };

const SQL = `
  update stripe_events
     set status = 'pending', attempts = 0, available_at = now(), finished_at = null
   where id = $1 and status = 'failed'
  returning ${eventColumns()}`;

export async function retryEvent(db: Queryable, id: string): Promise<RetryResult> {
  const { rows } = await db.query<EventRow>(SQL, [id]);
  if (rows[0]) {
    // Wake idle workers: the insert trigger only fires for new rows.
    await db.query("select pg_notify('billops_events:' || current_schema(), $1)", [rows[0].case_key ?? ""]);
    return { ok: true, event: toInboxEvent(rows[0]) };
  }
  const { rows: cur } = await db.query<{ status: EventStatus }>("select status from stripe_events where id = $1", [id]);
  return cur[0] ? { ok: false, reason: "not_failed", status: cur[0].status } : { ok: false, reason: "not_found" };
}
