-- Cases, approvals, the audit trail, the notification outbox and scheduled work (the inbox is 001).

CREATE TABLE IF NOT EXISTS cases (
  case_key      text PRIMARY KEY,
  thread_id     uuid NOT NULL UNIQUE,
  kind          text NOT NULL,
  object_id     text NOT NULL,
  route         text,
  status        text NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'waiting_approval', 'closed', 'escalated', 'error')),
  last_action   text,
  last_event_id text,
  customer      text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS cases_status_idx ON cases (status, updated_at DESC);

CREATE TABLE IF NOT EXISTS approvals (
  id            text PRIMARY KEY,
  case_key      text NOT NULL REFERENCES cases (case_key),
  thread_id     uuid NOT NULL,
  decision_id   text NOT NULL,
  domain        text NOT NULL,
  action        text NOT NULL,
  args          jsonb NOT NULL,
  request       jsonb NOT NULL,
  status        text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'accepted', 'edited', 'rejected', 'ignored', 'superseded', 'resolved')),
  response      jsonb,
  approver      text,
  superseded_by text,
  requested_at  bigint NOT NULL,
  due_at        bigint,
  escalated_at  bigint,
  answered_at   bigint,
  created_at    timestamptz NOT NULL DEFAULT now()
);
-- At most one pending approval per case: a case waits on one question at a time.
CREATE UNIQUE INDEX IF NOT EXISTS approvals_one_pending_per_case ON approvals (case_key) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS approvals_status_idx ON approvals (status, requested_at DESC);

CREATE TABLE IF NOT EXISTS audit_log (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  entry_id   text NOT NULL UNIQUE,
  case_key   text NOT NULL,
  thread_id  uuid,
  kind       text NOT NULL,
  at         bigint NOT NULL,
  actor      text NOT NULL DEFAULT 'billops',
  data       jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS audit_log_case_idx ON audit_log (case_key, id);

CREATE TABLE IF NOT EXISTS notifications (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key        text NOT NULL UNIQUE,
  case_key   text NOT NULL,
  template   text NOT NULL,
  to_email   text,
  subject    text NOT NULL,
  body       text NOT NULL,
  status     text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'kept')),
  attempts   int NOT NULL DEFAULT 0,
  last_error text,
  at         bigint NOT NULL,
  sent_at    timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS notifications_case_idx ON notifications (case_key, id);
CREATE INDEX IF NOT EXISTS notifications_pending_idx ON notifications (id) WHERE status = 'pending';

CREATE TABLE IF NOT EXISTS scheduled_jobs (
  id         text PRIMARY KEY,
  case_key   text NOT NULL,
  kind       text NOT NULL,
  due_at     bigint NOT NULL,
  payload    jsonb NOT NULL DEFAULT '{}',
  status     text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'fired', 'canceled')),
  fired_at   bigint,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS scheduled_jobs_due_idx ON scheduled_jobs (due_at) WHERE status = 'pending';
