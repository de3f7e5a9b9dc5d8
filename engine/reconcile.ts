// Missed-event recovery: list Stripe's events since a point, store the ones the inbox lacks through the webhook's own
// path (routing, echo mark, dedupe by id), and record the run. Stripe retries a webhook for three days; an outage
// longer than that, or a disabled endpoint, loses events unless someone asks Stripe for them.
import type pg from "pg";
import type Stripe from "stripe";
import type { Clock } from "../domain/clock.js";
import type { Logger } from "../telemetry/log.js";
import { STRIPE_EVENT_RETENTION_SECONDS, type EventLister } from "../stripe/gateway/events.js";
import { finishReconcileRun, lastGoodReconcileRun, startReconcileRun, type ReconcileTrigger, type SinceSource, type TypeCounts } from "../store/reconcile-runs.js";
import { insertEvent, insertEvents, knownEventIds, newestStripeEventCreated, refusedForItsData, storableProblem, type NewEvent } from "./inbox/index.js";
import { inboxEventOf } from "./stripe-event.js";
import { startPeriodic, type Periodic } from "./periodic.js";

/**
 * How far before the start point a run looks again: events created in the same seconds as the last one seen, and a
 * Stripe clock a little ahead of ours, are listed twice rather than missed (the ids dedupe them).
 */
export const RECONCILE_OVERLAP_SECONDS = 300;
const INSERT_BATCH = 500;

export interface ReconcileOptions {
  pool: pg.Pool;
  listEvents: EventLister;
  clock: Clock;
  logger: Logger;
  trigger: ReconcileTrigger;
  /** Unix seconds; unset: from the previous good run, else from the newest Stripe event the inbox holds. */
  since?: number;
}

export interface ReconcileReport {
  /** Null when another process was reconciling (the run was skipped). */
  runId: string | null;
  since: number;
  until: number;
  sinceSource: SinceSource;
  /** The start point lay beyond Stripe's 30 days: older events are gone from Stripe and cannot be recovered. */
  clamped: boolean;
  /** Where the start point was before clamping. */
  asked: number;
  listed: number;
  alreadyHad: number;
  enqueued: number;
  /** Events PostgreSQL cannot hold (a NUL in an id, nesting thousands deep): logged by id, not stored. */
  refused: number;
  byType: Record<string, TypeCounts>;
  skipped?: string;
}

/** Where a run starts: the operator's point, else the previous good run's end, else the newest stored event. */
async function startPoint(o: ReconcileOptions, now: number): Promise<{ asked: number; source: SinceSource }> {
  if (o.since !== undefined) return { asked: o.since, source: "operator" };
  const last = await lastGoodReconcileRun(o.pool);
  if (last) return { asked: last.until - RECONCILE_OVERLAP_SECONDS, source: "previous_run" };
  const newest = await newestStripeEventCreated(o.pool);
  if (newest !== null) return { asked: newest - RECONCILE_OVERLAP_SECONDS, source: "newest_stored_event" };
  return { asked: now - STRIPE_EVENT_RETENTION_SECONDS, source: "stripe_retention" };
}

// One reconcile at a time across processes: two would list the same events and race on the same inserts (harmless,
// the ids dedupe) and record overlapping runs (confusing). A session lock on a held connection: a crashed run frees it.
const LOCK_KEY = "billops:reconcile";

