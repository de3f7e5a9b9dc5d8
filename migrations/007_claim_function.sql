-- The head-of-case claim as a function (src/server/inbox/claimEvent.ts says how it chooses). As a function the worker
-- can claim its next event in the round trip that commits the one it finished (a call is one statement with literal
-- arguments; a prepared statement needs its own message), PL/pgSQL plans it once per connection, and a lost race on
-- the one-running-per-case index claims nothing instead of failing the statements sent before it.
create or replace function billops_claim_event(worker_id text, lease_seconds float8, max_attempts integer)
  returns setof stripe_events
  language plpgsql
as $fn$
begin
  return query
    with reaped as (
      update stripe_events
         set status = 'failed', locked_by = null, lease_expires_at = null, finished_at = now(),
             last_error = 'lease expired on attempt ' || attempts || ' (worker died or hung)'
       where id in (select id from stripe_events
                     where status = 'running' and lease_expires_at < now() and attempts >= max_attempts
                     for update skip locked)
      returning id
    ),
    expired as (
      select id from stripe_events
       where status = 'running' and lease_expires_at < now() and attempts < max_attempts
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
       set status = 'running', attempts = e.attempts + 1, locked_by = worker_id,
           lease_expires_at = now() + lease_seconds * interval '1 second'
      from candidate c
     where e.id = c.id
    returning e.*;
exception when unique_violation then
  -- Another worker claimed into this case a moment ago: nothing to do this round.
  return;
end;
$fn$;
