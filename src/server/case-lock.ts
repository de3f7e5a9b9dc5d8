// One run per case at a time, from any process: a transaction-scoped advisory lock on the case key.
import type pg from "pg";

// hashtextextended gives 64 bits, so unrelated case keys practically never share a lock (hashtext's 32 would).
const TRY_LOCK_SQL = "select pg_try_advisory_xact_lock(hashtextextended($1, 0)) as locked";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class CaseLockTimeoutError extends Error {
  constructor(readonly caseKey: string, waitedMs: number) {
    super(`case ${caseKey} stayed locked for ${waitedMs} ms`);
    this.name = "CaseLockTimeoutError";
  }
}

/**
 * Runs fn in a transaction that holds the case's lock; commits on return, rolls back on throw. The worker runs each
 * event's handler here and the approval API resumes threads here: LangGraph itself does not lock a thread.
 *
 * A waiter does not sit on a pooled connection: it tries, gives the connection back, and tries again. Ten people
 * answering one approval at once would otherwise hold ten connections while the one run that holds the lock waits
 * for a connection to checkpoint with — a deadlock on the pool.
 */
export async function withCaseLock<T>(
  pool: pg.Pool,
  caseKey: string,
  fn: (client: pg.PoolClient) => Promise<T>,
  opts: { timeoutMs?: number } = {},
): Promise<T> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 120_000;
  for (let attempt = 0; ; attempt++) {
    const client = await pool.connect();
    let unusable: Error | undefined;
    let locked = false;
    try {
      await client.query("begin");
      locked = (await client.query(TRY_LOCK_SQL, [caseKey])).rows[0].locked === true;
      if (!locked) {
        await client.query("rollback");
      } else {
        const result = await fn(client);
        await client.query("commit");
        return result;
      }
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
    const waited = Date.now() - started;
    if (waited > timeoutMs) throw new CaseLockTimeoutError(caseKey, waited);
    // Short first waits (an answer usually takes milliseconds), capped, with jitter so waiters do not march in step.
    await sleep(Math.min(5 * 2 ** Math.min(attempt, 5), 100) * (0.5 + Math.random()));
  }
}
