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
// - candidate: a pending event that is available, has no older open (pending/running/failed) event in its case, and
//   whose case has nothing running; OR a running event whose lease expired (it is already its case's running event,
//   so taking it over keeps one-running-per-case). Ordered by seq, the bigint arrival order, never a timestamp.
// - SKIP LOCKED lets concurrent workers pass over each other's rows; the unique partial index on running events
//   per case is the backstop if two claims ever raced into one case (the loser gets 23505 and claims nothing).
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
  candidate as (
    select e.id
      from stripe_events e
     where (e.status = 'running' and e.lease_expires_at < now() and e.attempts < $3)
        or (e.status = 'pending' and e.available_at <= now()
            and not exists (select 1 from stripe_events o
                             where o.case_key = e.case_key and o.seq < e.seq
                               and o.status in ('pending', 'running', 'failed'))
            and not exists (select 1 from stripe_events r
                             where r.case_key = e.case_key and r.status = 'running'))
     order by e.seq
     limit 1
       for update skip locked
  )
  update stripe_events e
     set status = 'running', attempts = e.attempts + 1, locked_by = $1,
         lease_expires_at = now() + $2::float8 * interval '1 second'
    from candidate c
   where e.id = c.id
  returning ${eventColumns("e")}`;

export async function claimEvent(db: Queryable, opts: ClaimOptions): Promise<InboxEvent | null> {
  try {
    const { rows } = await db.query<EventRow>(SQL, [opts.workerId, opts.leaseSeconds, opts.maxAttempts]);
    return rows[0] ? toInboxEvent(rows[0]) : null;
  } catch (err) {
    // The backstop index fired: another worker claimed this case a moment ago. Nothing to do this round.
    if ((err as { code?: string }).code === "23505") return null;
    throw err;
  }
}
