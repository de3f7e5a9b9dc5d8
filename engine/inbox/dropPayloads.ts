// Retention of the inbox: a finished event keeps its envelope (id, type, created, livemode, api_version, request, the
// object's id, kind and customer) and loses the body some days later. The event stays in the log and keeps deduping
// its id; the case thread kept what the case needed, and Stripe keeps the object.
import type { Queryable } from "./types.js";

// json, not jsonb: the column is json (a payload may hold text jsonb refuses), so the envelope is built from json.
const SQL = `
  with doomed as (
    select id from stripe_events
     where payload_dropped_at is null and status in ('done', 'ignored', 'skipped') and source in ('stripe', 'request')
       and coalesce(finished_at, received_at) < $1
     order by seq
     limit $2
       for update skip locked
  )
  update stripe_events e
     set payload_dropped_at = now(),
         payload = case e.source
           when 'stripe' then json_build_object(
             'id', e.payload -> 'id', 'object', e.payload -> 'object', 'type', e.payload -> 'type',
             'created', e.payload -> 'created', 'livemode', e.payload -> 'livemode', 'api_version', e.payload -> 'api_version',
             'request', e.payload -> 'request',
             'data', json_build_object('object', json_build_object(
               'id', e.payload -> 'data' -> 'object' -> 'id',
               'object', e.payload -> 'data' -> 'object' -> 'object',
               'customer', e.payload -> 'data' -> 'object' -> 'customer')))
           -- A support request: who asked about what, without the message.
           else json_build_object(
             'id', e.payload -> 'id', 'customer', e.payload -> 'customer', 'charge', e.payload -> 'charge',
             'subscription', e.payload -> 'subscription', 'invoice', e.payload -> 'invoice', 'created', e.payload -> 'created')
         end
    from doomed
   where e.id = doomed.id`;

/** Drops the bodies of up to `limit` events finished before `olderThan`; returns how many. */
export async function dropPayloads(db: Queryable, o: { olderThan: Date; limit: number }): Promise<number> {
  const res = await db.query(SQL, [o.olderThan, o.limit]);
  return res.rowCount ?? 0;
}
