-- One notification per fact: a customer is told a thing (template) about an object (an invoice) once, whichever case
-- tells them. The fact key is `customer:template:object`; the unique index makes the database hold it even when two
-- cases' workers enqueue at the same moment. Rows without a fact key (operations messages, confirmations) are not held.
ALTER TABLE notifications ADD COLUMN IF NOT EXISTS fact_key text;
CREATE UNIQUE INDEX IF NOT EXISTS notifications_fact_key_idx ON notifications (fact_key) WHERE fact_key IS NOT NULL;
