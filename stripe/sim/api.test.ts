// The simulator through the official SDK: customers, payments and declines, refunds, idempotency, errors, faults.
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "./index.js";
import { caught, sdk } from "./testkit.js";

const NOW = 1796300000;
let sim: Simulator;
let stripe: Stripe;

beforeAll(async () => {
  sim = await startSimulator({ now: NOW });
  stripe = sdk(sim);
});
afterAll(() => sim.stop());


describe("customers", () => {
  it("creates, retrieves, lists and merges metadata", async () => {
    const c = await stripe.customers.create({ email: "ada@example.com", name: "Ada", metadata: { tier: "gold", keep: "yes" } });
    expect(c.id).toMatch(/^cus_/);
    expect(c.created).toBe(NOW);
    expect(c.invoice_settings.default_payment_method).toBeNull();
    const listed = await stripe.customers.list({ email: "ada@example.com" });
    expect(listed.data.map((x) => x.id)).toContain(c.id);
    const updated = await stripe.customers.update(c.id, { metadata: { tier: "", extra: "1" } });
    expect(updated.metadata).toEqual({ keep: "yes", extra: "1" });
  });

  it("paginates newest first with starting_after and has_more", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await stripe.customers.create({ email: `page${i}@example.com` })).id);
    const first = await stripe.customers.list({ limit: 2 });
    expect(first.data.map((c) => c.id)).toEqual([ids[4], ids[3]]);
    expect(first.has_more).toBe(true);
    const second = await stripe.customers.list({ limit: 2, starting_after: ids[3] });
    expect(second.data.map((c) => c.id)).toEqual([ids[2], ids[1]]);
    const before = await stripe.customers.list({ limit: 2, ending_before: ids[2] });
    expect(before.data.map((c) => c.id)).toEqual([ids[4], ids[3]]);
  });

  it("answers 404 resource_missing with a Request-Id", async () => {
    const err = await caught(stripe.customers.retrieve("cus_nope"));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe("resource_missing");
    expect(err.param).toBe("id");
    expect(err.requestId).toMatch(/^req_/);
  });
});

