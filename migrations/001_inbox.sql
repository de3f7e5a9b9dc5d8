-- The inbox and event log: every Stripe event, support request and scheduled job, in arrival order.
create table stripe_events (
  seq              bigint generated always as identity,
  id               text primary key,
  type             text not null,
  case_key         text,
  source           text not null check (source in ('stripe', 'request', 'schedule')),
  payload          jsonb not null,
  status           text not null default 'pending'
                   check (status in ('pending', 'running', 'done', 'failed', 'ignored', 'skipped')),
  attempts         integer not null default 0,
  available_at     timestamptz not null default now(),
  lease_expires_at timestamptz,
  locked_by        text,
  last_error       text,
  received_at      timestamptz not null default now(),
  finished_at      timestamptz,
  -- Caused by billops' own Stripe write (request.idempotency_key starts with 'billops:').
  echo             boolean not null default false,
  -- Only ignored events may lack a case: everything processed is ordered within its case.
  constraint stripe_events_case_required check (status = 'ignored' or case_key is not null)
);

create unique index stripe_events_seq_key on stripe_events (seq);

-- Backstop for the head-of-case claim: at most one running event per case, whatever a bug in a query does.
create unique index stripe_events_one_running_per_case on stripe_events (case_key) where status = 'running';

-- The claim scans open events in order; a partial index keeps it small as done events pile up.
create index stripe_events_open on stripe_events (case_key, seq) where status in ('pending', 'running', 'failed');
create index stripe_events_pending_available on stripe_events (available_at, seq) where status = 'pending';
create index stripe_events_case on stripe_events (case_key, seq);
create index stripe_events_status on stripe_events (status, seq);

-- Idle workers LISTEN on this channel and claim at once instead of waiting for the next poll. The channel names the
-- schema because NOTIFY is per database: tests and evals in other schemas on one server must not wake each other.
create function stripe_events_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('billops_events:' || tg_table_schema, coalesce(new.case_key, ''));
  return null;
end;
$$;

create trigger stripe_events_notify after insert on stripe_events
  for each row when (new.status = 'pending') execute function stripe_events_notify();
