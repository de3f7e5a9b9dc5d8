// The worker: claims head-of-case events, runs each handler under its case lock, completes, or fails with backoff.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type pg from "pg";
import type { Logger } from "../telemetry/log.js";
import { withCaseLock, type CaseTx, type PreparedRead } from "./case-lock.js";
import {
  claimEvent,
  claimEventStatement,
  completeEventStatement,
  EVENTS_CHANNEL_PREFIX,
  extendLease,
  failEvent,
  type InboxEvent,
} from "./inbox/index.js";
import { registerWorkerSession, removeWorkerSession } from "../store/worker-sessions.js";

/**
 * Returns when the event is handled; throws to have it retried (with backoff) and, at last, failed. Runs in the case's
 * transaction, which the event's completion joins: the handler's writes and "done" commit together.
 */
export type EventHandler = (event: InboxEvent, tx: CaseTx, prefetched?: pg.QueryResult) => Promise<void>;

export interface WorkerOptions {
  pool: pg.Pool;
  handle: EventHandler;
  /** A read to send with the lock (e.g. the case thread's latest checkpoint); its result is the handler's third argument. */
  prefetch?: (event: InboxEvent) => PreparedRead | null;
  workerId?: string;
  concurrency: number;
  pollIntervalMs: number;
  leaseSeconds: number;
  maxAttempts: number;
  /** First retry delay, doubling per attempt (default 1000). */
  backoffBaseMs?: number;
  logger: Logger;
}

export interface Worker {
  readonly workerId: string;
  /** Finishes in-flight runs, claims nothing new, closes the LISTEN connection. */
  stop(): Promise<void>;
  /** Look for work now (the web role calls it after storing an event in the same process). */
  wake(): void;
}

const RECONNECT_MS = 1000;