describe("payment intents and test cards", () => {
  it("succeeds with pm_card_visa: charge with outcome, expand latest_charge", async () => {
    const c = await stripe.customers.create({ email: "pay@example.com" });
    const pi = await stripe.paymentIntents.create({ amount: 4900, currency: "usd", customer: c.id, payment_method: "pm_card_visa", confirm: true, expand: ["latest_charge"] });
    expect(pi.status).toBe("succeeded");
    expect(pi.amount_received).toBe(4900);
    const ch = pi.latest_charge as Stripe.Charge;
    expect(ch.status).toBe("succeeded");
    expect(ch.outcome?.type).toBe("authorized");
    expect(ch.payment_method_details?.card?.last4).toBe("4242");
    const charges = await stripe.charges.list({ payment_intent: pi.id });
    expect(charges.data.map((x) => x.id)).toEqual([ch.id]);
  });

  it("declines pm_card_chargeDeclinedInsufficientFunds with a 402 StripeCardError", async () => {
    const err = await caught(
      stripe.paymentIntents.create({ amount: 2900, currency: "usd", payment_method: "pm_card_chargeDeclinedInsufficientFunds", confirm: true }),
    );
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(err.statusCode).toBe(402);
    expect(err.code).toBe("card_declined");
    expect(err.decline_code).toBe("insufficient_funds");
    expect(err.raw.advice_code).toBe("try_again_later");
    const pi = await stripe.paymentIntents.retrieve(err.payment_intent.id);
    expect(pi.status).toBe("requires_payment_method");
    expect(pi.last_payment_error?.decline_code).toBe("insufficient_funds");
    const ch = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(ch.status).toBe("failed");
    expect(ch.outcome?.reason).toBe("insufficient_funds");
    expect(ch.outcome?.type).toBe("issuer_declined");
  });

  it.each([
    ["pm_card_chargeDeclined", "card_declined", "generic_decline"],
    ["pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"],
    ["pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc"],
    ["pm_card_chargeDeclinedProcessingError", "processing_error", "processing_error"],
    ["pm_card_chargeDeclinedLostCard", "card_declined", "lost_card"],
    ["pm_card_chargeDeclinedStolenCard", "card_declined", "stolen_card"],
    ["pm_card_chargeDeclinedFraudulent", "card_declined", "fraudulent"],
    ["pm_card_chargeDeclinedVelocityLimitExceeded", "card_declined", "card_velocity_exceeded"],
  ])("%s declines with code %s / %s", async (pm, code, decline) => {
    const err = await caught(stripe.paymentIntents.create({ amount: 1000, currency: "usd", payment_method: pm, confirm: true }));
    expect(err.type).toBe("StripeCardError");
    expect(err.code).toBe(code);
    expect(err.decline_code).toBe(decline);
  });

  it("pm_card_authenticationRequired needs action on session and fails off session", async () => {
    const on = await stripe.paymentIntents.create({ amount: 1000, currency: "usd", payment_method: "pm_card_authenticationRequired", confirm: true });
    expect(on.status).toBe("requires_action");
    const c = await stripe.customers.create({});
    const pm = await stripe.paymentMethods.attach("pm_card_authenticationRequired", { customer: c.id });
    const err = await caught(
      stripe.paymentIntents.create({ amount: 1000, currency: "usd", customer: c.id, payment_method: pm.id, confirm: true, off_session: true }),
    );
    expect(err.code).toBe("authentication_required");
  });

  it("pm_sim_decline_first_2 declines twice, then succeeds", async () => {
    const c = await stripe.customers.create({});
    const pm = await stripe.paymentMethods.attach("pm_sim_decline_first_2", { customer: c.id });
    const statuses: string[] = [];
    for (let i = 0; i < 3; i++) {
      try {
        const pi = await stripe.paymentIntents.create({ amount: 1000, currency: "usd", customer: c.id, payment_method: pm.id, confirm: true });
        statuses.push(pi.status);
      } catch (err: any) {
        statuses.push(err.decline_code);
      }
    }
    expect(statuses).toEqual(["insufficient_funds", "insufficient_funds", "succeeded"]);
  });
});

