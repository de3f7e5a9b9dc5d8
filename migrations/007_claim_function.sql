-- The head-of-case claim as a function (src/server/inbox/claimEvent.ts calls it). As a function the worker can claim
-- its next event in the round trip that commits the one it finished (a call is one statement with literal
-- arguments; a prepared statement needs its own message), PL/pgSQL plans its queries once per connection, and a lost
-- race on the one-running-per-case index claims nothing instead of failing the statements sent before it.
--
-- How it chooses:
-- 1. reaped: running events whose lease expired on their last allowed attempt become failed (a poison event that
--    kills its worker must not loop forever). They keep blocking their case, like any failed event.
-- 2. expired: a running event whose lease expired (its worker died or hung) is taken over first. It is already its
--    case's running event, so taking it keeps one running event per case.
-- 3. fresh: the pending events are walked in seq order (the bigint arrival order, never a timestamp) on the
--    (status, seq) index, and the first one that is available, has no older open (pending/running/failed) event in
--    its case, has nothing running in its case and is not being claimed by another worker (SKIP LOCKED) is taken.
--    A claim looks at the head of the backlog, not at all of it: one query that checked every pending event and
--    then sorted them cost time in proportion to the backlog.
-- The unique partial index on running events per case stays the backstop if two claims ever race into one case.
create or replace function billops_claim_event(worker_id text, lease_seconds float8, max_attempts integer)
  returns setof stripe_events
  language plpgsql
  -- The walk must follow the index order (a sort would read the whole backlog first); the planner's row estimates
  -- for a queue table swing too much to leave that choice to it.
  set enable_sort = off
as $fn$
declare
  candidate record;
  claim_id text;
  claimed stripe_events;
begin
  update stripe_events
     set status = 'failed', locked_by = null, lease_expires_at = null, finished_at = now(),
         last_error = 'lease expired on attempt ' || attempts || ' (worker died or hung)'
   where id in (select id from stripe_events
                 where status = 'running' and lease_expires_at < now() and attempts >= max_attempts
                 for update skip locked);

  select id into claim_id from stripe_events
   where status = 'running' and lease_expires_at < now() and attempts < max_attempts
   order by seq
   limit 1
     for update skip locked;
  if claim_id is null then
    for candidate in
      select id, case_key, seq from stripe_events
       where status = 'pending' and available_at <= now()
       order by seq
    loop
      continue when exists (select 1 from stripe_events o
                             where o.case_key = candidate.case_key and o.seq < candidate.seq
                               and o.status in ('pending', 'running', 'failed'));
      continue when exists (select 1 from stripe_events r
                             where r.case_key = candidate.case_key and r.status = 'running');
      -- Still pending now (not claimed since the walk began) and nobody else is claiming it this moment.
      select id into claim_id from stripe_events where id = candidate.id and status = 'pending' for update skip locked;
      exit when claim_id is not null;
    end loop;
    if claim_id is null then
      return;
    end if;
  end if;

  update stripe_events
     set status = 'running', attempts = attempts + 1, locked_by = worker_id,
         lease_expires_at = now() + lease_seconds * interval '1 second'
   where id = claim_id
  returning * into claimed;
  return next claimed;
exception when unique_violation then
  -- Another worker claimed into this case a moment ago: nothing to do this round.
  return;
end;
$fn$;

-- The claim walks (status, seq) and checks a case's open events on (case_key, seq): these two are no longer read,
-- and every status change of every event had to update them.
drop index if exists stripe_events_pending_available;
drop index if exists stripe_events_open;
