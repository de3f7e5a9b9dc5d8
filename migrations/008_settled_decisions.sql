-- One row per settled decision: what billops decided, about which Stripe object and how much money, whether a person
-- approved it, and what it did (Stripe requests, messages, scheduled work). The activity list and the outcome figures
-- read it. The case service writes it from the case thread with the case's commit (store/settled-decisions.ts).

CREATE TABLE IF NOT EXISTS settled_decisions (
  decision_id     text PRIMARY KEY,
  case_key        text NOT NULL,
  domain          text NOT NULL,
  action          text NOT NULL,
  source          text NOT NULL,
  confidence      real,
  rationale       text NOT NULL,
  -- What started the decision: a Stripe event (echo: caused by billops' own write), a support request or scheduled work.
  trigger_event   text NOT NULL,
  trigger_type    text,
  trigger_source  text,
  echo            boolean NOT NULL DEFAULT false,
  customer        text,
  -- The Stripe object the decision is about (invoice, charge, dispute, subscription) as it was when decided.
  subject         text,
  subject_status  text,
  -- Money in the object's own currency, Stripe minor units (the refund's amount for a refund). Never summed across currencies.
  amount          bigint,
  currency        text,
  -- Decline category (dunning), dispute reason, refund reason.
  category        text,
  approval        text NOT NULL CHECK (approval IN ('none', 'accepted', 'edited', 'rejected', 'ignored', 'superseded')),
  approval_id     text,
  approver        text,
  guard_verdict   text NOT NULL,
  guard_reasons   jsonb NOT NULL DEFAULT '[]',
  outcome         text NOT NULL,
  stripe          jsonb NOT NULL DEFAULT '[]',
  notifications   jsonb NOT NULL DEFAULT '[]',
  scheduled       jsonb NOT NULL DEFAULT '[]',
  llm_calls       integer NOT NULL DEFAULT 0,
  llm_tokens      integer NOT NULL DEFAULT 0,
  fallback_reason text,
  -- billops' clock (unix seconds): when the decision was made, and when it was settled (acted, or answered by a person).
  decided_at      bigint NOT NULL,
  settled_at      bigint NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- The activity list pages newest first; filters by case, customer, domain.
CREATE INDEX IF NOT EXISTS settled_decisions_settled_idx ON settled_decisions (settled_at DESC, decision_id DESC);
CREATE INDEX IF NOT EXISTS settled_decisions_case_idx ON settled_decisions (case_key, settled_at);
CREATE INDEX IF NOT EXISTS settled_decisions_customer_idx ON settled_decisions (customer, settled_at DESC);
CREATE INDEX IF NOT EXISTS settled_decisions_domain_idx ON settled_decisions (domain, settled_at DESC);

-- Model calls and tokens per day are read from the decision lines of the audit trail (store/audit.ts modelUsageByDay).
CREATE INDEX IF NOT EXISTS audit_log_decisions_at_idx ON audit_log (at) WHERE kind IN ('decision', 'fallback');
