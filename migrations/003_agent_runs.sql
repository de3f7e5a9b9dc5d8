-- Runs started through the Agent Server API (Agent Inbox's door to approvals): the thread's busy marker across processes.

CREATE TABLE IF NOT EXISTS agent_runs (
  run_id       uuid PRIMARY KEY,
  thread_id    uuid NOT NULL,
  case_key     text NOT NULL,
  assistant_id text NOT NULL,
  approval_id  text NOT NULL,
  approver     text NOT NULL,
  answer       jsonb NOT NULL,
  status       text NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'running', 'success', 'error', 'interrupted')),
  error        jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
-- One active run per thread (Agent Server's multitask "reject"): a second answer while one runs is refused, not queued.
CREATE UNIQUE INDEX IF NOT EXISTS agent_runs_one_active_per_thread ON agent_runs (thread_id) WHERE status IN ('pending', 'running');
CREATE INDEX IF NOT EXISTS agent_runs_thread_idx ON agent_runs (thread_id, created_at DESC);
