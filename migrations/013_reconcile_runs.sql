-- Missed-event recovery (engine/reconcile.ts): each run lists Stripe's events since a point and enqueues those the
-- inbox lacks. A finished run's `until` is where the next one starts; operators read the runs (GET /reconcile/runs).
create table if not exists reconcile_runs (
  id            bigint generated always as identity primary key,
  trigger       text not null check (trigger in ('cli', 'periodic')),
  started_at    timestamptz not null default now(),
  finished_at   timestamptz,
  -- Unix seconds of the Stripe clock: the listing covered events created in [since, until].
  since         bigint not null,
  until         bigint not null,
  -- Where `since` came from: the operator (--since), the previous run, the newest stored event, or Stripe's 30 days.
  since_source  text not null,
  -- The asked-for start lay beyond Stripe's 30 days of events: what was older is gone from Stripe.
  clamped       boolean not null default false,
  listed        integer not null default 0,
  already_had   integer not null default 0,
  enqueued      integer not null default 0,
  -- Listed events PostgreSQL cannot hold (logged by id): neither had nor enqueued.
  refused       integer not null default 0,
  -- {type: {listed, already_had, enqueued}}
  by_type       jsonb not null default '{}',
  error         text
);
create index if not exists reconcile_runs_finished on reconcile_runs (id desc) where finished_at is not null and error is null;
