-- A last attempt is failed for good only when its lease has run out, not as soon as its worker's registered backend
-- is gone. A live worker whose LISTEN connection dropped looks gone until it registers again; reaping its last
-- attempt then marked the event failed while the worker finished it (its completion, keyed on locked_by, matched
-- nothing), and a failed event holds back every later event of its case. Taking over an earlier attempt stays
-- immediate: the case lock keeps two runs apart and the rerun only settles. Everything else is as 012 explains.
create or replace function billops_claim_event(worker_id text, lease_seconds float8, max_attempts integer)
  returns setof stripe_events
  language plpgsql
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
                 where status = 'running' and attempts >= max_attempts
                   and lease_expires_at < now()
                 for update skip locked);

  select id into claim_id from stripe_events
   where status = 'running' and attempts < max_attempts
     and (lease_expires_at < now() or billops_worker_gone(locked_by))
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
  return;
end;
$fn$;
