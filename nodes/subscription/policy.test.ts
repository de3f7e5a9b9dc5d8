// Subscription policy table: a row per request kind and subscription state (active, past_due with a failing invoice,
// unpaid, paused, pending update, scheduled, canceled), against the example catalog (Basic, Pro, Enterprise). Every
// request row starts from the customer's message as the supervisor would hand it on (with its understanding), and
// checks what the guard then does with the proposal.
import { describe, expect, it } from "vitest";
import type Stripe from "stripe";
import { parsePolicyConfig, type PolicyConfigInput } from "../../domain/policy-config.js";
import * as f from "../fixtures.js";
import type { SpecialistInput } from "../proposal.js";
import { classifyRequest } from "../supervisor/classify-rules.js";
import { gatherSubscriptionContext } from "./context.js";
import { decideSubscription } from "./policy.js";
import { guard } from "../guard/guard.js";

const { NOW, DAY } = f;
const periodEnd = NOW + 10 * DAY;
/** A request as the supervisor routes it: classified and understood from its text by the rules. */
const say = (message: string, o: { subscription?: string } = {}): SpecialistInput => {
  const request = { id: "req_A", customer: "cus_A", message, ...o };
  return f.request(message, classifyRequest(request), o);
};
const failing = (o: Record<string, unknown> = {}) => f.invoice({ id: "in_fail", attempt_count: 2, created: NOW - 2 * DAY, ...o });

interface Row {
  name: string;
  input: SpecialistInput;
  sub?: Record<string, unknown> & { price?: Stripe.Price };
  subs?: Stripe.Subscription[];
  invoices?: Stripe.Invoice[];
  prices?: Stripe.Price[];
  schedule?: Stripe.SubscriptionSchedule;
  config?: PolicyConfigInput;
  action: string;
  params?: Record<string, unknown>;
  ambiguous?: RegExp;
  /** The guard's verdict on the proposal (default: ok for changes proposed for certain). */
  verdict?: "ok" | "needs_approval" | "downgraded";
  rationale?: RegExp;
}

