// An operator's skip: a failed or pending event is set aside (kept, never run), so its case moves on.
import { toInboxEvent, eventColumns, type EventRow, type EventStatus, type InboxEvent, type Queryable } from "./types.js";

export type SkipResult =
  | { ok: true; event: InboxEvent }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "not_skippable"; status: EventStatus };

// A running event cannot be skipped: its handler may be half-way through a Stripe write. Wait, or let it fail.
const SQL = `
  update stripe_events
     set status = 'skipped', finished_at = now()
   where id = $1 and status in ('failed', 'pending')
  returning ${eventColumns()}`;

export async function skipEvent(db: Queryable, id: string): Promise<SkipResult> {
  const { rows } = await db.query<EventRow>(SQL, [id]);
  if (rows[0]) {
    await db.query("select pg_notify('billops_events:' || current_schema(), $1)", [rows[0].case_key ?? ""]);
    return { ok: true, event: toInboxEvent(rows[0]) };
  }
  const { rows: cur } = await db.query<{ status: EventStatus }>("select status from stripe_events where id = $1", [id]);
  return cur[0] ? { ok: false, reason: "not_skippable", status: cur[0].status } : { ok: false, reason: "not_found" };
}
