-- Faults lose nothing (issue 15).
--
-- 1. An answer the thread took but whose run did not finish (Stripe failed inside act, or the process died there)
--    left the approval pending and the thread stuck before act. answering_at is written (on its own, committed at
--    once) just before a person's answer resumes the thread: a pending approval that has it was being answered when
--    something failed, and the worker's sweep finishes it (engine/answer-sweep.ts).
alter table approvals add column if not exists answering_at timestamptz;
create index if not exists approvals_answering on approvals (answering_at) where status = 'pending' and answering_at is not null;

-- 2. A crashed worker's claims are taken over when its process is gone, not only when its lease (60 s) runs out.
--    Each worker registers the PostgreSQL backend of its long-lived LISTEN connection (store/worker-sessions.ts);
--    when that backend is gone (PostgreSQL ends it as soon as the killed process's socket closes), the worker is gone.
--    pid and backend_start together name a backend: a pid alone may be reused.
create table if not exists worker_sessions (
  worker_id     text primary key,
  backend_pid   integer not null,
  backend_start timestamptz not null,
  host          text,
  pid           integer,
  registered_at timestamptz not null default now()
);

-- True when the worker registered a session and that backend no longer exists. A worker that never registered (an
-- older one) is never "gone": its lease alone decides. A backend whose start time this role may not see (another
-- role's session) counts as alive.
create or replace function billops_worker_gone(wid text) returns boolean
  language sql stable
as $fn$
  select exists (
    select 1 from worker_sessions w
     where w.worker_id = wid
       and not exists (select 1 from pg_stat_activity a
                        where a.pid = w.backend_pid and (a.backend_start = w.backend_start or a.backend_start is null)))
$fn$;

-- The claim of 007, with "lease expired" widened to "lease expired, or its worker is gone" in both the reaping of
-- last attempts and the takeover. Everything else is as 007 explains.
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
                   and (lease_expires_at < now() or billops_worker_gone(locked_by))
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