export function startWorker(opts: WorkerOptions): Worker {
  const { pool, handle, concurrency, leaseSeconds, maxAttempts, logger } = opts;
  const workerId = opts.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const log = logger.child({ worker: workerId });
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let filling: Promise<void> | null = null;
  let fillAgain = false;
  let listenClient: pg.PoolClient | null = null;
  let reconnectTimer: NodeJS.Timeout | undefined;

  /** Runs one event; returns the next one when it could be claimed with this one's commit. */
  async function run(event: InboxEvent): Promise<InboxEvent | null> {
    let next: InboxEvent | null = null;
    const elog = log.child({ event_id: event.id, case: event.caseKey, type: event.type });
    let completing = false;
    // Heartbeat at a third of the lease so two missed beats still leave the lease valid.
    const heartbeat = setInterval(() => {
      extendLease(pool, event.id, workerId, leaseSeconds)
        .then((held) => {
          if (!held && !completing) elog.warn("lease lost while running; another worker may take the event over");
        })
        .catch((err: unknown) => elog.warn({ err }, "lease heartbeat failed"));
    }, Math.max(200, (leaseSeconds * 1000) / 3));
    const started = Date.now();
    try {
      // The case lock also waits for an approval resume of the same case running in another process.
      let completed = false;
      await withCaseLock(pool, event.caseKey ?? `event:${event.id}`, async (tx, prefetched) => {
        await handle(event, tx, prefetched);
        completing = true;
        // Sent with the commit: the handler's own deferred writes and "done" commit or vanish together.
        tx.defer(completeEventStatement(event.id, workerId), (r) => (completed = r.rowCount === 1));
        // With a backlog the next event is claimed in the same round trip, after the commit (so the claim is seen
        // at once, as a claim of its own would be).
        if (!stopped) {
          const claim = claimEventStatement({ workerId, leaseSeconds, maxAttempts });
          tx.after(claim.text, (r) => (next = claim.read(r)));
        }
      }, { prefetch: opts.prefetch?.(event) ?? undefined });
      if (!completed) elog.warn("completed an event whose lease had been taken over");
      elog.info({ attempts: event.attempts, ms: Date.now() - started }, "event done");
    } catch (err) {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      try {
        const res = await failEvent(pool, event.id, { workerId, error: message, maxAttempts, backoffBaseMs: opts.backoffBaseMs });
        if (res?.status === "failed") {
          elog.error({ err, attempts: res.attempts }, "event failed for good; its case is blocked until retried or skipped");
        } else if (res) {
          elog.warn({ err, attempts: res.attempts, retry_at: res.availableAt }, "event failed; will retry");
        } else {
          elog.warn({ err }, "event failed after its lease was taken over");
        }
      } catch (failErr) {
        // The lease will expire and the event will be claimed again: nothing is lost.
        elog.error({ err: failErr, cause: err }, "could not record the failure");
      }
    } finally {
      clearInterval(heartbeat);
    }
    return next;
  }

  /** One of `concurrency` slots: runs its event and the ones claimed with each commit, then asks for more work. */
  async function slot(first: InboxEvent): Promise<void> {
    let event: InboxEvent | null = first;
    while (event) event = await run(event);
  }

  async function fillLoop(): Promise<void> {
    do {
      fillAgain = false;
      while (!stopped && inFlight.size < concurrency) {
        let event: InboxEvent | null;
        try {
          event = await claimEvent(pool, { workerId, leaseSeconds, maxAttempts });
        } catch (err) {
          log.error({ err }, "claim failed; retrying at the next poll");
          return;
        }
        if (!event) break;
        const p: Promise<void> = slot(event).finally(() => {
          inFlight.delete(p);
          wake();
        });
        inFlight.add(p);
      }
    } while (fillAgain && !stopped && inFlight.size < concurrency);
  }

  function wake(): void {
    if (stopped) return;
    if (filling) {
      fillAgain = true;
      return;
    }
    filling = fillLoop().finally(() => {
      filling = null;
    });
  }

  function dropListener(err: unknown): void {
    if (listenClient) {
      // Destroy rather than return a connection that is LISTENing or broken.
      listenClient.release(err instanceof Error ? err : true);
      listenClient = null;
    }
    if (!stopped) {
      log.warn({ err }, "LISTEN connection lost; reconnecting (polling meanwhile)");
      reconnectTimer = setTimeout(() => void listen(), RECONNECT_MS);
    }
  }

  async function listen(): Promise<void> {
    if (stopped) return;
    let client: pg.PoolClient | undefined;
    try {
      client = await pool.connect();
      listenClient = client;
      // Without a listener a checked-out client's error event would crash the process.
      const own = client;
      client.on("error", (err) => {
        if (listenClient === own) dropListener(err);
      });
      client.on("notification", () => wake());
      const { rows } = await client.query<{ schema: string }>("select current_schema() as schema");
      const channel = EVENTS_CHANNEL_PREFIX + rows[0].schema;
      await client.query(`listen "${channel.replace(/"/g, '""')}"`);
      // This connection's backend stands for the worker: when the process dies, PostgreSQL ends the backend and other
      // workers take this one's claims over at once instead of after the lease.
      await registerWorkerSession(client, workerId).catch((err: unknown) => log.warn({ err }, "could not register the worker session; a crash here waits out the lease"));
      if (stopped) return dropListener(null);
      // Anything inserted while we were not listening.
      wake();
    } catch (err) {
      if (client && listenClient === client) dropListener(err);
      else if (!stopped) reconnectTimer = setTimeout(() => void listen(), RECONNECT_MS);
    }
  }

  const poll = setInterval(wake, opts.pollIntervalMs);
  void listen();
  wake();
  log.info({ concurrency, lease_seconds: leaseSeconds }, "worker started");

  return {
    workerId,
    wake,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(poll);
      clearTimeout(reconnectTimer);
      if (filling) await filling;
      await Promise.allSettled([...inFlight]);
      await removeWorkerSession(pool, workerId).catch((err: unknown) => log.warn({ err }, "could not remove the worker session"));
      if (listenClient) {
        listenClient.release(true);
        listenClient = null;
      }
      log.info("worker stopped");
    },
  };
}
