// Subscription policy table: a row per request kind and per subscription event, against the example catalog (Basic, Pro, Enterprise).
import { describe, expect, it } from "vitest";
import type Stripe from "stripe";
import { parsePolicyConfig, type PolicyConfigInput } from "../../domain/policy-config.js";
import * as f from "../fixtures.js";
import type { SpecialistInput } from "../proposal.js";
import { gatherSubscriptionContext } from "./context.js";
import { decideSubscription } from "./policy.js";
import { guard } from "../guard/guard.js";

const { NOW, DAY } = f;
const periodEnd = NOW + 10 * DAY;
const req = (intent: string, target_plan?: string, o: { subscription?: string } = {}): SpecialistInput =>
  f.request("(text)", { route: "subscription", intent, params: target_plan ? { target_plan } : {} }, o);

interface Row {
  name: string;
  input: SpecialistInput;
  sub?: Record<string, unknown> & { price?: Stripe.Price };
  subs?: Stripe.Subscription[];
  prices?: Stripe.Price[];
  schedule?: Stripe.SubscriptionSchedule;
  config?: PolicyConfigInput;
  action: string;
  params?: Record<string, unknown>;
  ambiguous?: RegExp;
}

const yearlyPro = f.price("price_pro_y", "Pro", 79000, { recurring: { interval: "year", interval_count: 1, usage_type: "licensed" }, lookup_key: "pro_yearly", nickname: "Pro yearly" });
const rows: Row[] = [
  { name: "upgrade Basic → Enterprise (the shared example)", input: req("upgrade", "Enterprise"), action: "upgrade", params: { subscription: "sub_A", item: "si_A", price: "price_ent_m", proration_behavior: "create_prorations" } },
  { name: "plan by lookup_key", input: req("change_plan", "pro"), action: "upgrade", params: { price: "price_pro_m" } },
  { name: "plan name with 'plan' and odd case", input: req("change_plan", "the PRO plan"), action: "upgrade", params: { price: "price_pro_m" } },
  { name: "monthly and yearly Pro → the current interval wins", input: req("upgrade", "Pro"), prices: [...f.CATALOG, yearlyPro], action: "upgrade", params: { price: "price_pro_m" } },
  { name: "downgrade Enterprise → Basic at period end", input: req("downgrade", "Basic"), sub: { price: f.CATALOG[2] }, action: "downgrade", params: { price: "price_basic_m", effective_at: periodEnd, item: "si_A" } },
  { name: "switch to a cheaper plan is a downgrade", input: req("change_plan", "Basic"), sub: { price: f.CATALOG[1] }, action: "downgrade", params: { effective_at: periodEnd } },
  { name: "'downgrade' to a dearer plan follows the prices, flagged", input: req("downgrade", "Enterprise"), action: "upgrade", ambiguous: /costs more/ },
  { name: "already on the plan → no change", input: req("upgrade", "Basic"), action: "no_change" },
  { name: "unknown plan → escalate", input: req("upgrade", "Platinum"), action: "escalate_to_support", ambiguous: /Platinum/ },
  { name: "no plan named → escalate", input: req("upgrade"), action: "escalate_to_support" },
  { name: "configured catalog maps a name to a price", input: req("upgrade", "Team"), config: { catalog: { team: "price_pro_m" } }, action: "upgrade", params: { price: "price_pro_m" } },
  { name: "configured catalog hides prices not listed", input: req("upgrade", "Enterprise"), config: { catalog: { pro: "price_pro_m" } }, action: "escalate_to_support" },
  { name: "a pending schedule → escalate", input: req("downgrade", "Basic"), sub: { price: f.CATALOG[1], schedule: "sub_sched_A" }, schedule: { id: "sub_sched_A", object: "subscription_schedule", status: "active" } as unknown as Stripe.SubscriptionSchedule, action: "escalate_to_support" },
  { name: "cancel → at period end", input: req("cancel_at_period_end"), action: "cancel_at_period_end", params: { subscription: "sub_A" } },
  { name: "cancel when already cancelling → no change", input: req("cancel_at_period_end"), sub: { cancel_at_period_end: true }, action: "no_change" },
  { name: "cancel now → cancel_immediately (guard asks approval)", input: req("cancel_immediately"), action: "cancel_immediately" },
  { name: "pause → pause_collection void", input: req("pause"), action: "pause_collection", params: { behavior: "void" } },
  { name: "request on a canceled subscription → no change", input: req("cancel_at_period_end"), sub: { status: "canceled" }, action: "no_change" },
  { name: "several subscriptions, none named → escalate", input: req("cancel_at_period_end"), subs: [f.subscription(), f.subscription({ id: "sub_B" })], action: "escalate_to_support" },
  { name: "named subscription among several → that one", input: req("cancel_at_period_end", undefined, { subscription: "sub_B" }), subs: [f.subscription(), f.subscription({ id: "sub_B" })], action: "cancel_at_period_end", params: { subscription: "sub_B" } },
  { name: "unclear request → escalate", input: req("unclear"), action: "escalate_to_support" },
  { name: "customer.subscription.updated to past_due → no change (dunning owns it)", input: f.event("customer.subscription.updated", { id: "sub_A", object: "subscription", status: "active" }), sub: { status: "past_due" }, action: "no_change", params: { reason: expect.stringMatching(/past_due/) } },
  { name: "customer.subscription.deleted → no change", input: f.event("customer.subscription.deleted", { id: "sub_A", object: "subscription" }), sub: { status: "canceled" }, action: "no_change" },
  { name: "customer.subscription.trial_will_end → no change", input: f.event("customer.subscription.trial_will_end", { id: "sub_A", object: "subscription" }), sub: { status: "trialing" }, action: "no_change" },
];

