// One run per case at a time, from any process: a transaction-scoped advisory lock on the case key.
import type pg from "pg";

// hashtextextended gives 64 bits, so unrelated case keys practically never share a lock (hashtext's 32 would).
const LOCK_SQL = "select pg_advisory_xact_lock(hashtextextended($1, 0))";

/**
 * Runs fn in a transaction that holds the case's lock; commits on return, rolls back on throw. The worker runs each
 * event's handler here and the approval API resumes threads here: LangGraph itself does not lock a thread.
 */
export async function withCaseLock<T>(
  pool: pg.Pool,
  caseKey: string,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let unusable: Error | undefined;
  try {
    await client.query("begin");
    await client.query(LOCK_SQL, [caseKey]);
    const result = await fn(client);
    await client.query("commit");
    return result;
  } catch (err) {
    try {
      await client.query("rollback");
    } catch (rollbackErr) {
      // A connection that cannot even roll back is broken: destroy it rather than hand it to the next caller.
      unusable = rollbackErr as Error;
    }
    throw err;
  } finally {
    client.release(unusable);
  }
}
