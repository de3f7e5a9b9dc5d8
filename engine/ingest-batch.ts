// Group commit for webhook ingest: requests that arrive while a write is in flight are stored together in the next
// one, so a burst costs one commit (one WAL flush) per batch instead of one per event — and every 200 still means
// "durably stored".
import type pg from "pg";
import { insertEvents, type NewEvent } from "./inbox/index.js";

interface Waiting {
  event: NewEvent;
  resolve(stored: boolean): void;
  reject(err: unknown): void;
}

export function createIngestBatcher(pool: pg.Pool, opts: { maxBatch?: number; maxInFlight?: number } = {}) {
  const maxBatch = opts.maxBatch ?? 200;
  // Two writes in flight keep the pipe full (one commits while the next is built) without flooding the pool.
  const maxInFlight = opts.maxInFlight ?? 2;
  let queue: Waiting[] = [];
  let inFlight = 0;

  const flush = () => {
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      inFlight++;
      insertEvents(pool, batch.map((w) => w.event))
        .then((stored) => batch.forEach((w, i) => w.resolve(stored[i])))
        .catch((err) => batch.forEach((w) => w.reject(err)))
        .finally(() => {
          inFlight--;
          flush();
        });
    }
  };

  return {
    /** Resolves once the event is committed: true if this call stored it, false for a duplicate. */
    store(event: NewEvent): Promise<boolean> {
      return new Promise((resolve, reject) => {
        queue.push({ event, resolve, reject });
        flush();
      });
    },
  };
}
