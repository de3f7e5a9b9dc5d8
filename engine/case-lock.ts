// One run per case at a time, from any process: a transaction-scoped advisory lock on the case key.
import type pg from "pg";
import { literal, sql } from "../store/literal.js";

// hashtextextended gives 64 bits, so unrelated case keys practically never share a lock (hashtext's 32 would).
// Sent with the begin in one round trip (simple protocol, the key as an escaped literal).
const beginAndTryLock = (caseKey: string) => sql`begin; select pg_try_advisory_xact_lock(hashtextextended(${caseKey}, 0)) as locked`;

/**
 * A read to send with the lock: SQL with $1… parameters and their values. Each connection prepares it once (by name)
 * and then only executes it, so PostgreSQL plans it once per connection, not per event.
 */
export interface PreparedRead {
  name: string;
  text: string;
  args: unknown[];
}

// Which statements each pooled connection has prepared (PREPARE lives as long as the connection).
const preparedOn = new WeakMap<pg.PoolClient, Set<string>>();

function readStatements(client: pg.PoolClient, read: PreparedRead): { statements: string[]; prepares: boolean } {
  const prepares = !preparedOn.get(client)?.has(read.name);
  const execute = `EXECUTE ${read.name}(${read.args.map((a) => literal(a)).join(", ")})`;
  return { statements: prepares ? [`PREPARE ${read.name} AS ${read.text}`, execute] : [execute], prepares };
}

function markPrepared(client: pg.PoolClient, name: string): void {
  let names = preparedOn.get(client);
  if (!names) preparedOn.set(client, (names = new Set()));
  names.add(name);
}

/**
 * The transaction a case runs in. `defer` queues a statement whose result nobody needs before the commit (audit
 * lines, the case row, the event's completion): the queue goes to the server with the commit, in one round trip,
 * and `then` gets each one's result after the commit. A deferred statement that fails rolls everything back.
 */
export interface CaseTx {
  query: pg.PoolClient["query"];
  defer(statement: string, then?: (result: pg.QueryResult) => void): void;
  /**
   * A statement to run right after the commit, in the same round trip, outside the case's transaction (the worker
   * claims its next event this way). It must not fail: by the time it runs, the commit is done.
   */
  after(statement: string, then: (result: pg.QueryResult) => void): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How many case transactions a pool may have open at once. A holder keeps its transaction's connection while the
 * graph checkpoints, and act writes the outbox and audit, on other connections of the same pool: with every
 * connection held by a case transaction waiting for one more, the pool deadlocked for good (an answer storm of 12 on
 * a 12-connection web process), and /health and webhook ingest with it. A third of the pool leaves each holder two
 * more connections and some for everyone else; the rest wait here, in memory, not on a connection.
 */
export function caseHoldersFor(poolMax: number): number {
  return Math.max(1, Math.floor(poolMax / 3));
}

interface Gate {
  free: number;
  waiting: (() => void)[];
}

const gates = new WeakMap<pg.Pool, Gate>();

async function enter(pool: pg.Pool): Promise<Gate> {
  let gate = gates.get(pool);
  if (!gate) gates.set(pool, (gate = { free: caseHoldersFor((pool as pg.Pool & { options: pg.PoolConfig }).options.max ?? 10), waiting: [] }));
  if (gate.free > 0) gate.free--;
  else await new Promise<void>((r) => gate!.waiting.push(r));
  return gate;
}

function leave(gate: Gate): void {
  const next = gate.waiting.shift();
  // The slot passes straight to the next waiter, so a newcomer cannot overtake it.
  if (next) next();
  else gate.free++;
}

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
  fn: (tx: CaseTx, prefetched?: pg.QueryResult) => Promise<T>,
  opts: {
    timeoutMs?: number;
    /** A read sent in the round trip that takes the lock, after it; its result goes to fn. */
    prefetch?: PreparedRead;
  } = {},
): Promise<T> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 120_000;
  for (let attempt = 0; ; attempt++) {
    // A slot per try, given back before waiting for the case: a waiter holds neither a slot nor a connection.
    const gate = await enter(pool);
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      leave(gate);
      throw err;
    }
    let unusable: Error | undefined;
    let locked = false;
    try {
      const read = opts.prefetch ? readStatements(client, opts.prefetch) : null;
      let results: pg.QueryResult[];
      try {
        results = (await client.query([beginAndTryLock(caseKey), ...(read?.statements ?? [])].join(";\n"))) as unknown as pg.QueryResult[];
      } catch (err) {
        // Whether a PREPARE in the message ran is unknown now (it outlives the failed transaction): the connection
        // goes, rather than being handed on with a name it may or may not have.
        if (read?.prepares) unusable = err as Error;
        throw err;
      }
      if (read?.prepares) markPrepared(client, opts.prefetch!.name);
      const lock = results[1];
      const prefetched = read ? results[results.length - 1] : undefined;
      locked = lock.rows[0].locked === true;
      if (!locked) {
        await client.query("rollback");
      } else {
        const deferred: { statement: string; then?: (r: pg.QueryResult) => void }[] = [];
        const afterCommit: { statement: string; then: (r: pg.QueryResult) => void }[] = [];
        const tx: CaseTx = {
          query: client.query.bind(client) as pg.PoolClient["query"],
          defer: (statement, then) => void deferred.push({ statement, then }),
          after: (statement, then) => void afterCommit.push({ statement, then }),
        };
        const result = await fn(tx, prefetched);
        if (deferred.length === 0 && afterCommit.length === 0) {
          await client.query("commit");
        } else {
          const statements = [...deferred.map((d) => d.statement), "commit", ...afterCommit.map((a) => a.statement)];
          const results = (await client.query(statements.join(";\n"))) as unknown as pg.QueryResult[];
          deferred.forEach((d, i) => d.then?.(results[i]));
          afterCommit.forEach((a, i) => a.then(results[deferred.length + 1 + i]));
        }
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
      leave(gate);
    }
    const waited = Date.now() - started;
    if (waited > timeoutMs) throw new CaseLockTimeoutError(caseKey, waited);
    // Short first waits (an answer usually takes milliseconds), capped, with jitter so waiters do not march in step.
    await sleep(Math.min(5 * 2 ** Math.min(attempt, 5), 100) * (0.5 + Math.random()));
  }
}
