-- The inbox keeps each event's payload as the exact text Stripe signed (json: validated on insert, stored as sent)
-- rather than jsonb: nothing queries inside it, the audit trail keeps the bytes that were verified, and an insert
-- skips the conversion.
ALTER TABLE stripe_events ALTER COLUMN payload TYPE json USING payload::json;
