// Policy config parsing: defaults, partial nested overrides as scenario files write them, and typos rejected.
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY_CONFIG, parsePolicyConfig } from "./policy-config.js";

describe("parsePolicyConfig", () => {
  it("defaults match DESIGN.md", () => {
    expect(DEFAULT_POLICY_CONFIG).toMatchObject({
      auto_refund_limit: 5000,
      network_retry_limits: { visa: 15, mastercard: 10, default: 15 },
      grace_days: 7,
      good_customer: { min_tenure_days: 180, min_paid_invoices: 3 },
    });
    expect(DEFAULT_POLICY_CONFIG.catalog).toBeUndefined();
  });
  it("a scenario's partial block overrides only what it names", () => {
    const c = parsePolicyConfig({ auto_refund_limit: 100, network_retry_limits: { amex: 8 }, good_customer: { min_tenure_days: 30 } });
    expect(c.auto_refund_limit).toBe(100);
    expect(c.network_retry_limits).toMatchObject({ visa: 15, amex: 8 });
    expect(c.good_customer).toEqual({ min_tenure_days: 30, min_paid_invoices: 3 });
  });
  it.each([[{ auto_refund_limt: 1 }], [{ auto_refund_limit: 12.5 }], [{ auto_refund_limit: -1 }], [{ catalog: { pro: 3 } }]])("rejects %j", (bad) => {
    expect(() => parsePolicyConfig(bad)).toThrow();
  });
  it("null and undefined mean defaults", () => {
    expect(parsePolicyConfig(undefined)).toEqual(DEFAULT_POLICY_CONFIG);
    expect(parsePolicyConfig(null)).toEqual(DEFAULT_POLICY_CONFIG);
  });
});
