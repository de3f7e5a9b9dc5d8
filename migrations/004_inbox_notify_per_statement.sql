-- One wake-up per insert statement instead of per row: webhook ingest stores bursts in one statement (group
-- commit), and workers only need to know that something is pending, not which case (the claim query finds it).
drop trigger if exists stripe_events_notify on stripe_events;

create or replace function stripe_events_notify_batch() returns trigger language plpgsql as $$
begin
  if exists (select 1 from inserted where status = 'pending') then
    perform pg_notify('billops_events:' || tg_table_schema, '');
  end if;
  return null;
end;
$$;

create trigger stripe_events_notify_batch after insert on stripe_events
  referencing new table as inserted
  for each statement execute function stripe_events_notify_batch();
