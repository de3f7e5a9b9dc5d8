// The `inbox_sessions` table: who signed in to the web inbox, until when; keyed by a hash of the cookie's value.
import type { Queryable } from "./db.js";

export interface InboxSessionRow {
  approver: string;
  tokenDigest: string;
  csrf: string;
  expiresAt: Date;
}

export async function createInboxSession(db: Queryable, s: { idHash: string; approver: string; tokenDigest: string; csrf: string; ttlSeconds: number }): Promise<void> {
  await db.query(
    `insert into inbox_sessions (id_hash, approver, token_digest, csrf, expires_at)
     values ($1, $2, $3, $4, now() + $5 * interval '1 second')`,
    [s.idHash, s.approver, s.tokenDigest, s.csrf, s.ttlSeconds],
  );
}

/** The session, while it has not expired (by the database's clock). */
export async function findInboxSession(db: Queryable, idHash: string): Promise<InboxSessionRow | null> {
  const { rows } = await db.query(`select approver, token_digest, csrf, expires_at from inbox_sessions where id_hash = $1 and expires_at > now()`, [idHash]);
  const r = rows[0];
  return r ? { approver: r.approver, tokenDigest: r.token_digest, csrf: r.csrf, expiresAt: r.expires_at } : null;
}

export async function deleteInboxSession(db: Queryable, idHash: string): Promise<void> {
  await db.query(`delete from inbox_sessions where id_hash = $1`, [idHash]);
}

/** Forgets sessions that ended; returns how many. */
export async function deleteExpiredInboxSessions(db: Queryable): Promise<number> {
  const res = await db.query(`delete from inbox_sessions where expires_at <= now()`);
  return res.rowCount ?? 0;
}
