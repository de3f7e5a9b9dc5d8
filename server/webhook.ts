// POST /webhooks/stripe: verify the signature on the raw body, store the event once, answer at once.
import { Hono } from "hono";
import type pg from "pg";
import type Stripe from "stripe";
import type { Clock } from "../domain/clock.js";
import type { Logger } from "../telemetry/log.js";
import { createIngestBatcher, UnstorableEventError } from "../engine/ingest-batch.js";
import { refusedForItsData } from "../engine/inbox/index.js";
import { inboxEventOf } from "../engine/stripe-event.js";
import { jsonError } from "./http-error.js";
import { API_BODY_BYTES, limitBody } from "./limits.js";

export const MAX_WEBHOOK_BYTES = API_BODY_BYTES;
/** Stripe's recommended replay window; never verify without one. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;
export { BILLOPS_KEY_PREFIX } from "../engine/stripe-event.js";

export interface WebhookOptions {
  pool: pg.Pool;
  /** Used only for stripe.webhooks.constructEvent. */
  stripe: Stripe;
  webhookSecret: string;
  clock: Clock;
  /** Called after a new event is stored (an in-process worker wakes without waiting for NOTIFY). */
  onStored?: () => void;
  logger: Logger;
  /** What events from this Stripe account should say (gateway.expectedEvents); a mismatch is logged and counted. */
  expect?: { livemode: boolean; apiVersion: string };
  counters?: WebhookCounters;
  /** Told of each mismatch too (the metrics registry counts them). */
  onMismatch?: (field: "livemode" | "api_version") => void;
}

/** Signed events that did not say what this account's events say: stored and processed, but worth a person's look. */
export interface WebhookCounters {
  livemodeMismatches: number;
  apiVersionMismatches: number;
}

export const newWebhookCounters = (): WebhookCounters => ({ livemodeMismatches: 0, apiVersionMismatches: 0 });

/** An id fit for a log line: short, printable. */
const safeId = (s: string) => s.slice(0, 80).replace(/[^\x20-\x7e]/g, "?");

export function webhookRoutes(opts: WebhookOptions): Hono {
  const { pool, stripe, webhookSecret, clock, logger } = opts;
  const app = new Hono();
  const batcher = createIngestBatcher(pool, { logger });
  const counters = opts.counters ?? newWebhookCounters();

  /** Processed all the same (Stripe signed it), but a live event at a test endpoint, or the reverse, needs a person. */
  function noteMismatch(event: Stripe.Event) {
    if (!opts.expect) return;
    if (typeof event.livemode === "boolean" && event.livemode !== opts.expect.livemode) {
      counters.livemodeMismatches++;
      opts.onMismatch?.("livemode");
      logger.warn({ event_id: event.id, type: event.type, livemode: event.livemode, expected: opts.expect.livemode }, "webhook livemode does not match this Stripe account's mode");
    }
    const version = (event as { api_version?: unknown }).api_version;
    if (typeof version === "string" && version !== opts.expect.apiVersion) {
      counters.apiVersionMismatches++;
      opts.onMismatch?.("api_version");
      logger.warn({ event_id: event.id, type: event.type, api_version: version, expected: opts.expect.apiVersion }, "webhook api_version differs from the version billops reads");
    }
  }

  app.post("/webhooks/stripe", limitBody(MAX_WEBHOOK_BYTES), async (c) => {
    // The raw text, before anything parses it: the signature covers these exact bytes.
    const raw = await c.req.text();
    const signature = c.req.header("stripe-signature");
    if (!signature) return jsonError(c, 400, "signature_missing", "the Stripe-Signature header is missing");

    let event: Stripe.Event;
    try {
      // receivedAt is in milliseconds (stripe-node divides it by 1000); the clock gives seconds.
      event = stripe.webhooks.constructEvent(raw, signature, webhookSecret, SIGNATURE_TOLERANCE_SECONDS, undefined, clock.now() * 1000);
    } catch (err) {
      const message = (err as Error).message ?? "";
      // Branch on stripe-node's messages only to pick an error code for the caller; every case is a 400.
      const code = /tolerance/i.test(message)
        ? "signature_expired"
        : /unable to extract/i.test(message)
          ? "signature_malformed"
          : "signature_invalid";
      logger.warn({ code, reason: message.split("\n")[0] }, "webhook rejected");
      return jsonError(c, 400, code, message.split("\n")[0] || "invalid signature");
    }
    if (typeof event?.id !== "string" || typeof event?.type !== "string") {
      return jsonError(c, 400, "invalid_event", "a signed body that is not a Stripe event");
    }

    // The verified bytes are the event: stored as they came, without serializing the parsed copy again.
    const { route: routeName, ...stored } = inboxEventOf(event, raw);
    const route = { route: routeName, caseKey: stored.caseKey };
    const echo = stored.echo;
    noteMismatch(event);
    let inserted: boolean;
    try {
      inserted = await batcher.store(stored);
    } catch (err) {
      // A signed event the database cannot hold (a NUL in its id, an id of kilobytes, nesting thousands deep): this
      // event alone gets a 400; the events stored beside it got their 200. Anything else is an outage: 500.
      if (err instanceof UnstorableEventError || refusedForItsData(err)) {
        const message = err instanceof UnstorableEventError ? err.message : "the database refused this event's data";
        logger.warn({ event_id: safeId(event.id), type: safeId(event.type), err }, "webhook refused: unstorable event");
        return jsonError(c, 400, "unstorable_event", message, err instanceof UnstorableEventError ? { field: err.detail.field } : {});
      }
      throw err;
    }
    if (inserted) {
      logger.info({ event_id: event.id, case: route.caseKey, type: event.type, route: route.route, echo }, "webhook stored");
      if (route.route !== "ignore") opts.onStored?.();
    } else {
      logger.info({ event_id: event.id, case: route.caseKey }, "webhook duplicate");
    }
    return c.json({ received: true, duplicate: !inserted });
  });
  return app;
}
