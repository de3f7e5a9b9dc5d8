// POST /webhooks/stripe: verify the signature on the raw body, store the event once, answer at once.
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type pg from "pg";
import type Stripe from "stripe";
import type { Clock } from "../domain/clock.js";
import { routeEvent } from "../domain/routing.js";
import type { Logger } from "../telemetry/log.js";
import { createIngestBatcher } from "../engine/ingest-batch.js";
import { jsonError } from "./http-error.js";

export const MAX_WEBHOOK_BYTES = 1024 * 1024;
/** Stripe's recommended replay window; never verify without one. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;
/** billops' own idempotency keys start with this (stripe/gateway); events they cause are echoes. */
export const BILLOPS_KEY_PREFIX = "billops:";

export interface WebhookOptions {
  pool: pg.Pool;
  /** Used only for stripe.webhooks.constructEvent. */
  stripe: Stripe;
  webhookSecret: string;
  clock: Clock;
  /** Called after a new event is stored (an in-process worker wakes without waiting for NOTIFY). */
  onStored?: () => void;
  logger: Logger;
}

export function webhookRoutes(opts: WebhookOptions): Hono {
  const { pool, stripe, webhookSecret, clock, logger } = opts;
  const app = new Hono();
  const batcher = createIngestBatcher(pool);
  const tooLarge = (c: Parameters<typeof jsonError>[0]) =>
    jsonError(c, 413, "payload_too_large", `webhook bodies are limited to ${MAX_WEBHOOK_BYTES} bytes`);

  // A declared Content-Length is checked up front and the read stays within it; only a body without one (chunked)
  // goes through bodyLimit, which counts bytes as they stream — its web-stream wrapping halved ingest throughput
  // when every request paid for it.
  const streamedLimit = bodyLimit({ maxSize: MAX_WEBHOOK_BYTES, onError: tooLarge });
  const limit: MiddlewareHandler = async (c, next) => {
    const declared = c.req.header("content-length");
    if (declared === undefined) return streamedLimit(c, next);
    if (!/^\d+$/.test(declared) || Number(declared) > MAX_WEBHOOK_BYTES) return tooLarge(c);
    await next();
  };
  app.post("/webhooks/stripe", limit, async (c) => {
    // The raw text, before anything parses it: the signature covers these exact bytes.
    const raw = await c.req.text();
    if (Buffer.byteLength(raw, "utf8") > MAX_WEBHOOK_BYTES) return tooLarge(c);
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

    const route = routeEvent(event as unknown as { type: string; data: { object: any } });
    const idempotencyKey = (event.request as { idempotency_key?: string | null } | null)?.idempotency_key;
    const echo = typeof idempotencyKey === "string" && idempotencyKey.startsWith(BILLOPS_KEY_PREFIX);
    const inserted = await batcher.store({
      id: event.id,
      type: event.type,
      caseKey: route.caseKey,
      source: "stripe",
      payload: event,
      // The verified bytes are the event: stored as they came, without serializing the parsed copy again.
      payloadJson: raw,
      echo,
      ignored: route.route === "ignore",
    });
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
