// Retrying Stripe's 429s in the gateway: stripe-node retries connection errors, 409 and 5xx, but not a 429 (unless
// Stripe adds `Stripe-Should-Retry: true`), so without this every rate-limited request failed its whole event.
import Stripe from "stripe";
import { request } from "./call-site.js";

export interface RateLimitRetry {
  /** Retries after the first 429 (0 = none). */
  retries: number;
  /** First wait in ms, doubling per retry, with jitter. */
  baseMs: number;
  /** No wait longer than this, whatever Retry-After says: past it the event's own backoff takes over. */
  maxMs: number;
}

export const DEFAULT_RATE_LIMIT_RETRY: RateLimitRetry = { retries: 3, baseMs: 500, maxMs: 5_000 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long to wait before trying a 429 again, or null when it is not one to retry (another error, or retries used up). */
export function rateLimitDelay(err: unknown, retry: number, policy: RateLimitRetry): number | null {
  if (retry >= policy.retries) return null;
  if (!(err instanceof Stripe.errors.StripeError) || err.statusCode !== 429) return null;
  const headers = (err.headers ?? {}) as Record<string, string | undefined>;
  // Stripe says when a retry would be pointless; that wins over our own rule.
  if (headers["stripe-should-retry"] === "false") return null;
  const backoff = Math.min(policy.maxMs, policy.baseMs * 2 ** retry) * (0.5 + Math.random() / 2);
  const after = Number(headers["retry-after"]);
  return Number.isFinite(after) && after > 0 ? Math.min(policy.maxMs, Math.max(backoff, after * 1000)) : backoff;
}

/**
 * Starts a request (through `request`, call-site.ts) and starts it again after a 429, bounded, with backoff. A write
 * repeats its own idempotency key (the caller passes it in the request options), so Stripe acts once.
 */
export async function withRateLimitRetry<T>(start: () => Promise<T>, policy: RateLimitRetry): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await request(start);
    } catch (err) {
      const delay = rateLimitDelay(err, retry, policy);
      if (delay === null) throw err;
      await sleep(delay);
    }
  }
}
