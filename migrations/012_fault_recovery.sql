-- Faults lose nothing (issue 15).
--
-- 1. An answer the thread took but whose run did not finish (Stripe failed inside act, or the process died there)
--    left the approval pending and the thread stuck before act. answering_at is written (on its own, committed at
--    once) just before a person's answer resumes the thread: a pending approval that has it was being answered when
--    something failed, and the worker's sweep finishes it (engine/answer-sweep.ts).
alter table approvals add column if not exists answering_at timestamptz;
create index if not exists approvals_answering on approvals (answering_at) where status = 'pending' and answering_at is not null;
