// billops' Prometheus metrics (prom-client): one registry per billops instance, the metrics every layer reports to,
// and small hooks that keep instrumentation out of the code paths it watches.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface Metrics {
  registry: Registry;
  webhooksReceived: Counter;
  webhooksRejected: Counter<"code">;
  webhookMismatches: Counter<"field">;
  inboxEvents: Gauge<"status">;
  inboxOldestAge: Gauge<"status">;
  eventsProcessed: Counter<"source">;
  eventAttemptsFailed: Counter<"source">;
  runDuration: Histogram<"source">;
  stripeRequests: Counter<"method" | "path" | "outcome">;
  stripeAttempts: Counter<"method" | "path">;
  stripeDuration: Histogram<"method" | "path">;
  approvalsPending: Gauge<"domain">;
  approvalsOldestAge: Gauge<"domain">;
  decisions: Counter<"domain" | "source">;
  modelCalls: Counter<"kind">;
  modelTokens: Counter<"kind">;
  modelFallbacks: Counter<"kind">;
}

/** A fresh registry with every billops metric; `processMetrics` adds Node's (CPU, memory, event loop) for a real process. */
export function createMetrics(opts: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    webhooksReceived: new Counter({ name: "billops_webhooks_received_total", help: "Stripe webhook deliveries received at /webhooks/stripe (accepted or not)", registers }),
    webhooksRejected: new Counter({ name: "billops_webhooks_rejected_total", help: "Stripe webhook deliveries refused, by error code (bad signature, too large, not an event)", labelNames: ["code"], registers }),
    webhookMismatches: new Counter({ name: "billops_webhook_mismatches_total", help: "Signed events processed though their livemode or api_version differ from this Stripe account's, by field", labelNames: ["field"], registers }),
    inboxEvents: new Gauge({ name: "billops_inbox_events", help: "Inbox events not done, by status (failed events block their case until a person retries or skips them)", labelNames: ["status"], registers }),
    inboxOldestAge: new Gauge({ name: "billops_inbox_oldest_event_age_seconds", help: "Age of the oldest inbox event in each open status", labelNames: ["status"], registers }),
    eventsProcessed: new Counter({ name: "billops_events_processed_total", help: "Inbox events run on their case thread, by source (stripe, request, schedule)", labelNames: ["source"], registers }),
    eventAttemptsFailed: new Counter({ name: "billops_event_attempts_failed_total", help: "Event runs that threw (retried with backoff, failed for good after the last attempt)", labelNames: ["source"], registers }),
    runDuration: new Histogram({
      name: "billops_event_run_duration_seconds",
      help: "Time to run one inbox event on its case thread (graph, Stripe calls, bookkeeping)",
      labelNames: ["source"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    stripeRequests: new Counter({ name: "billops_stripe_requests_total", help: "Stripe API requests by their final answer (after the SDK's own retries)", labelNames: ["method", "path", "outcome"], registers }),
    stripeAttempts: new Counter({ name: "billops_stripe_request_attempts_total", help: "Stripe API request attempts, retries included; attempts above requests are retries or dropped connections", labelNames: ["method", "path"], registers }),
    stripeDuration: new Histogram({ name: "billops_stripe_request_duration_seconds", help: "Stripe API request time to the final answer", labelNames: ["method", "path"], buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers }),
    approvalsPending: new Gauge({ name: "billops_approvals_pending", help: "Approvals waiting for a person, by domain", labelNames: ["domain"], registers }),
    approvalsOldestAge: new Gauge({ name: "billops_approvals_oldest_pending_age_seconds", help: "How long the oldest pending approval of each domain has waited (billops clock)", labelNames: ["domain"], registers }),
    decisions: new Counter({ name: "billops_decisions_total", help: "Decisions proposed by the decider, by domain and source (rules or llm)", labelNames: ["domain", "source"], registers }),
    modelCalls: new Counter({ name: "billops_model_calls_total", help: "Calls to the language model, by kind (decide, classify)", labelNames: ["kind"], registers }),
    modelTokens: new Counter({ name: "billops_model_tokens_total", help: "Tokens the language model used, by kind", labelNames: ["kind"], registers }),
    modelFallbacks: new Counter({ name: "billops_model_fallbacks_total", help: "Model answers replaced by the rules (error, timeout, invalid output), by kind", labelNames: ["kind"], registers }),
  };
}

/** What stripe-node's `request` and `response` events carry that the hooks read. */
interface StripeRequestEvent {
  method: string;
  path: string;
}
interface StripeResponseEvent extends StripeRequestEvent {
  status: number;
  elapsed: number;
}

// Stripe object id prefixes: a path segment starting with one is an id. Shape alone cannot tell them from resource
// names (test ids such as `in_demo_ada` look like `invoice_payments`).
const ID_SEGMENT = /^(acct|ba|card|ch|cs|cus|dp|du|evt|file|ii|il|in|inpay|ipi|issfr|pi|pm|po|price|prod|py|pyr|re|req|seti|si|src|sub|tok|tr|trr|txn)_./;

/** An API path as a label: object ids replaced (`/v1/invoices/in_1/pay` → `/v1/invoices/:id/pay`), the query left off. */
export function stripePathLabel(path: string): string {
  return path
    .split("?")[0]!
    .split("/")
    .map((seg) => (ID_SEGMENT.test(seg) ? ":id" : seg))
    .join("/");
}

/** Stripe's answer by kind: what an operator alerts on differs (429s and 5xx are Stripe's side, 402 the card's). */
export function stripeOutcome(status: number): string {
  if (status >= 200 && status < 300) return "ok";
  if (status === 402) return "card_error";
  if (status === 429) return "rate_limited";
  if (status === 409) return "conflict";
  if (status === 401 || status === 403) return "auth_error";
  if (status >= 400 && status < 500) return "invalid_request";
  return "server_error";
}

interface StripeEmitter {
  on(event: "request" | "response", handler: (e: any) => void): unknown;
  off(event: "request" | "response", handler: (e: any) => void): unknown;
}

/** Counts a Stripe client's requests through stripe-node's own events; returns how to stop. No gateway code changes. */
export function meterStripe(stripe: StripeEmitter, m: Metrics): () => void {
  const onRequest = (e: StripeRequestEvent) => m.stripeAttempts.inc({ method: e.method, path: stripePathLabel(e.path) });
  const onResponse = (e: StripeResponseEvent) => {
    const labels = { method: e.method, path: stripePathLabel(e.path) };
    m.stripeRequests.inc({ ...labels, outcome: stripeOutcome(e.status) });
    m.stripeDuration.observe(labels, Math.max(0, e.elapsed) / 1000);
  };
  stripe.on("request", onRequest);
  stripe.on("response", onResponse);
  return () => {
    stripe.off("request", onRequest);
    stripe.off("response", onResponse);
  };
}
