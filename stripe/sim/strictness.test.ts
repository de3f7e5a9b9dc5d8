// The simulator refuses what Stripe refuses, through the official SDK: unknown parameters, bad expand paths and
// malformed values on every endpoint billops uses, with Stripe's codes and error bodies; test cards carry card details.
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTES, startSimulator, type Simulator } from "./index.js";
import { caught, sdk } from "./testkit.js";
import { routeShape, stripeApiSpec } from "./spec/index.js";

const NOW = 1796300000;
let sim: Simulator;
let stripe: Stripe;

beforeAll(async () => {
  sim = await startSimulator({ now: NOW });
  stripe = sdk(sim);
});
afterAll(() => sim.stop());


/** Stripe's form encoding (`a[b]=c`, `expand[0]=x`), for query strings. */
function encode(params: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(params).flatMap(([k, v]) => {
    const name = prefix ? `${prefix}[${k}]` : k;
    if (v !== null && typeof v === "object") return encode(v as Record<string, unknown>, name);
    return [`${encodeURIComponent(name)}=${encodeURIComponent(String(v))}`];
  });
}

/** The SDK's raw request; its GET and DELETE take parameters in the query string, as the SDK's own methods send them. */
function call(method: string, path: string, params: Record<string, unknown>, opts?: { idempotencyKey?: string }) {
  if (method === "POST") return stripe.rawRequest(method, path, params as any, opts);
  return stripe.rawRequest(method, `${path}?${encode(params).join("&")}`, undefined, opts);
}

/** Every route Stripe's types describe, with made-up ids: parameters are checked before anything is looked up. */
const checked = ROUTES.filter((r) => stripeApiSpec().endpoints[routeShape(r.method, r.path)]).map((r) => ({ route: `${r.method} ${r.path}`, method: r.method, path: r.path.replace(/:(\w+)/g, "x_$1_missing") }));