describe("decideSubscription", () => {
  it.each(rows.map((r) => [r.name, r] as const))("%s", async (_n, r) => {
    const world: f.World = {
      customers: [f.customer()],
      subscriptions: r.subs ?? [f.subscription(r.sub)],
      prices: r.prices ?? f.CATALOG,
      subscription_schedules: r.schedule ? [r.schedule] : [],
    };
    const ctx = await gatherSubscriptionContext(f.memoryReads(world), r.input, f.history(), NOW);
    const decision = decideSubscription(ctx, parsePolicyConfig(r.config ?? {}));
    expect(decision.action).toBe(r.action);
    if (r.params) expect(decision.params).toMatchObject(r.params);
    expect(guard({ domain: "subscription", decision, context: ctx, config: parsePolicyConfig(r.config ?? {}) }).verdict).not.toBe("downgraded");
    if (r.ambiguous) expect(decision.ambiguous).toMatch(r.ambiguous);
  });

  it("a cancellation in a request that also asks for a refund waits for a person instead of running", async () => {
    const input = f.request("We cancelled last week. Please refund the $199.", { route: "subscription", intent: "cancel_at_period_end", params: {}, ambiguous: "also asks for a refund" });
    const ctx = await gatherSubscriptionContext(f.memoryReads({ customers: [f.customer()], subscriptions: [f.subscription()], prices: f.CATALOG }), input, f.history(), NOW);
    const decision = decideSubscription(ctx, parsePolicyConfig({}));
    expect(decision.action).toBe("cancel_at_period_end");
    expect(decision.ambiguous).toMatch(/refund/);
    expect(guard({ domain: "subscription", decision, context: ctx, config: parsePolicyConfig({}) }).verdict).toBe("needs_approval");
    const clear = decideSubscription(await gatherSubscriptionContext(f.memoryReads({ customers: [f.customer()], subscriptions: [f.subscription()], prices: f.CATALOG }), req("cancel_at_period_end"), f.history(), NOW), parsePolicyConfig({}));
    expect(guard({ domain: "subscription", decision: clear, context: ctx, config: parsePolicyConfig({}) }).verdict).toBe("ok");
  });

  it("reads the period end from the item (API 2026-10-28), not the subscription", async () => {
    const ctx = await gatherSubscriptionContext(f.memoryReads({ subscriptions: [f.subscription()], prices: f.CATALOG }), req("upgrade", "Pro", { subscription: "sub_A" }), f.history(), NOW);
    expect(ctx.items[0]).toMatchObject({ id: "si_A", price: "price_basic_m", currentPeriodEnd: periodEnd, monthlyAmount: 2900 });
    expect(ctx.catalog.map((c) => c.productName)).toEqual(["Basic", "Pro", "Enterprise"]);
  });
});
