// Policy config parsing: defaults, partial nested overrides as scenario files write them, and typos rejected.
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY_CONFIG, parsePolicyConfig } from "./policy-config.js";
import { thresholdFor, thresholdInput } from "./money-threshold.js";

describe("parsePolicyConfig", () => {
  it("defaults match DESIGN.md", () => {
    expect(thresholdFor(DEFAULT_POLICY_CONFIG.auto_refund_limit, "usd")).toBe(5000);
    expect(DEFAULT_POLICY_CONFIG).toMatchObject({
      network_retry_limits: { visa: 15, mastercard: 10, default: 15 },
      grace_days: 7,
      good_customer: { min_tenure_days: 180, min_paid_invoices: 3 },
    });
    expect(DEFAULT_POLICY_CONFIG.catalog).toBeUndefined();
  });
  it("a scenario's partial block overrides only what it names", () => {
    const c = parsePolicyConfig({ auto_refund_limit: 100, network_retry_limits: { amex: 8 }, good_customer: { min_tenure_days: 30 } });
    expect(thresholdFor(c.auto_refund_limit, "usd")).toBe(100);
    expect(c.network_retry_limits).toMatchObject({ visa: 15, amex: 8 });
    expect(c.good_customer).toEqual({ min_tenure_days: 30, min_paid_invoices: 3 });
  });
  it.each([
    [{ auto_refund_limt: 1 }], [{ auto_refund_limit: 12.5 }], [{ auto_refund_limit: -1 }], [{ catalog: { pro: 3 } }],
    [{ auto_refund_limit: { usd: "fifty" } }], [{ auto_refund_limit: { dollars: 50 } }], [{ auto_refund_limit: { jpy: "10.5" } }], [{ auto_refund_limit: { kwd: "1.2345" } }],
    [{ escalate_amount: { usd: -5 } }], [{ duplicate_window_hours: 24 }],
    // The operator's own dispute texts: a typo, a non-web terms link, an empty text or a third kind of sale is refused.
    [{ merchant_policies: { refund_polcy: "x" } }], [{ merchant_policies: { terms_url: "javascript:alert(1)" } }], [{ merchant_policies: { terms_url: "example.com/terms" } }],
    [{ merchant_policies: { refund_policy: "  " } }], [{ merchant_policies: { merchandise_or_services: "goods" } }], [{ dispute_counter_fee: { usd: "fifteen" } }],
  ])("rejects %j", (bad) => {
    expect(() => parsePolicyConfig(bad)).toThrow();
  });
  it("dispute texts are unset unless the operator writes them; the counter fee is $15 and unset elsewhere", () => {
    expect(DEFAULT_POLICY_CONFIG.merchant_policies).toEqual({});
    expect(thresholdFor(DEFAULT_POLICY_CONFIG.dispute_counter_fee, "usd")).toBe(1500);
    expect(thresholdFor(DEFAULT_POLICY_CONFIG.dispute_counter_fee, "jpy")).toBe(0);
    const c = parsePolicyConfig({ merchant_policies: { refund_policy: " Refunds within 14 days. ", terms_url: "https://example.com/terms", merchandise_or_services: "services" }, dispute_counter_fee: { kwd: "4.500" } });
    expect(c.merchant_policies).toEqual({ refund_policy: "Refunds within 14 days.", terms_url: "https://example.com/terms", merchandise_or_services: "services" });
    expect(thresholdFor(c.dispute_counter_fee, "kwd")).toBe(4500);
  });
  it("null and undefined mean defaults", () => {
    expect(parsePolicyConfig(undefined)).toEqual(DEFAULT_POLICY_CONFIG);
    expect(parsePolicyConfig(null)).toEqual(DEFAULT_POLICY_CONFIG);
  });
});

describe("money thresholds per currency", () => {
  it.each([
    // [threshold as written, currency, minor units]
    [{ usd: 50, jpy: 7500, kwd: "15.000", default: 0 }, "usd", 5000],
    [{ usd: 50, jpy: 7500, kwd: "15.000", default: 0 }, "jpy", 7500],
    [{ usd: 50, jpy: 7500, kwd: "15.000", default: 0 }, "kwd", 15000],
    [{ usd: 50, jpy: 7500, kwd: "15.000", default: 0 }, "eur", 0],
    [{ USD: "49.99", default: "20" }, "usd", 4999],
    [{ default: "20" }, "jpy", 20],
    [{ default: "20.5" }, "jpy", 20],
    [{ default: "20.5" }, "bhd", 20500],
    [{ isk: 7000 }, "isk", 700000],
    [5000, "usd", 5000],
    [5000, "jpy", 5000],
    [5000, "kwd", 5000],
  ] as const)("%j in %s → %i", (t, c, minor) => {
    expect(thresholdFor(parsePolicyConfig({ auto_refund_limit: t as never }).auto_refund_limit, c)).toBe(minor);
  });
  it("the built-in limits are about $50 in each listed currency and 0 (a person) elsewhere", () => {
    const t = DEFAULT_POLICY_CONFIG.auto_refund_limit;
    expect([thresholdFor(t, "usd"), thresholdFor(t, "eur"), thresholdFor(t, "jpy"), thresholdFor(t, "kwd"), thresholdFor(t, "sek")]).toEqual([5000, 5000, 7500, 15000, 0]);
    expect(thresholdFor(DEFAULT_POLICY_CONFIG.escalate_amount, "usd")).toBe(100000);
  });
  it("round-trips through what a policy file says", () => {
    for (const t of [5000, { usd: "50.00", jpy: "7500", kwd: "15.000", default: "0" }]) {
      const parsed = parsePolicyConfig({ auto_refund_limit: t }).auto_refund_limit;
      expect(parsePolicyConfig({ auto_refund_limit: thresholdInput(parsed) }).auto_refund_limit).toEqual(parsed);
    }
  });
});
