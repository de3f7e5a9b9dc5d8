// Stores many incoming events in one statement (one commit, one WAL flush), each exactly once (dedupe by id).
import type { NewEvent } from "./insertEvent.js";
import type { Queryable } from "./types.js";

// unnest keeps the array order, so seq follows arrival order within a batch as it does across batches. The payloads
// go in as json, the column's type (migrations/006): stored as sent. Through jsonb they were rewritten on the way,
// and jsonb refuses what json keeps — a \u0000 or a lone surrogate escape in a customer's name — so one such event
// failed the statement and every event in it.
const SQL = `
  insert into stripe_events (id, type, case_key, source, payload, echo, status)
  select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::json[], $6::boolean[], $7::text[])
  on conflict (id) do nothing
  returning id`;

/** Returns, per input, whether that input stored the event (false: a duplicate, earlier or in the same batch). */
export async function insertEvents(db: Queryable, events: NewEvent[]): Promise<boolean[]> {
  if (events.length === 0) return [];
  const { rows } = await db.query<{ id: string }>(SQL, [
    events.map((e) => e.id),
    events.map((e) => e.type),
    events.map((e) => e.caseKey),
    events.map((e) => e.source),
    events.map((e) => e.payloadJson ?? JSON.stringify(e.payload)),
    events.map((e) => e.echo ?? false),
    events.map((e) => (e.ignored ? "ignored" : "pending")),
  ]);
  const stored = new Set(rows.map((r) => r.id));
  const claimed = new Set<string>();
  // The first of several same-id deliveries in one batch is the one that stored it.
  return events.map((e) => {
    if (!stored.has(e.id) || claimed.has(e.id)) return false;
    claimed.add(e.id);
    return true;
  });
}
