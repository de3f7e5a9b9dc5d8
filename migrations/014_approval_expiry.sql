-- An approval that stops meaning anything at a fixed time: a dispute's submit question expires with the dispute's own
-- evidence deadline (Stripe's evidence_details.due_by). `due_at` stays the time operations are told it is overdue.
alter table approvals add column if not exists expires_at bigint;
