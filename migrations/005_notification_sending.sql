-- A notification being sent is claimed ('sending', with the time), so two senders never mail it twice and one that
-- died mid-send is retried after a while.
ALTER TABLE notifications DROP CONSTRAINT IF EXISTS notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
  CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'kept'));
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS claimed_at timestamptz;
