// Write operations of the Stripe gateway: typed, each with the caller's deterministic idempotency key, errors mapped to values.
import Stripe from "stripe";
import { DEFAULT_RATE_LIMIT_RETRY, withRateLimitRetry, type RateLimitRetry } from "./rate-limit.js";

/** What a write came to. A decline or a refused request is an expected outcome (a value); outages throw. */
export type WriteResult<T> =
  | { ok: true; object: T; requestId: string | null; idempotencyKey: string }
  | {
      ok: false;
      kind: "card_declined" | "invalid_request";
      code: string | null;
      declineCode: string | null;
      adviceCode: string | null;
      message: string;
      requestId: string | null;
      idempotencyKey: string;
    };

/** A failure worth retrying later with the same key (5xx, 429, lock timeout, network). Thrown, so the inbox retries. */
export class StripeRetryableError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly requestId: string | null,
  ) {
    super(message);
    this.name = "StripeRetryableError";
  }
}

const KEY_PREFIX = "billops:";

/** Keys are `billops:` + case + basis (event or approval id) + action: a re-run repeats the key and Stripe acts once. */
export function idempotencyKey(caseKey: string, basis: string, action: string, part?: string): string {
  const key = `${KEY_PREFIX}${caseKey}:${basis}:${action}${part ? `:${part}` : ""}`;
  // Stripe accepts keys up to 255 characters; ids are short, but never send a key Stripe would refuse.
  return key.length <= 255 ? key : `${key.slice(0, 200)}:${hashShort(key)}`;
}

export function isBillopsKey(key: string | null | undefined): boolean {
  return typeof key === "string" && key.startsWith(KEY_PREFIX);
}

function hashShort(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(16);
}

async function callWith<T>(key: string, fn: (opts: Stripe.RequestOptions) => Promise<Stripe.Response<T>>, retry: RateLimitRetry): Promise<WriteResult<T>> {
  try {
    // A 429 is tried again here, with the same key; one still there after the retries throws (retryable) below.
    const res = await withRateLimitRetry(() => fn({ idempotencyKey: key }), retry);
    return { ok: true, object: res, requestId: res.lastResponse?.requestId ?? null, idempotencyKey: key };
  } catch (err) {
    if (!(err instanceof Stripe.errors.StripeError)) throw err;
    const status = err.statusCode ?? null;
    if (err.type === "StripeCardError") {
      return {
        ok: false,
        kind: "card_declined",
        code: err.code ?? null,
        declineCode: err.decline_code ?? null,
        adviceCode: err.advice_code ?? null,
        message: err.message,
        requestId: err.requestId ?? null,
        idempotencyKey: key,
      };
    }
    // 409 is a lock timeout or a request with the same key still in flight: both succeed when tried again later.
    const retryable =
      status === null || status >= 500 || status === 429 || status === 409 ||
      err.type === "StripeConnectionError" || err.type === "StripeAPIError" || err.type === "StripeRateLimitError";
    if (retryable) throw new StripeRetryableError(`${err.type}: ${err.message}`, status, err.requestId ?? null);
    return {
      ok: false,
      kind: "invalid_request",
      code: err.code ?? null,
      declineCode: null,
      adviceCode: null,
      message: err.message,
      requestId: err.requestId ?? null,
      idempotencyKey: key,
    };
  }
}

export interface StripeWrites {
  payInvoice(invoice: string, key: string): Promise<WriteResult<Stripe.Invoice>>;
  createRefund(p: { charge: string; amount: number; reason: Stripe.RefundCreateParams.Reason; metadata: Record<string, string> }, key: string): Promise<WriteResult<Stripe.Refund>>;
  updateDispute(dispute: string, p: { evidence: Stripe.DisputeUpdateParams.Evidence; submit: boolean; metadata: Record<string, string> }, key: string): Promise<WriteResult<Stripe.Dispute>>;
  closeDispute(dispute: string, key: string): Promise<WriteResult<Stripe.Dispute>>;
  updateSubscription(sub: string, p: Stripe.SubscriptionUpdateParams, key: string): Promise<WriteResult<Stripe.Subscription>>;
  cancelSubscription(sub: string, p: Stripe.SubscriptionCancelParams, key: string): Promise<WriteResult<Stripe.Subscription>>;
  createScheduleFromSubscription(sub: string, key: string): Promise<WriteResult<Stripe.SubscriptionSchedule>>;
  updateSchedule(schedule: string, p: Stripe.SubscriptionScheduleUpdateParams, key: string): Promise<WriteResult<Stripe.SubscriptionSchedule>>;
  voidInvoice(invoice: string, key: string): Promise<WriteResult<Stripe.Invoice>>;
  markInvoiceUncollectible(invoice: string, key: string): Promise<WriteResult<Stripe.Invoice>>;
}

export function createStripeWrites(stripe: Stripe, opts: { rateLimitRetry?: RateLimitRetry } = {}): StripeWrites {
  const retry = opts.rateLimitRetry ?? DEFAULT_RATE_LIMIT_RETRY;
  const call = <T>(key: string, fn: (opts: Stripe.RequestOptions) => Promise<Stripe.Response<T>>) => callWith(key, fn, retry);
  return {
    payInvoice: (invoice, key) => call(key, (o) => stripe.invoices.pay(invoice, {}, o)),
    createRefund: (p, key) => call(key, (o) => stripe.refunds.create({ charge: p.charge, amount: p.amount, reason: p.reason, metadata: p.metadata }, o)),
    updateDispute: (dispute, p, key) =>
      call(key, (o) => stripe.disputes.update(dispute, { evidence: p.evidence, submit: p.submit, metadata: p.metadata }, o)),
    closeDispute: (dispute, key) => call(key, (o) => stripe.disputes.close(dispute, {}, o)),
    updateSubscription: (sub, p, key) => call(key, (o) => stripe.subscriptions.update(sub, p, o)),
    cancelSubscription: (sub, p, key) => call(key, (o) => stripe.subscriptions.cancel(sub, p, o)),
    createScheduleFromSubscription: (sub, key) => call(key, (o) => stripe.subscriptionSchedules.create({ from_subscription: sub }, o)),
    updateSchedule: (schedule, p, key) => call(key, (o) => stripe.subscriptionSchedules.update(schedule, p, o)),
    voidInvoice: (invoice, key) => call(key, (o) => stripe.invoices.voidInvoice(invoice, {}, o)),
    markInvoiceUncollectible: (invoice, key) => call(key, (o) => stripe.invoices.markUncollectible(invoice, {}, o)),
  };
}