const yearlyPro = f.price("price_pro_y", "Pro", 79000, { recurring: { interval: "year", interval_count: 1, usage_type: "licensed" }, lookup_key: "pro_yearly", nickname: "Pro yearly" });
const upgradeParams = { proration_behavior: "always_invoice", payment_behavior: "pending_if_incomplete" };
const rows: Row[] = [
  // Plan changes.
  { name: "upgrade Basic → Enterprise (the shared example) is billed now, and waits for the money", input: say("Please upgrade us to Enterprise."), action: "upgrade", params: { subscription: "sub_A", item: "si_A", price: "price_ent_m", ...upgradeParams }, rationale: /invoiced and charged at once.*plan stays/ },
  { name: "plan by lookup_key", input: say("switch me to pro"), action: "upgrade", params: { price: "price_pro_m" } },
  { name: "plan name with 'plan' and odd case", input: say("Can you move us to the PRO plan?"), action: "upgrade", params: { price: "price_pro_m" } },
  { name: "monthly and yearly Pro → the current interval wins", input: say("upgrade to Pro please"), prices: [...f.CATALOG, yearlyPro], action: "upgrade", params: { price: "price_pro_m" } },
  { name: "downgrade Enterprise → Basic at period end", input: say("Please downgrade us to Basic"), sub: { price: f.CATALOG[2] }, action: "downgrade", params: { price: "price_basic_m", effective_at: periodEnd, item: "si_A" } },
  { name: "switch to a cheaper plan is a downgrade", input: say("Move me to Basic"), sub: { price: f.CATALOG[1] }, action: "downgrade", params: { effective_at: periodEnd } },
  { name: "'downgrade' to a dearer plan follows the prices, flagged", input: say("downgrade me to Enterprise"), action: "upgrade", ambiguous: /costs more/, verdict: "needs_approval" },
  { name: "already on the plan → no change", input: say("upgrade me to Basic"), action: "no_change" },
  { name: "unknown plan → escalate", input: say("upgrade me to Platinum"), action: "escalate_to_support", ambiguous: /Platinum/ },
  { name: "no plan named → escalate", input: say("I want to upgrade"), action: "escalate_to_support" },
  { name: "configured catalog maps a name to a price", input: say("upgrade us to Team"), config: { catalog: { team: "price_pro_m" } }, action: "upgrade", params: { price: "price_pro_m" } },
  { name: "configured catalog hides prices not listed", input: say("upgrade us to Enterprise"), config: { catalog: { pro: "price_pro_m" } }, action: "escalate_to_support" },
  { name: "a pending schedule → escalate", input: say("downgrade me to Basic"), sub: { price: f.CATALOG[1], schedule: "sub_sched_A" }, schedule: { id: "sub_sched_A", object: "subscription_schedule", status: "active" } as unknown as Stripe.SubscriptionSchedule, action: "escalate_to_support" },
  { name: "upgrade on a past_due subscription → a person", input: say("Please upgrade us to Enterprise"), sub: { status: "past_due" }, invoices: [failing()], action: "escalate_to_support", rationale: /past_due/ },
  { name: "upgrade on an unpaid subscription → a person", input: say("Please upgrade us to Enterprise"), sub: { status: "unpaid" }, action: "escalate_to_support" },
  { name: "upgrade while a failing invoice is open (status still active) → a person", input: say("upgrade to Pro"), invoices: [failing()], action: "escalate_to_support" },
  { name: "upgrade while a pending update waits → a person", input: say("upgrade to Pro"), sub: { pending_update: { expires_at: NOW + 3600, subscription_items: [] } }, action: "escalate_to_support" },
  { name: "upgrade of an invoiced (send_invoice) subscription → a person", input: say("upgrade to Pro"), sub: { collection_method: "send_invoice" }, action: "escalate_to_support" },
  { name: "upgrade while paused → a person", input: say("upgrade to Pro"), sub: { pause_collection: { behavior: "void", resumes_at: NOW + 20 * DAY } }, action: "escalate_to_support" },

  // Cancellations.
  { name: "cancel → at period end", input: say("Please cancel my subscription"), action: "cancel_at_period_end", params: { subscription: "sub_A" } },
  { name: "don't want to renew → at period end", input: say("I don't want to renew next month"), action: "cancel_at_period_end" },
  { name: "cancel when already cancelling → no change", input: say("cancel my subscription"), sub: { cancel_at_period_end: true }, action: "no_change" },
  { name: "cancel now → cancel_immediately, invoicing pending prorations, for a person", input: say("Cancel my subscription immediately"), action: "cancel_immediately", params: { invoice_now: true, prorate: false }, verdict: "needs_approval" },
  { name: "cancel while past_due with a fresh failing renewal → now, voiding it, for a person", input: say("Please cancel my subscription"), sub: { status: "past_due" }, invoices: [failing()], action: "cancel_immediately", params: { open_invoice: "in_fail", open_invoice_action: "void", invoice_now: true, prorate: false }, verdict: "needs_approval", rationale: /keep charging/ },
  { name: "cancel while past_due with an old failing invoice → now, written off, for a person", input: say("Please cancel my subscription"), sub: { status: "past_due" }, invoices: [failing({ created: NOW - 20 * DAY })], action: "cancel_immediately", params: { open_invoice_action: "mark_uncollectible" }, verdict: "needs_approval" },
  { name: "cancel while unpaid with a failing invoice → now, for a person", input: say("end my membership"), sub: { status: "unpaid" }, invoices: [failing()], action: "cancel_immediately", verdict: "needs_approval" },
  { name: "cancel while past_due with two failing invoices → a person", input: say("cancel please"), sub: { status: "past_due" }, invoices: [failing(), failing({ id: "in_fail2", created: NOW - 40 * DAY })], action: "escalate_to_support" },
  { name: "cancel while past_due, no failing invoice found → a person", input: say("cancel my subscription"), sub: { status: "past_due" }, action: "escalate_to_support" },
  { name: "cancel a scheduled subscription → a person", input: say("cancel my subscription"), sub: { schedule: "sub_sched_A" }, schedule: { id: "sub_sched_A", object: "subscription_schedule", status: "active" } as unknown as Stripe.SubscriptionSchedule, action: "escalate_to_support" },
  { name: "request on a canceled subscription → no change", input: say("cancel my subscription"), sub: { status: "canceled" }, action: "no_change" },
  { name: "several subscriptions, none named → escalate", input: say("cancel my subscription"), subs: [f.subscription(), f.subscription({ id: "sub_B" })], action: "escalate_to_support" },
  { name: "named subscription among several → that one", input: say("cancel my subscription", { subscription: "sub_B" }), subs: [f.subscription(), f.subscription({ id: "sub_B" })], action: "cancel_at_period_end", params: { subscription: "sub_B" } },
  { name: "another customer's subscription named → a person, nothing of it is read", input: say("cancel my subscription", { subscription: "sub_B" }), subs: [f.subscription(), f.subscription({ id: "sub_B", customer: "cus_OTHER" })], action: "escalate_to_support", ambiguous: /another customer/ },

  // Pauses.
  { name: "pause for two months → resumes_at two months on, for a person", input: say("Please pause my subscription for two months"), action: "pause_collection", params: { behavior: "void", resumes_at: 1801656800 /* Feb 3, 2027: two calendar months */ }, verdict: "needs_approval", rationale: /What the customer keeps: the subscription stays active on Basic.*renewal invoice\(s\) in the pause/ },
  { name: "pause until a month → the first of that month", input: say("Can you put our account on hold until March?"), action: "pause_collection", params: { resumes_at: Date.UTC(2027, 2, 1) / 1000 }, verdict: "needs_approval" },
  { name: "pause without a length → one month, flagged", input: say("please pause my subscription"), action: "pause_collection", ambiguous: /no pause length/, verdict: "needs_approval" },
  { name: "pause while past_due → a person", input: say("pause my subscription for a month"), sub: { status: "past_due" }, invoices: [failing()], action: "escalate_to_support" },
  { name: "pause when already paused → no change", input: say("pause my subscription for a month"), sub: { pause_collection: { behavior: "void", resumes_at: NOW + 20 * DAY } }, action: "no_change" },

  // What was not asked for.
  { name: "don't cancel → a person, nothing changes", input: say("Please don't cancel my subscription"), action: "escalate_to_support" },
  { name: "why did you cancel? → a person", input: say("Why did you cancel my subscription??"), action: "escalate_to_support" },
  { name: "cancel the extra seat → a person, not a cancellation", input: say("Cancel the extra seat, not the whole subscription"), action: "escalate_to_support" },
  { name: "company name to Acme is not a plan change", input: say("Change my company name to Acme"), action: "escalate_to_support" },
  { name: "two asks → the first, for a person, both shown", input: say("Cancel my subscription and refund last month"), action: "cancel_at_period_end", verdict: "needs_approval", ambiguous: /several asks/ },

  // Events.
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
      invoices: r.invoices ?? [],
    };
    const config = parsePolicyConfig(r.config ?? {});
    const ctx = await gatherSubscriptionContext(f.memoryReads(world), r.input, f.history(), NOW);
    const decision = decideSubscription(ctx, config);
    expect(decision.action).toBe(r.action);
    if (r.params) expect(decision.params).toMatchObject(r.params);
    if (r.ambiguous) expect(decision.ambiguous).toMatch(r.ambiguous);
    if (r.rationale) expect(decision.rationale).toMatch(r.rationale);
    const passive = decision.action === "no_change" || decision.action === "escalate_to_support";
    expect(guard({ domain: "subscription", decision, context: ctx, config }).verdict).toBe(r.verdict ?? "ok");
    // Whatever was proposed passes the guard's schema: a person who accepts it gets what the policy meant.
    if (!passive) expect(guard({ domain: "subscription", decision, context: ctx, config, approved: true }).verdict).toBe("ok");
  });

  it("reads the period end from the item (API 2026-10-28), not the subscription", async () => {
    const ctx = await gatherSubscriptionContext(f.memoryReads({ subscriptions: [f.subscription()], prices: f.CATALOG }), say("upgrade to Pro", { subscription: "sub_A" }), f.history(), NOW);
    expect(ctx.items[0]).toMatchObject({ id: "si_A", price: "price_basic_m", currentPeriodEnd: periodEnd, monthlyAmount: 2900 });
    expect(ctx.catalog.map((c) => c.productName)).toEqual(["Basic", "Pro", "Enterprise"]);
  });

  it("reads only the subscription's own open invoices", async () => {
    const other = f.invoice({ id: "in_other", parent: { type: "subscription_details", quote_details: null, subscription_details: { subscription: "sub_B", metadata: {} } } });
    const ctx = await gatherSubscriptionContext(f.memoryReads({ subscriptions: [f.subscription()], prices: f.CATALOG, invoices: [failing(), other] }), say("cancel", { subscription: "sub_A" }), f.history(), NOW);
    expect(ctx.openInvoices.map((i) => i.id)).toEqual(["in_fail"]);
  });
});
