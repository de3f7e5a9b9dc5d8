// The head-of-case claim: the oldest open event of a case with nothing running and no failed event blocking it.
import { toInboxEvent, eventColumns, type EventRow, type InboxEvent, type Queryable } from "./types.js";

export interface ClaimOptions {
  workerId: string;
  leaseSeconds: number;
  /** A run whose lease expired (its worker died) counts as an attempt; past this it is failed, not rerun. */
  maxAttempts: number;
}

// - reaped: events whose worker died on their last allowed attempt become failed (a poison event that kills the
//   process must not loop forever). They keep blocking their case, like any failed event.
// - expired: a running event whose lease expired (its worker died or hung). It is already its case's running event,
//   so taking it over keeps one-running-per-case. Taken before any pending event.
// - fresh (only when nothing expired): the oldest available pending event with no older open (pending/running/
//   failed) event in its case and nothing running in its case. Ordered by seq, the bigint arrival order, never a
//   timestamp.
// The pending events are put in seq order first (`offset 0` keeps the planner from merging the checks into that
// scan) and the per-case checks run on them one at a time until one passes: a claim checks the few events at the
// head, not every pending one (one query with the checks inside checked all of them before sorting; with a backlog
// of 400 that was ten times slower). Rows that fail a check are locked for the statement only.
// SKIP LOCKED lets concurrent workers pass over each other's rows; the unique partial index on running events per
// case is the backstop if two claims ever raced into one case (the loser gets 23505 and claims nothing).
const SQL = `
  with reaped as (
    update stripe_events
       set status = 'failed', locked_by = null, lease_expires_at = null, finished_at = now(),
           last_error = 'lease expired on attempt ' || attempts || ' (worker died or hung)'
     where id in (select id from stripe_events
                   where status = 'running' and lease_expires_at < now() and attempts >= $3
                   for update skip locked)
    returning id
  ),
  expired as (
    select id from stripe_events
     where status = 'running' and lease_expires_at < now() and attempts < $3
     order by seq
     limit 1
       for update skip locked
  ),
  fresh as (
    select h.id
      from (select e.id, e.case_key, e.seq from stripe_events e
             where e.status = 'pending' and e.available_at <= now()
             order by e.seq
            offset 0) h
     where not exists (select 1 from expired)
       and not exists (select 1 from stripe_events o
                        where o.case_key = h.case_key and o.seq < h.seq
                          and o.status in ('pending', 'running', 'failed'))
       and not exists (select 1 from stripe_events r
                        where r.case_key = h.case_key and r.status = 'running')
     limit 1
       for update skip locked
  ),
  candidate as (select id from expired union all select id from fresh)
  update stripe_events e
     set status = 'running', attempts = e.attempts + 1, locked_by = $1,
         lease_expires_at = now() + $2::float8 * interval '1 second'
    from candidate c
   where e.id = c.id
  returning ${eventColumns("e")}`;

export async function claimEvent(db: Queryable, opts: ClaimOptions): Promise<InboxEvent | null> {
  try {
    // Named: each connection parses and plans it once (planning cost as much as running it).
    const { rows } = await db.query<EventRow>({ name: "billops_claim_event", text: SQL, values: [opts.workerId, opts.leaseSeconds, opts.maxAttempts] });
    return rows[0] ? toInboxEvent(rows[0]) : null;
  } catch (err) {
    // The backstop index fired: another worker claimed this case a moment ago. Nothing to do this round.
    if ((err as { code?: string }).code === "23505") return null;
    throw err;
  }
}
