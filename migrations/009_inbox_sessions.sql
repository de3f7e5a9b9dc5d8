-- The web inbox's sign-ins: one opaque, revocable session per sign-in instead of the approver token in a cookie.
-- Only a hash of the cookie's value is kept, so a copy of this table opens no inbox.
create table if not exists inbox_sessions (
  id_hash      text primary key,
  approver     text not null,
  -- sha256 of the approver token the session was opened with: removing that token from APPROVER_TOKENS ends it.
  token_digest text not null,
  -- What the inbox's own forms (sign-out) send back: a cross-site form cannot know it.
  csrf         text not null,
  created_at   timestamptz not null default now(),
  expires_at   timestamptz not null
);
create index if not exists inbox_sessions_expires on inbox_sessions (expires_at);
