// Shared types of the Stripe simulator: objects, seeds, request log entries, faults and webhook deliveries.
import type { Logger } from "pino";

/** A Stripe object as the simulator keeps it: plain JSON, shaped like API version 2026-10-28.endive. */
export type StripeObject = Record<string, any> & { id: string; object: string };

export const API_VERSION = "2026-10-28.endive";

/** The `stripe` block of a scenario file (SCENARIOS.md); every list is optional. */
export interface StripeSeed {
  customers?: Record<string, any>[];
  products?: Record<string, any>[];
  prices?: Record<string, any>[];
  payment_methods?: Record<string, any>[];
  subscriptions?: Record<string, any>[];
  subscription_schedules?: Record<string, any>[];
  invoices?: Record<string, any>[];
  invoice_payments?: Record<string, any>[];
  payment_intents?: Record<string, any>[];
  charges?: Record<string, any>[];
  refunds?: Record<string, any>[];
  disputes?: Record<string, any>[];
  early_fraud_warnings?: Record<string, any>[];
  events?: Record<string, any>[];
}

export interface LoggedRequest {
  id: string;
  method: string;
  path: string;
  /** Form (or query) parameters keyed by their encoded names exactly as sent, e.g. `items[0][price]`. */
  params: Record<string, string>;
  idempotencyKey: string | null;
  /** HTTP status sent; 0 when the connection was dropped before any response. */
  status: number;
  /** The id of the object the request created, changed or read. */
  objectId: string | null;
  /** Simulator clock (unix seconds). */
  time: number;
  /** True when the response was a stored idempotent response, not a new execution. */
  replayed: boolean;
  /** The id of the fault that hit this request, if any. */
  fault: string | null;
}

/**
 * A fault: matches requests by method and path (a regular expression over the path, e.g. `^/v1/refunds`), then
 * adds latency, answers with an error status instead of executing, or drops the connection before or after the
 * write is applied. `times` limits how many requests it hits (default: every matching request until removed).
 */
export interface FaultSpec {
  method?: string;
  path?: string;
  status?: 500 | 502 | 503 | 429 | 409 | number;
  /** Error code for status faults; 409 defaults to `lock_timeout`, 429 to `rate_limit`. */
  code?: string;
  message?: string;
  /** Seconds sent in a `Retry-After` header with a status fault (Stripe sends one with some 429s). */
  retryAfter?: number;
  latencyMs?: number;
  drop?: "before_write" | "after_write";
  times?: number;
  /** The share of matching requests hit (0 < rate ≤ 1), spread evenly (every 1/rate-th); the rest pass to later faults. */
  rate?: number;
}

export interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  attempt: number;
  url: string;
  status: number | null;
  ok: boolean;
  error: string | null;
  /** Simulator clock when the attempt was made; also the `t=` of its signature. */
  time: number;
  durationMs: number;
}

export interface WebhookEndpoint {
  url: string;
  secret: string;
}

export interface SimulatorOptions {
  port?: number;
  host?: string;
  now?: number;
  seed?: StripeSeed;
  webhook?: WebhookEndpoint | null;
  logger?: Logger;
  webhookRetry?: { maxAttempts?: number; baseDelayMs?: number };
}

/** Who caused a change: the API request (id and idempotency key) or nobody (clock, triggers, seeds). */
export interface RequestInfo {
  id: string | null;
  idempotency_key: string | null;
}