export async function reconcile(o: ReconcileOptions): Promise<ReconcileReport> {
  const lock = await o.pool.connect();
  try {
    const { rows } = await lock.query<{ ok: boolean }>("select pg_try_advisory_lock(hashtextextended($1, 0)) as ok", [LOCK_KEY]);
    if (!rows[0]!.ok) {
      const now = o.clock.now();
      return { runId: null, since: now, until: now, sinceSource: "previous_run", clamped: false, asked: now, listed: 0, alreadyHad: 0, enqueued: 0, refused: 0, byType: {}, skipped: "another process is reconciling" };
    }
    try {
      return await run(o);
    } finally {
      await lock.query("select pg_advisory_unlock(hashtextextended($1, 0))", [LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    lock.release();
  }
}

async function run(o: ReconcileOptions): Promise<ReconcileReport> {
  const until = o.clock.now();
  const { asked, source } = await startPoint(o, until);
  const oldest = until - STRIPE_EVENT_RETENTION_SECONDS;
  const clamped = asked < oldest;
  const since = clamped ? oldest : asked;
  if (clamped) o.logger.warn({ asked: new Date(asked * 1000).toISOString(), since: new Date(since * 1000).toISOString() }, "reconcile start point is older than Stripe's 30 days of events: events before it cannot be recovered");
  const runId = await startReconcileRun(o.pool, { trigger: o.trigger, since, until, sinceSource: source, clamped });
  const byType: Record<string, TypeCounts> = {};
  const count = (type: string) => (byType[type] ??= { listed: 0, already_had: 0, enqueued: 0 });
  let listed = 0;
  let alreadyHad = 0;
  let enqueued = 0;
  let refused = 0;
  try {
    // Only the missing events are kept in memory (normally few): the listing itself can be long.
    const missing: Stripe.Event[] = [];
    const seen = new Set<string>();
    let page: Stripe.Event[] = [];
    const sift = async () => {
      const known = await knownEventIds(o.pool, page.map((e) => e.id));
      for (const e of page) {
        if (known.has(e.id)) {
          alreadyHad++;
          count(e.type).already_had++;
        } else missing.push(e);
      }
      page = [];
    };
    for await (const event of o.listEvents({ createdGte: since, createdLte: until })) {
      if (seen.has(event.id)) continue;
      seen.add(event.id);
      listed++;
      count(event.type).listed++;
      page.push(event);
      if (page.length >= 100) await sift();
    }
    await sift();
    // Stripe lists newest first; the inbox orders a case by arrival, so the oldest missing event goes in first.
    missing.reverse();
    // As the webhook's ingest does: an event the database would refuse is kept out of a batch (one refused row fails
    // the whole statement), and a batch that fails all the same is stored again one event at a time.
    const refuse = (e: NewEvent, why: string) => {
      refused++;
      o.logger.warn({ event_id: e.id.slice(0, 80), type: e.type.slice(0, 80), reason: why }, "reconcile: Stripe event not stored (the database cannot hold it)");
    };
    for (let i = 0; i < missing.length; i += INSERT_BATCH) {
      const batch: NewEvent[] = [];
      for (const e of missing.slice(i, i + INSERT_BATCH)) {
        const { route: _route, ...event } = inboxEventOf(plain(e));
        const problem = storableProblem(event);
        if (problem) refuse(event, problem.problem);
        else batch.push(event);
      }
      let outcome: ("stored" | "duplicate" | "refused")[];
      try {
        outcome = (await insertEvents(o.pool, batch)).map((ok) => (ok ? "stored" : "duplicate"));
      } catch (err) {
        if (!refusedForItsData(err)) throw err;
        outcome = [];
        for (const e of batch) {
          try {
            outcome.push((await insertEvent(o.pool, e)).inserted ? "stored" : "duplicate");
          } catch (one) {
            if (!refusedForItsData(one)) throw one;
            refuse(e, (one as Error).message.split("\n")[0]!);
            outcome.push("refused");
          }
        }
      }
      batch.forEach((e, j) => {
        if (outcome[j] === "stored") {
          enqueued++;
          count(e.type).enqueued++;
        } else if (outcome[j] === "duplicate") {
          // A webhook that arrived while this run listed stored it first: already had, not enqueued.
          alreadyHad++;
          count(e.type).already_had++;
        }
      });
    }
    await finishReconcileRun(o.pool, runId, { listed, alreadyHad, enqueued, refused, byType });
    o.logger.info({ run: runId, since, until, listed, already_had: alreadyHad, enqueued, refused }, "reconcile finished");
    return { runId, since, until, sinceSource: source, clamped, asked, listed, alreadyHad, enqueued, refused, byType };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await finishReconcileRun(o.pool, runId, { listed, alreadyHad, enqueued, refused, byType, error: message }).catch(() => undefined);
    throw err;
  }
}

/** The event as Stripe sent it: the SDK's list items are plain data, but nothing of the SDK's should reach the inbox. */
function plain(e: Stripe.Event): Stripe.Event {
  const { lastResponse: _drop, ...rest } = e as Stripe.Event & { lastResponse?: unknown };
  return rest as Stripe.Event;
}

/** The periodic job: a reconcile every interval (the first at start), never two at once in a process. */
export function startReconciler(o: Omit<ReconcileOptions, "trigger" | "since"> & { intervalMs: number; onEnqueued?: () => void }): Periodic {
  return startPeriodic(
    async () => {
      const r = await reconcile({ ...o, trigger: "periodic" });
      if (r.enqueued > 0) {
        o.logger.warn({ run: r.runId, enqueued: r.enqueued, by_type: r.byType }, "reconcile recovered events whose webhooks never arrived");
        o.onEnqueued?.();
      }
    },
    { intervalMs: o.intervalMs, logger: o.logger, name: "reconcile" },
  );
}