describe("unknown parameters and expand, on every endpoint", () => {
  it("covers the endpoints billops uses", () => {
    expect(checked.length).toBeGreaterThanOrEqual(60);
    for (const must of ["POST /v1/refunds", "POST /v1/invoices/:id/pay", "POST /v1/disputes/:id", "POST /v1/subscriptions/:id", "DELETE /v1/subscriptions/:id", "GET /v1/invoice_payments", "GET /v1/events"]) {
      expect(checked.map((c) => c.route)).toContain(must);
    }
  });

  it.each(checked)("$route: a misspelled parameter is 400 parameter_unknown naming it; nothing is written", async ({ method, path }) => {
    const before = sim.log.writes().filter((w) => w.status === 200).length;
    const err = await caught(call(method, path, { metdata: { a: "b" } }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe("parameter_unknown");
    expect(err.param).toBe("metdata");
    expect(err.message).toBe("Received unknown parameter: metdata");
    expect(err.raw.doc_url).toBe("https://docs.stripe.com/error-codes/parameter-unknown");
    expect(sim.log.writes().filter((w) => w.status === 200).length).toBe(before);
  });

  it.each(checked)("$route: an expand path that is not there is 400 as Stripe words it", async ({ route, method, path }) => {
    const err = await caught(call(method, path, { expand: ["no_such_property"] }));
    expect(err.statusCode).toBe(400);
    if (!stripeApiSpec().endpoints[routeShape(method, route.split(" ")[1]!)]!.params.object?.expand) {
      expect(err).toMatchObject({ code: "parameter_unknown", param: "expand" }); // this endpoint takes no expand at all
      return;
    }
    expect(err.type).toBe("StripeInvalidRequestError");
    expect(err.message).toMatch(/^This property cannot be expanded \((data\.)?no_such_property\)\.$/);
    expect(err.code).toBeUndefined();
  });
});

describe("values Stripe refuses", () => {
  it("a nested misspelling names the full parameter", async () => {
    const err = await caught(stripe.rawRequest("POST", "/v1/subscriptions/sub_x", { items: [{ id: "si_1", pricee: "price_1" }] }));
    expect(err).toMatchObject({ statusCode: 400, code: "parameter_unknown", param: "items[0][pricee]", message: "Received unknown parameter: items[0][pricee]" });
  });

  it.each([
    ["an integer as text", { amount: "abc" }, "parameter_invalid_integer", "amount", "Invalid integer: abc"],
    ["an integer with a fraction", { amount: "10.5" }, "parameter_invalid_integer", "amount", "Invalid integer: 10.5"],
    ["an integer as exponent", { amount: "1e3" }, "parameter_invalid_integer", "amount", "Invalid integer: 1e3"],
    ["an emptied integer", { amount: "" }, "parameter_invalid_empty", "amount", "You passed an empty string for 'amount'."],
  ])("POST /v1/refunds with %s: 400 %s", async (_label, params, code, param, message) => {
    const err = await caught(stripe.refunds.create({ charge: "ch_none", ...(params as any) }));
    expect(err).toMatchObject({ statusCode: 400, code, param });
    expect(err.message.startsWith(message)).toBe(true);
    expect(err.raw.doc_url).toBe(`https://docs.stripe.com/error-codes/${code.replace(/_/g, "-")}`);
  });

  it("an enum value Stripe lacks, a boolean that is not one, a hash where a string goes", async () => {
    expect(await caught(stripe.refunds.create({ charge: "ch_none", reason: "because" as any }))).toMatchObject({ statusCode: 400, param: "reason", message: "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer" });
    expect(await caught(stripe.rawRequest("POST", "/v1/subscriptions/sub_x", { cancel_at_period_end: "yes" }))).toMatchObject({ statusCode: 400, param: "cancel_at_period_end", message: "Invalid boolean: yes" });
    expect(await caught(stripe.rawRequest("POST", "/v1/subscriptions/sub_x", { proration_behavior: "sometimes" }))).toMatchObject({ statusCode: 400, param: "proration_behavior" });
    expect(await caught(stripe.rawRequest("POST", "/v1/customers", { email: { a: "b" } }))).toMatchObject({ statusCode: 400, param: "email" });
    expect(await caught(stripe.rawRequest("POST", "/v1/subscriptions/sub_x", { items: "price_1" }))).toMatchObject({ statusCode: 400, param: "items", message: "Invalid array" });
  });

  it("expand: list endpoints want data.…, depth is limited to four, nested paths follow Stripe's objects", async () => {
    const err = await caught(stripe.prices.list({ expand: ["product"] }));
    expect(err.message).toBe("This property cannot be expanded (product). You may want to try expanding 'data.product' instead.");
    expect((await stripe.prices.list({ expand: ["data.product"] })).object).toBe("list");
    expect(await caught(stripe.invoicePayments.list({ expand: ["data.payment"] }))).toMatchObject({ statusCode: 400 });
    expect(await caught(stripe.charges.retrieve("ch_x", { expand: ["a.b.c.d.e"] }))).toMatchObject({ statusCode: 400, message: expect.stringMatching(/more than 4 levels/) });
    // A valid path reaches the handler (which then finds no such charge).
    expect(await caught(stripe.charges.retrieve("ch_x", { expand: ["payment_intent.latest_charge", "customer"] }))).toMatchObject({ statusCode: 404, code: "resource_missing" });
  });

  it("error bodies leave out what Stripe leaves out: no null code, param or doc_url", async () => {
    for (const body of ["expand[]=nope", "amount=abc&charge=ch_1", ""]) {
      const res = await fetch(`${sim.url}/v1/refunds`, { method: "POST", headers: { authorization: "Bearer sk_test_x", "content-type": "application/x-www-form-urlencoded" }, body });
      expect(res.status).toBeGreaterThanOrEqual(400);
      const { error } = (await res.json()) as { error: Record<string, unknown> };
      expect(Object.entries(error).filter(([, v]) => v === null)).toEqual([]);
      expect(typeof error.message).toBe("string");
      expect(typeof error.type).toBe("string");
    }
  });

  it("a refused request keeps no idempotent result: the corrected request with the same key executes", async () => {
    const c = await stripe.customers.create({ email: "idem@example.com" });
    const key = "billops:strict:refused-then-fixed";
    expect(await caught(stripe.rawRequest("POST", `/v1/customers/${c.id}`, { nmae: "Ida" }, { idempotencyKey: key }))).toMatchObject({ code: "parameter_unknown" });
    const fixed = await stripe.customers.update(c.id, { name: "Ida" }, { idempotencyKey: key });
    expect(fixed.name).toBe("Ida");
  });

  it("accepts Stripe's real parameters billops' helpers send (no hand list to fall behind)", async () => {
    for (const [method, path, params] of [
      ["POST", "/v1/subscriptions/sub_x", { payment_behavior: "allow_incomplete", pause_collection: { behavior: "void", resumes_at: NOW + 86400 }, proration_behavior: "none", metadata: { case: "c" } }],
      ["DELETE", "/v1/subscriptions/sub_x", { invoice_now: true, prorate: false, cancellation_details: { comment: "by request" } }],
      ["POST", "/v1/disputes/dp_x", { submit: false, evidence: { uncategorized_text: "t", enhanced_evidence: { visa_compelling_evidence_3: { disputed_transaction: { customer_email_address: "a@b.c" } } } }, intended_submission_method: "manual" }],
      ["POST", "/v1/invoices/in_x/pay", { off_session: true, payment_method: "pm_x" }],
      ["POST", "/v1/refunds", { charge: "ch_x", amount: 100, reason: "requested_by_customer", metadata: { case: "c" }, expand: ["charge"] }],
    ] as const) {
      const err = await caught(call(method, path, params as any));
      expect(err.statusCode, `${method} ${path}: ${err.message}`).toBe(404); // past the checks: the object is missing
    }
  });
});

describe("test cards carry card details", () => {
  it("pm_card_visa: brand, last4, a future expiry, checks, a stable fingerprint, funding, country", async () => {
    const a = await stripe.paymentMethods.create({ type: "card", card: { token: "tok_visa" } as any }).catch(() => null);
    const pm = await stripe.paymentMethods.retrieve((await stripe.paymentIntents.create({ amount: 1000, currency: "usd", payment_method: "pm_card_visa" })).payment_method as string);
    const again = await stripe.paymentMethods.retrieve((await stripe.paymentIntents.create({ amount: 1000, currency: "usd", payment_method: "pm_card_visa" })).payment_method as string);
    expect(pm.id).not.toBe(again.id);
    expect(pm.card).toMatchObject({ brand: "visa", last4: "4242", funding: "credit", country: "US", checks: { cvc_check: "pass" } });
    expect(pm.card!.exp_year * 12 + pm.card!.exp_month).toBeGreaterThan(new Date(NOW * 1000).getUTCFullYear() * 12 + new Date(NOW * 1000).getUTCMonth() + 1);
    expect(pm.card!.fingerprint).toBe(again.card!.fingerprint);
    const mc = await stripe.paymentMethods.retrieve((await stripe.paymentIntents.create({ amount: 1000, currency: "usd", payment_method: "pm_card_mastercard" })).payment_method as string);
    expect(mc.card).toMatchObject({ brand: "mastercard", last4: "4444" });
    expect(mc.card!.fingerprint).not.toBe(pm.card!.fingerprint);
    void a;
  });

  it("pm_sim_card_expired expired last month and declines expired_card; so does any stored card past its expiry", async () => {
    const c = await stripe.customers.create({ email: "exp@example.com" });
    const pm = await stripe.paymentMethods.attach("pm_sim_card_expired", { customer: c.id });
    const now = new Date(sim.clock.now() * 1000);
    expect(pm.card!.exp_year * 12 + pm.card!.exp_month).toBe(now.getUTCFullYear() * 12 + now.getUTCMonth()); // last month
    const err = await caught(stripe.paymentIntents.create({ amount: 2000, currency: "usd", customer: c.id, payment_method: pm.id, confirm: true, off_session: true }));
    expect(err).toMatchObject({ statusCode: 402, code: "expired_card", decline_code: "expired_card" });

    sim.seed({ customers: [{ id: "cus_old", email: "old@example.com" }], payment_methods: [{ id: "pm_old", customer: "cus_old", card: { brand: "amex", last4: "8431", exp_month: 1, exp_year: 2020 } }] } as any);
    const old = await caught(stripe.paymentIntents.create({ amount: 2000, currency: "usd", customer: "cus_old", payment_method: "pm_old", confirm: true, off_session: true }));
    expect(old).toMatchObject({ statusCode: 402, code: "expired_card" });
    const seeded = await stripe.paymentMethods.retrieve("pm_old");
    expect(seeded.card).toMatchObject({ brand: "amex", display_brand: "amex", checks: expect.any(Object), fingerprint: expect.any(String), funding: "credit" });
  });
});
