// The Stripe gateway: the only code that constructs or calls the `stripe` SDK.
import Stripe from "stripe";
import { createStripeReads, type StripeReads } from "./reads.js";
import { createStripeWrites, type StripeWrites } from "./writes.js";
import type { RateLimitRetry } from "./rate-limit.js";

export type { StripeReads } from "./reads.js";
export { DEFAULT_RATE_LIMIT_RETRY, type RateLimitRetry } from "./rate-limit.js";
export { idempotencyKey, isBillopsKey, StripeRetryableError, type StripeWrites, type WriteResult } from "./writes.js";

export interface Gateway {
  reads: StripeReads;
  writes: StripeWrites;
  /** For webhook signature checks only. */
  stripe: Stripe;
  /** What webhooks from this account should say: live keys get live events, and the SDK's pinned API version. */
  expectedEvents: { livemode: boolean; apiVersion: string };
}

export interface GatewayOptions {
  secretKey: string;
  /** The simulator's URL in offline mode, tests and evals; unset for real Stripe. */
  baseUrl?: string;
  maxNetworkRetries?: number;
  timeoutMs?: number;
  /** How long the plan catalog is reused (see ReadsOptions); default 60. */
  catalogTtlSeconds?: number;
  /** How 429s are retried (stripe-node does not); default DEFAULT_RATE_LIMIT_RETRY: 3 retries from 500 ms, at most 5 s apart. */
  rateLimitRetry?: RateLimitRetry;
}

export function createStripeClient(opts: GatewayOptions): Stripe {
  // No client telemetry: under load stripe-node's per-request metrics buffer fills and it prints "Request metrics
  // buffer is full" for every request after that, drowning the logs; the metrics only serve Stripe's own dashboards.
  const common = { maxNetworkRetries: opts.maxNetworkRetries ?? 2, timeout: opts.timeoutMs ?? 20_000, telemetry: false };
  if (!opts.baseUrl) return new Stripe(opts.secretKey, common);
  const u = new URL(opts.baseUrl);
  return new Stripe(opts.secretKey, {
    ...common,
    host: u.hostname,
    port: Number(u.port || (u.protocol === "https:" ? 443 : 80)),
    protocol: u.protocol.replace(":", "") as "http" | "https",
  });
}

export function createGateway(opts: GatewayOptions): Gateway {
  const stripe = createStripeClient(opts);
  return {
    stripe,
    reads: createStripeReads(stripe, { catalogTtlMs: (opts.catalogTtlSeconds ?? 60) * 1000, rateLimitRetry: opts.rateLimitRetry }),
    writes: createStripeWrites(stripe, { rateLimitRetry: opts.rateLimitRetry }),
    expectedEvents: { livemode: /^(sk|rk)_live_/.test(opts.secretKey), apiVersion: Stripe.API_VERSION },
  };
}
