// The subscription prompt for the model decider: the plan-change policy, the vocabulary, the subscription and the catalog; customer text quoted as data.
import type { PolicyConfig } from "../../domain/policy-config.js";
import { customerData, customerFacts, requestData, systemPrompt, userPrompt, vocabularyText, type PromptParts } from "../prompt-data.js";
import type { ProposedDecision } from "../proposal.js";
import type { SubscriptionContext } from "./context.js";
import { subscriptionParamsSchemas } from "./schema.js";

const POLICY = [
  "Upgrade (a dearer catalog plan) → upgrade now with proration_behavior create_prorations. Downgrade (a cheaper plan) → downgrade with effective_at = the item's current_period_end (a schedule; never now).",
  "Only prices in the catalog below, on the subscription's only item, in its currency and interval. A plan not in the catalog, several matching prices, no plan named, a multi-item subscription or a pending schedule → escalate_to_support. Already on that plan → no_change.",
  "Cancel → cancel_at_period_end (no_change if already set). Cancel now / immediately → cancel_immediately (a person decides). Pause → pause_collection with behavior void (a person decides).",
  "A canceled subscription → no_change. customer.subscription.* events → no_change (recorded; dunning owns invoices).",
];

export function subscriptionPrompt(ctx: SubscriptionContext, proposal: ProposedDecision, config: PolicyConfig): PromptParts {
  const s = ctx.subscription;
  const facts = {
    now: ctx.now,
    trigger: ctx.trigger.kind === "event" ? { event: ctx.trigger.type, id: ctx.trigger.eventId } : { support_request: ctx.trigger.requestId },
    subscription: s ? { id: s.id, status: s.status, currency: s.currency, cancel_at_period_end: s.cancel_at_period_end, pause_collection: s.pause_collection ?? null, schedule: typeof s.schedule === "string" ? s.schedule : (s.schedule?.id ?? null) } : null,
    live_subscriptions: ctx.liveSubscriptions,
    schedule: ctx.schedule ? { id: ctx.schedule.id, status: ctx.schedule.status } : null,
    items: ctx.items,
    catalog: ctx.catalog.map((c) => ({ price: c.price, product_name: c.productName, nickname: c.nickname, lookup_key: c.lookupKey, currency: c.currency, unit_amount: c.unitAmount, interval: c.interval, monthly_amount: c.monthlyAmount })),
    configured_catalog: config.catalog ?? null,
    customer: customerFacts(ctx.customer),
    history: { decisions: ctx.history.decisions.map((d) => d.action) },
  };
  const system = systemPrompt({
    role: "subscription specialist (plan changes, cancellations)",
    policy: POLICY,
    vocabulary: vocabularyText(subscriptionParamsSchemas, { downgrade: "effective_at = the item's currentPeriodEnd", cancel_immediately: "a person decides" }),
    approvals: ["cancel_immediately", "pause_collection", "an 'upgrade' to a cheaper price", "a change while a schedule manages the subscription"],
    config,
  });
  return { system, user: userPrompt(facts, { customer: customerData(ctx.customer), request: requestData(ctx.trigger) }, proposal) };
}
