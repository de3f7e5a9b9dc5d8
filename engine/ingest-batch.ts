// Group commit for webhook ingest: requests that arrive while a write is in flight are stored together in the next
// one, so a burst costs one commit (one WAL flush) per batch instead of one per event — and every 200 still means
// "durably stored". One event the database refuses must not cost its neighbours their 200: an event that cannot be
// stored is refused before it joins a batch, and a batch that fails anyway is stored again one event at a time.
import type pg from "pg";
import type { Logger } from "../telemetry/log.js";
import { insertEvent, insertEvents, storableProblem, type NewEvent, type StorableProblem } from "./inbox/index.js";

interface Waiting {
  event: NewEvent;
  resolve(stored: boolean): void;
  reject(err: unknown): void;
}

/** The event holds something PostgreSQL would refuse (see inbox/storableEvent.ts); it is not stored. */
export class UnstorableEventError extends Error {
  constructor(readonly detail: StorableProblem) {
    super(detail.problem);
    this.name = "UnstorableEventError";
  }
}

export function createIngestBatcher(pool: pg.Pool, opts: { maxBatch?: number; maxInFlight?: number; logger?: Logger } = {}) {
  const maxBatch = opts.maxBatch ?? 200;
  // Two writes in flight keep the pipe full (one commits while the next is built) without flooding the pool.
  const maxInFlight = opts.maxInFlight ?? 2;
  let queue: Waiting[] = [];
  let inFlight = 0;

  /** After a failed batch: each event alone, in arrival order (so the first of two same-id deliveries stores it). */
  async function oneByOne(batch: Waiting[], batchError: unknown): Promise<void> {
    opts.logger?.warn({ err: batchError, events: batch.length }, "a batch of webhooks failed to store; storing them one by one");
    for (const w of batch) {
      try {
        w.resolve((await insertEvent(pool, w.event)).inserted);
      } catch (err) {
        w.reject(err);
      }
    }
  }

  const flush = () => {
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      inFlight++;
      insertEvents(pool, batch.map((w) => w.event))
        .then(
          (stored) => batch.forEach((w, i) => w.resolve(stored[i])),
          (err) => (batch.length === 1 ? batch[0]!.reject(err) : oneByOne(batch, err)),
        )
        .finally(() => {
          inFlight--;
          flush();
        });
    }
  };

  return {
    /**
     * Resolves once the event is committed: true if this call stored it, false for a duplicate. Rejects at once with
     * UnstorableEventError for an event the database would refuse, and with the database's error when it refused it.
     */
    store(event: NewEvent): Promise<boolean> {
      const problem = storableProblem(event);
      if (problem) return Promise.reject(new UnstorableEventError(problem));
      return new Promise((resolve, reject) => {
        queue.push({ event, resolve, reject });
        flush();
      });
    },
  };
}