describe("refunds", () => {
  it("allows two partial refunds and refuses an over-refund", async () => {
    const pi = await stripe.paymentIntents.create({ amount: 5000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    const r1 = await stripe.refunds.create({ payment_intent: pi.id, amount: 2000, reason: "requested_by_customer", metadata: { case: "charge:x" } });
    const r2 = await stripe.refunds.create({ charge: pi.latest_charge as string, amount: 1500 });
    expect([r1.status, r2.status]).toEqual(["succeeded", "succeeded"]);
    const ch = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(ch.amount_refunded).toBe(3500);
    expect(ch.refunded).toBe(false);
    const err = await caught(stripe.refunds.create({ charge: ch.id, amount: 1501 }));
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe("amount_too_large");
    expect((await stripe.refunds.list({ charge: ch.id })).data).toHaveLength(2);
    await stripe.refunds.create({ charge: ch.id });
    expect((await stripe.charges.retrieve(ch.id)).refunded).toBe(true);
    expect((await caught(stripe.refunds.create({ charge: ch.id }))).code).toBe("charge_already_refunded");
  });

  it("refuses to refund a disputed charge unless the dispute allows it", async () => {
    const pi = await stripe.paymentIntents.create({ amount: 3000, currency: "usd", payment_method: "pm_card_createDispute", confirm: true });
    const disputes = await stripe.disputes.list({ charge: pi.latest_charge as string });
    expect(disputes.data[0]?.status).toBe("needs_response");
    const err = await caught(stripe.refunds.create({ payment_intent: pi.id }));
    expect(err.code).toBe("charge_disputed");
  });
});

describe("Visa Compelling Evidence 3.0 on a dispute", () => {
  const priorOf = async (customer: string) => (await stripe.paymentIntents.create({ amount: 3000, currency: "usd", customer, payment_method: "pm_card_visa", confirm: true, metadata: { ip_address: "203.0.113.7" } })).latest_charge as string;
  const ip = "203.0.113.7";

  it("keeps Stripe's shape (every field, null when unset) and says qualified when two priors share an IP and the email", async () => {
    const c = await stripe.customers.create({ email: "ce3@example.com" });
    const [p1, p2] = [await priorOf(c.id), await priorOf(c.id)];
    const pi = await stripe.paymentIntents.create({ amount: 3000, currency: "usd", customer: c.id, payment_method: "pm_card_createDispute", confirm: true });
    const dp = (await stripe.disputes.list({ charge: pi.latest_charge as string })).data[0]!;
    const tx = { customer_purchase_ip: ip, customer_email_address: "ce3@example.com", product_description: "Pro plan" };
    const updated = await stripe.disputes.update(dp.id, {
      submit: false,
      evidence: { enhanced_evidence: { visa_compelling_evidence_3: { disputed_transaction: { ...tx, merchandise_or_services: "services" }, prior_undisputed_transactions: [{ charge: p1, ...tx }, { charge: p2, ...tx }] } } },
    });
    const ce3 = updated.evidence.enhanced_evidence.visa_compelling_evidence_3!;
    expect(ce3.disputed_transaction).toEqual({ customer_account_id: null, customer_device_fingerprint: null, customer_device_id: null, customer_email_address: "ce3@example.com", customer_purchase_ip: ip, merchandise_or_services: "services", product_description: "Pro plan", shipping_address: null });
    expect(ce3.prior_undisputed_transactions.map((t) => t.charge)).toEqual([p1, p2]);
    expect(updated.evidence_details.enhanced_eligibility.visa_compelling_evidence_3).toEqual({ required_actions: [], status: "qualified" });
    expect(updated.status).toBe("needs_response");
  });

  it("names what is missing, and refuses unknown charges, more than two priors and unknown fields", async () => {
    const c = await stripe.customers.create({ email: "ce3b@example.com" });
    const p1 = await priorOf(c.id);
    const pi = await stripe.paymentIntents.create({ amount: 3000, currency: "usd", customer: c.id, payment_method: "pm_card_createDispute", confirm: true });
    const dp = (await stripe.disputes.list({ charge: pi.latest_charge as string })).data[0]!;
    const partial = await stripe.disputes.update(dp.id, { submit: false, evidence: { enhanced_evidence: { visa_compelling_evidence_3: { disputed_transaction: { customer_purchase_ip: ip }, prior_undisputed_transactions: [{ charge: p1, customer_purchase_ip: ip }] } } } });
    expect(partial.evidence_details.enhanced_eligibility.visa_compelling_evidence_3).toEqual({
      status: "requires_action",
      required_actions: ["missing_merchandise_or_services", "missing_disputed_transaction_description", "missing_prior_undisputed_transactions", "missing_prior_undisputed_transaction_description", "missing_customer_identifiers"],
    });
    const ce3 = (prior: object[]) => ({ submit: false, evidence: { enhanced_evidence: { visa_compelling_evidence_3: { prior_undisputed_transactions: prior } } } }) as Stripe.DisputeUpdateParams;
    expect(await caught(stripe.disputes.update(dp.id, ce3([{ charge: "ch_nope" }])))).toMatchObject({ statusCode: 400, message: expect.stringMatching(/No such charge/) });
    expect(await caught(stripe.disputes.update(dp.id, ce3([{ charge: p1 }, { charge: p1 }, { charge: p1 }])))).toMatchObject({ statusCode: 400, message: expect.stringMatching(/exactly two/) });
    expect(await caught(stripe.disputes.update(dp.id, ce3([{ charge: pi.latest_charge as string }])))).toMatchObject({ statusCode: 400, message: expect.stringMatching(/disputed/) });
    expect(await caught(stripe.rawRequest("POST", `/v1/disputes/${dp.id}`, { evidence: { enhanced_evidence: { visa_compelling_evidence_3: { disputed_transaction: { merchandise_or_services: "gifts" } } } } }))).toMatchObject({ statusCode: 400 });
  });
});

describe("idempotency", () => {
  it("replays the stored response for the same key and params, refuses other params", async () => {
    const key = `case:test:${Date.now()}`;
    const a = await stripe.customers.create({ email: "idem@example.com" }, { idempotencyKey: key });
    const b = await stripe.customers.create({ email: "idem@example.com" }, { idempotencyKey: key });
    expect(b.id).toBe(a.id);
    expect(b.lastResponse.headers["idempotent-replayed"]).toBe("true");
    const err = await caught(stripe.customers.create({ email: "other@example.com" }, { idempotencyKey: key }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(err.statusCode).toBe(400);
    const logged = sim.log.writes().filter((w) => w.idempotencyKey === key);
    expect(logged.map((w) => [w.status, w.replayed])).toEqual([
      [200, false],
      [200, true],
      [400, false],
    ]);
  });

  it("replays errors with the same status", async () => {
    const key = `decline:${Date.now()}`;
    const params = { amount: 2900, currency: "usd", payment_method: "pm_card_chargeDeclined", confirm: true };
    const e1 = await caught(stripe.paymentIntents.create(params, { idempotencyKey: key }));
    const e2 = await caught(stripe.paymentIntents.create(params, { idempotencyKey: key }));
    expect([e1.statusCode, e2.statusCode]).toEqual([402, 402]);
    expect(e2.payment_intent.id).toBe(e1.payment_intent.id);
  });

  it("forgets keys after 24 hours of simulator time", async () => {
    const own = await startSimulator({ now: NOW });
    try {
      const s = sdk(own);
      const a = await s.customers.create({ email: "ttl@example.com" }, { idempotencyKey: "ttl" });
      await own.clock.advance(24 * 3600 + 1);
      const b = await s.customers.create({ email: "ttl@example.com" }, { idempotencyKey: "ttl" });
      expect(b.id).not.toBe(a.id);
    } finally {
      await own.stop();
    }
  });
});

describe("faults", () => {
  it("a dropped connection after the write: the SDK retries with the same key and exactly one object exists", async () => {
    const email = `drop-${Date.now()}@example.com`;
    const id = sim.faults.add({ method: "POST", path: "^/v1/customers$", drop: "after_write", times: 1 });
    const retrying = sdk(sim, 2);
    const c = await retrying.customers.create({ email });
    sim.faults.remove(id);
    const found = (await stripe.customers.list({ email, limit: 10 })).data;
    expect(found.map((x) => x.id)).toEqual([c.id]);
    const attempts = sim.log.writes().filter((w) => w.params.email === email);
    expect(attempts).toHaveLength(2);
    expect(attempts[0]!.idempotencyKey).toBe(attempts[1]!.idempotencyKey);
    expect(attempts[0]!.fault).toBe(id);
    expect(attempts[1]!.replayed).toBe(true);
  });

  it("a dropped connection before the write is retried and executes once", async () => {
    const email = `dropb-${Date.now()}@example.com`;
    sim.faults.add({ path: "^/v1/customers$", method: "POST", drop: "before_write", times: 1 });
    const c = await sdk(sim, 2).customers.create({ email });
    expect((await stripe.customers.list({ email })).data.map((x) => x.id)).toEqual([c.id]);
  });

  it("status faults: 500 api_error, 429 rate limit, 409 lock_timeout retried by the SDK", async () => {
    sim.faults.add({ path: "^/v1/customers/cus_", status: 500, times: 1 });
    expect(await caught(stripe.customers.retrieve("cus_any"))).toBeInstanceOf(Stripe.errors.StripeAPIError);
    sim.faults.add({ path: "^/v1/products$", status: 429, times: 1 });
    expect(await caught(stripe.products.list())).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    const c = await stripe.customers.create({ email: "lock@example.com" });
    sim.faults.add({ path: `^/v1/customers/${c.id}$`, method: "POST", status: 409, times: 1 });
    const updated = await sdk(sim, 1).customers.update(c.id, { name: "Locked" });
    expect(updated.name).toBe("Locked");
  });

  it.each([
    [0.5, 20, 10],
    [0.15, 20, 3],
    [0.15, 100, 15],
    [1, 7, 7],
  ])("rate %s: %s matching requests, %s hit, spread evenly; the others reach the next fault or the handler", async (rate, n, hits) => {
    const id = sim.faults.add({ method: "GET", path: "^/v1/products$", status: 503, rate });
    const backstop = sim.faults.add({ method: "GET", path: "^/v1/products$", status: 429, times: 1 });
    const outcomes: number[] = [];
    for (let i = 0; i < n; i++) outcomes.push(await stripe.products.list({ limit: 1 }).then(() => 200, (e: any) => e.statusCode));
    sim.faults.remove(id);
    sim.faults.remove(backstop);
    // The first request the rate fault lets pass meets the one-time 429 behind it, unless the rate hits everything.
    expect(outcomes.filter((s) => s === 503)).toHaveLength(hits);
    expect(outcomes.filter((s) => s === 429)).toHaveLength(rate === 1 ? 0 : 1);
    if (rate < 1) expect(outcomes.slice(0, Math.ceil(1 / rate) - 1)).not.toContain(503);
  });

  it("a rate outside (0, 1] is refused", () => {
    for (const rate of [0, -0.1, 1.5, Number.NaN]) expect(() => sim.faults.add({ status: 500, rate })).toThrow(/rate/);
  });

  it("latency is added", async () => {
    const id = sim.faults.add({ path: "^/v1/prices$", latencyMs: 120 });
    const t = performance.now();
    await stripe.prices.list({ limit: 1 });
    expect(performance.now() - t).toBeGreaterThanOrEqual(110);
    sim.faults.remove(id);
  });
});

describe("request log", () => {
  it("records writes with encoded params and the object id; GET query params too; control requests never", async () => {
    sim.log.clear();
    const prod = await stripe.products.create({ name: "Log", metadata: { case: "x" } });
    const price = await stripe.prices.create({ product: prod.id, unit_amount: 100, currency: "usd", recurring: { interval: "month" } });
    await stripe.prices.list({ product: prod.id, expand: ["data.product"] });
    await fetch(`${sim.url}/_sim/health`);
    const writes = sim.log.writes();
    expect(writes.map((w) => [w.method, w.path, w.objectId])).toEqual([
      ["POST", "/v1/products", prod.id],
      ["POST", "/v1/prices", price.id],
    ]);
    expect(writes[0]!.params["metadata[case]"]).toBe("x");
    expect(writes[1]!.params["recurring[interval]"]).toBe("month");
    const all = sim.log.all();
    expect(all).toHaveLength(3);
    expect(all[2]!.params["expand[0]"]).toBe("data.product");
    const res = await fetch(`${sim.url}/_sim/requests?writes=true`);
    expect(((await res.json()) as any).data).toHaveLength(2);
  });

  it("expands data.product on prices", async () => {
    const prod = await stripe.products.create({ name: "Expand" });
    await stripe.prices.create({ product: prod.id, unit_amount: 500, currency: "usd", recurring: { interval: "month" } });
    const prices = await stripe.prices.list({ product: prod.id, active: true, type: "recurring", expand: ["data.product"] });
    expect((prices.data[0]!.product as Stripe.Product).name).toBe("Expand");
  });
});
