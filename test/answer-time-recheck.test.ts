// A person's answer is checked against Stripe as it is when they answer, not as it was when they were asked: a refund
// on the charge since (someone in the Dashboard, another case) means the accept does not cover it — asked again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "./support/stack.js";

const NOW = 1796300000;

describe("the guard re-checks an answer against fresh Stripe data", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      now: NOW,
      seed: {
        customers: [{ id: "cus_T1", object: "customer", email: "ada@example.com", name: "Ada", created: NOW - 400 * 86400 }],
        charges: [{
          id: "ch_T1", object: "charge", amount: 9000, amount_captured: 9000, amount_refunded: 0, captured: true, currency: "usd", customer: "cus_T1",
          paid: true, refunded: false, disputed: false, status: "succeeded", created: NOW - 86400, description: "Order", metadata: {},
          payment_method_details: { type: "card", card: { brand: "visa", last4: "4242", exp_month: 8, exp_year: 2028, country: "US", funding: "credit" } },
        }],
      },
    });
  });
  afterAll(() => stack?.stop());

  const approvals = async () => (await stack.api("GET", "/approvals?status=all&case=request:req_T1")).body.data as any[];
  const refundsOf = (amount: string) => stack.sim.log.writes().filter((w) => w.path === "/v1/refunds" && (w.params as any)?.amount === amount);

  it("asks again when the charge had a refund since the question, and refunds only after the second answer", async () => {
    expect((await stack.api("POST", "/requests", { id: "req_T1", customer: "cus_T1", charge: "ch_T1", message: "Please refund $60 of this order." })).status).toBe(202);
    await stack.quiet();
    const [first] = await approvals();
    expect(first).toMatchObject({ status: "pending", action: "refund_partial" });

    // Meanwhile someone refunds $10 of the same charge outside this case (the Dashboard, another tool).
    await stack.gateway.stripe.refunds.create({ charge: "ch_T1", amount: 1000 });
    await stack.quiet();

    expect((await stack.api("POST", `/approvals/${first.id}`, { type: "accept" })).status).toBe(200);
    await stack.quiet();
    expect(refundsOf("6000")).toEqual([]);
    const all = await approvals();
    const again = all.find((a) => a.status === "pending");
    expect(all.find((a) => a.id === first.id)?.status).toBe("accepted");
    expect(again, "a new question with today's facts").toBeTruthy();
    const shown = JSON.stringify((await stack.api("GET", `/approvals/${again.id}`)).body);
    expect(shown).toMatch(/already had \$10\.00 refunded: a second refund on one charge needs a person/);
    expect(shown).toMatch(/would total \$70\.00, above the automatic limit \$50\.00/);

    // The person, now shown the refund since, accepts again: exactly one refund of $60.
    expect((await stack.api("POST", `/approvals/${again.id}`, { type: "accept" })).status).toBe(200);
    await stack.quiet();
    expect(refundsOf("6000")).toHaveLength(1);
  });
});
