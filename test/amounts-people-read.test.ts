// Every amount a person or a bank reads is right in JPY (no minor unit), USD, EUR and KWD (three decimals): customer
// emails, dispute evidence, the inbox page (server and browser formatting agree), and the approval API end to end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatMoney } from "../domain/money.js";
import { DEFAULT_POLICY_CONFIG } from "../domain/policy-config.js";
import { render } from "../notifications/templates.js";
import { assembleEvidence } from "../nodes/dispute/evidence.js";
import { gatherDisputeContext } from "../nodes/dispute/context.js";
import * as f from "../nodes/fixtures.js";
import { money as inboxMoney } from "../server/inbox-page/facts.js";
import { INBOX_JS } from "../server/inbox-page/assets.js";
import { stripeExponent } from "../domain/money.js";
import { startStack, type Stack } from "./support/stack.js";

const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");
// [minor units, currency, what a person reads]
const AMOUNTS = [
  [4000, "jpy", "¥4,000"],
  [4980, "jpy", "¥4,980"],
  [4000, "usd", "$40.00"],
  [4980, "usd", "$49.80"],
  [4000, "eur", "€40.00"],
  [1550, "eur", "€15.50"],
  [4000, "kwd", "KWD 4.000"],
  [1250, "kwd", "KWD 1.250"],
] as const;

describe("what people read", () => {
  it.each(AMOUNTS)("the refund email for %i %s says %s", (amount, currency, text) => {
    const m = render("refund_issued", { customerName: "Ada", amount, currency });
    expect(nbsp(m.body)).toContain(text);
    // The old bug: ¥4,000 shown as ¥40, KWD 4.000 as KWD 40.00.
    expect(nbsp(m.body)).not.toMatch(/¥40(?!,)|KWD 40\.00/);
  });

  it.each(AMOUNTS)("dispute evidence for a %i %s charge tells the bank %s", async (amount, currency, text) => {
    const charge = f.chargeObj({ amount, amount_captured: amount, currency, disputed: true });
    const w: f.World = { customers: [f.customer()], charges: [charge], disputes: [f.dispute({ amount, currency, reason: "product_not_received" })] };
    const ctx = await gatherDisputeContext(f.memoryReads(w), f.event("charge.dispute.created", { id: "dp_A", object: "dispute" }), f.history(), f.NOW);
    const evidence = JSON.stringify(assembleEvidence(ctx, DEFAULT_POLICY_CONFIG).evidence);
    expect(nbsp(evidence)).toContain(text);
  });

  it.each(AMOUNTS)("the inbox page shows %i %s as %s, on the server and in the browser alike", (amount, currency, text) => {
    expect(nbsp(inboxMoney(amount, currency))).toBe(text);
    // The page's own script formats edited amounts with the exponent the server gives it.
    const source = /function money\(minor, currency, exponent\) \{[\s\S]*?\n  \}/.exec(INBOX_JS)?.[0];
    expect(source, "INBOX_JS has money(minor, currency, exponent)").toBeTruthy();
    const browserMoney = new Function(`${source}; return money;`)() as (m: number, c: string, e: number) => string;
    expect(browserMoney(amount, currency, stripeExponent(currency))).toBe(formatMoney(amount, currency));
  });
});

describe("the approval API and the outbox, end to end", () => {
  let stack: Stack;
  const NOW = 1796300000;
  const charge = (id: string, currency: string, amount: number) => ({
    id, object: "charge", amount, amount_captured: amount, amount_refunded: 0, captured: true, currency, customer: "cus_P1", paid: true, refunded: false,
    disputed: false, status: "succeeded", created: NOW - 86400, description: "Order", receipt_email: "ada@example.com", metadata: {}, payment_intent: null,
    payment_method_details: { type: "card", card: { brand: "visa", last4: "4242", exp_month: 8, exp_year: 2028, country: "US", funding: "credit" } },
    billing_details: { email: "ada@example.com", name: "Ada", address: null }, livemode: false,
  });
  beforeAll(async () => {
    stack = await startStack({
      now: NOW,
      seed: { customers: [{ id: "cus_P1", object: "customer", email: "ada@example.com", name: "Ada", created: NOW - 400 * 86400 }], charges: [charge("ch_JPY", "jpy", 8000), charge("ch_KWD", "kwd", 16000), charge("ch_EUR", "eur", 6000)] },
      policy: { customer_refund_limit: { jpy: 100000, kwd: 100, eur: 1000 } },
    });
  });
  afterAll(() => stack?.stop());

  it.each([
    ["ch_JPY", "¥8,000", "¥7,500"],
    ["ch_KWD", "KWD 16.000", "KWD 15.000"],
    ["ch_EUR", "€60.00", "€50.00"],
  ])("a refund of %s above the limit: the person reads %s above %s, and the refund email says the same amount", async (id, amount, limit) => {
    const req = `req_${id}`;
    expect((await stack.api("POST", "/requests", { id: req, customer: "cus_P1", charge: id, message: "Please refund this order." })).status).toBe(202);
    await stack.quiet();
    const list = (await stack.api("GET", `/approvals?case=request:${req}`)).body.data as any[];
    expect(list).toHaveLength(1);
    const one = (await stack.api("GET", `/approvals/${list[0].id}`)).body;
    const shown = nbsp(JSON.stringify(one));
    expect(shown).toContain(amount);
    expect(shown).toContain(limit);
    expect((await stack.api("POST", `/approvals/${list[0].id}`, { type: "accept" })).status).toBe(200);
    await stack.quiet();
    const mail = ((await stack.api("GET", `/notifications?case=request:${req}`)).body.data as any[]).find((n) => n.template === "refund_issued");
    expect(nbsp(mail.body)).toContain(amount);
  });
});
