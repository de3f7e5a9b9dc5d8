// GET /metrics: Prometheus text that the format's parser reads, behind a token, whose counters move as events flow —
// webhooks received and refused, events run and failed, Stripe requests by outcome, decisions, approvals waiting,
// and the inbox's depth per status.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { startStack, APPROVER_TOKEN, type Stack } from "./support/stack.js";
import { T0, operatorSeed } from "./support/operator-batch.js";
import { claimEvent, failEvent, insertEvent } from "../engine/inbox/index.js";

type Family = { name: string; help: string; type: string; metrics: { value?: string; labels?: Record<string, string>; count?: string; sum?: string; buckets?: Record<string, string> }[] };

let stack: Stack;

async function scrape(token: string | null = APPROVER_TOKEN): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${stack.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

/** The scrape parsed by the text format's parser, as name → family. */
async function metrics(): Promise<Map<string, Family>> {
  const { status, text } = await scrape();
  expect(status).toBe(200);
  return new Map((parsePrometheusTextFormat(text) as Family[]).map((f) => [f.name, f]));
}

/** A sample's value, 0 when the series does not exist yet (a labelled counter appears at its first increment). */
function value(m: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const family = m.get(name);
  expect(family, `metric ${name}`).toBeDefined();
  const sample = family!.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  if (!sample) return 0;
  return Number(sample.value ?? sample.count);
}
/** A counter's sum over all its series. */
const total = (m: Map<string, Family>, name: string) => (m.get(name)?.metrics ?? []).reduce((n, s) => n + Number(s.value), 0);

/** A histogram's observations over all its series, from its `_count` lines: the parser drops the labels of labelled histograms and merges them. */
async function observations(name: string): Promise<number> {
  const { text } = await scrape();
  return [...text.matchAll(new RegExp(`^${name}_count(?:\\{[^}]*\\})? (\\S+)$`, "gm"))].reduce((n, m) => n + Number(m[1]), 0);
}

const SCRAPER_TOKEN = "scraper-token-0123456789";

beforeAll(async () => {
  stack = await startStack({ now: T0, seed: operatorSeed(), metricsToken: SCRAPER_TOKEN });
});
afterAll(() => stack?.stop());

describe("GET /metrics", () => {
  it("needs a token, and answers in Prometheus' text format that its parser reads", async () => {
    expect((await scrape(null)).status).toBe(401);
    expect((await scrape("not-a-token-at-all-000")).status).toBe(401);
    // The scraper's own token opens /metrics and nothing else.
    expect((await scrape(SCRAPER_TOKEN)).status).toBe(200);
    expect((await stack.api("GET", "/approvals", undefined, SCRAPER_TOKEN)).status).toBe(401);
    expect((await stack.api("GET", "/activity", undefined, SCRAPER_TOKEN)).status).toBe(401);
    const { status, type, text } = await scrape();
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusTextFormat(text) as Family[];
    expect(families.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        "billops_webhooks_received_total",
        "billops_webhooks_rejected_total",
        "billops_inbox_events",
        "billops_inbox_oldest_event_age_seconds",
        "billops_events_processed_total",
        "billops_event_attempts_failed_total",
        "billops_event_run_duration_seconds",
        "billops_stripe_requests_total",
        "billops_approvals_pending",
        "billops_approvals_oldest_pending_age_seconds",
        "billops_model_calls_total",
        "billops_model_tokens_total",
        "billops_model_fallbacks_total",
      ]),
    );
    expect(families.find((f) => f.name === "billops_event_run_duration_seconds")!.type).toBe("HISTOGRAM");
    // Every sample line is `name{labels} value` (the parser is lenient about some of what Prometheus refuses).
    for (const line of text.split("\n").filter((l) => l && !l.startsWith("#"))) expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.e+Inf-]+$/);
  });

  it("moves its counters as webhooks, requests and Stripe calls flow", async () => {
    const before = await metrics();
    expect(value(before, "billops_webhooks_received_total")).toBe(0);

    // Stripe's own attempt on Cal's invoice fails (expired card): the simulator sends a signed webhook.
    await stack.gateway.stripe.invoices.pay("in_ops_c").catch(() => undefined);
    // A forged delivery: refused, nothing stored.
    const forged = await fetch(`${stack.url}/webhooks/stripe`, { method: "POST", headers: { "content-type": "application/json", "stripe-signature": "t=1,v1=00" }, body: "{}" });
    expect(forged.status).toBe(400);
    // Bea's €199 refund request waits for a person (above the $50 limit).
    expect((await stack.api("POST", "/requests", { id: "req_m_f", customer: "cus_ops_f", charge: "ch_ops_f", message: "Please refund me, I bought this by mistake." })).status).toBe(202);
    await stack.quiet();
    await stack.sim.clock.advance(3600);

    const after = await metrics();
    expect(value(after, "billops_webhooks_received_total")).toBeGreaterThanOrEqual(2);
    expect(value(after, "billops_webhooks_rejected_total", { code: "signature_malformed" }) + value(after, "billops_webhooks_rejected_total", { code: "signature_invalid" }) + value(after, "billops_webhooks_rejected_total", { code: "signature_expired" })).toBe(1);
    expect(value(after, "billops_events_processed_total", { source: "stripe" })).toBeGreaterThanOrEqual(1);
    expect(value(after, "billops_events_processed_total", { source: "request" })).toBe(1);
    expect(await observations("billops_event_run_duration_seconds")).toBe(total(after, "billops_events_processed_total") + total(after, "billops_event_attempts_failed_total"));
    expect(value(after, "billops_stripe_requests_total", { method: "GET", path: "/v1/charges/:id", outcome: "ok" })).toBeGreaterThanOrEqual(1);
    expect(value(after, "billops_decisions_total", { domain: "refund", source: "rules" })).toBe(1);
    expect(value(after, "billops_decisions_total", { domain: "dunning", source: "rules" })).toBeGreaterThanOrEqual(1);
    expect(value(after, "billops_approvals_pending", { domain: "refund" })).toBe(1);
    expect(value(after, "billops_approvals_oldest_pending_age_seconds", { domain: "refund" })).toBe(3600);
    expect(value(after, "billops_model_calls_total")).toBe(0);
    for (const status of ["pending", "running", "failed"]) expect(value(after, "billops_inbox_events", { status })).toBe(0);

    // Answered: nothing waits any more, and the gauge says 0 rather than keeping its last value.
    const pending = (await stack.api("GET", "/approvals")).body.data[0];
    expect((await stack.api("POST", `/approvals/${pending.id}`, { type: "response", reason: "no" })).status).toBe(200);
    expect(value(await metrics(), "billops_approvals_pending", { domain: "refund" })).toBe(0);
  });

  it("counts a failed attempt and Stripe's 500s, and the run that then succeeds", async () => {
    const before = await metrics();
    // Stripe fails the charge read three times: the SDK's two retries and the run's first attempt all see a 500.
    stack.sim.faults.add({ method: "GET", path: "^/v1/charges/ch_ops_e", status: 500, times: 3 });
    expect((await stack.api("POST", "/requests", { id: "req_m_e", customer: "cus_ops_e", charge: "ch_ops_e", message: "Please refund me, I bought this by mistake." })).status).toBe(202);
    await stack.quiet();
    const after = await metrics();
    expect(value(after, "billops_event_attempts_failed_total", { source: "request" }) - value(before, "billops_event_attempts_failed_total", { source: "request" })).toBe(1);
    expect(value(after, "billops_events_processed_total", { source: "request" }) - value(before, "billops_events_processed_total", { source: "request" })).toBe(1);
    expect(value(after, "billops_stripe_requests_total", { method: "GET", path: "/v1/charges/:id", outcome: "server_error" })).toBe(1);
    expect(value(after, "billops_stripe_request_attempts_total", { method: "GET", path: "/v1/charges/:id" }) - value(before, "billops_stripe_request_attempts_total", { method: "GET", path: "/v1/charges/:id" })).toBeGreaterThanOrEqual(4);
    expect(value(after, "billops_stripe_requests_total", { method: "POST", path: "/v1/refunds", outcome: "ok" })).toBe(1);
  });

  it("shows the inbox's depth and the age of its oldest event per status", async () => {
    await stack.billops.worker!.stop();
    for (const id of ["req_m_x", "req_m_y"]) {
      await insertEvent(stack.db.pool, { id, type: "billops.support_request", caseKey: `request:${id}`, source: "request", payload: { id, customer: "cus_ops_e", message: "hello", created: T0 } });
    }
    // One of them fails for good (the inbox's own claim and fail, as a worker would on its last attempt).
    const claimed = (await claimEvent(stack.db.pool, { workerId: "test", leaseSeconds: 60, maxAttempts: 1 }))!;
    expect((await failEvent(stack.db.pool, claimed.id, { workerId: "test", error: "boom", maxAttempts: 1 }))!.status).toBe("failed");
    const m = await metrics();
    expect(value(m, "billops_inbox_events", { status: "pending" })).toBe(1);
    expect(value(m, "billops_inbox_events", { status: "failed" })).toBe(1);
    expect(value(m, "billops_inbox_events", { status: "running" })).toBe(0);
    expect(value(m, "billops_inbox_oldest_event_age_seconds", { status: "pending" })).toBeGreaterThanOrEqual(0);
    expect(value(m, "billops_inbox_oldest_event_age_seconds", { status: "running" })).toBe(0);
  });
});
