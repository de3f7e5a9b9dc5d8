// How much work is left: for health output, and for tests and evals that wait until the inbox is quiet.
import type { Queryable } from "./types.js";

/** Pending (including backing off) plus running events. Failed ones are not open: they wait for a person. */
export async function countOpen(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    "select count(*)::int as n from stripe_events where status in ('pending', 'running')",
  );
  return rows[0].n;
}

/** Nothing pending or running. Stops at the first open event (pollers call it often; a count reads them all). */
export async function isIdle(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ open: boolean }>(
    "select exists (select 1 from stripe_events where status in ('pending', 'running')) as open",
  );
  return !rows[0].open;
}

/** Polls until nothing is pending or running; false if the timeout passed first. */
export async function waitUntilIdle(db: Queryable, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<boolean> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    if (await isIdle(db)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 25));
  }
}
