-- Bounded storage (engine/retention.ts). An event's payload is cut down to its envelope some days after it was done;
-- a case's thread is pruned to the checkpoints replay needs once the case has been quiet for some days.
alter table stripe_events add column if not exists payload_dropped_at timestamptz;
-- What the payload pass walks: finished events still holding their body (a dropped or open event is not in it).
create index if not exists stripe_events_payload_kept on stripe_events (seq)
  where payload_dropped_at is null and status in ('done', 'ignored', 'skipped') and source in ('stripe', 'request');

alter table cases add column if not exists checkpoints_pruned_at timestamptz;
-- When the oldest decision the pruned thread kept for replay leaves the replay window: the thread is pruned again then.
alter table cases add column if not exists checkpoints_prune_due_at timestamptz;
-- What the checkpoint pass walks: cases with activity since their thread was last pruned (or never pruned) …
create index if not exists cases_to_prune on cases (updated_at)
  where checkpoints_pruned_at is null or updated_at >= checkpoints_pruned_at;
-- … and cases whose kept decisions are due to leave the replay window.
create index if not exists cases_prune_due on cases (checkpoints_prune_due_at) where checkpoints_prune_due_at is not null;
