// The subscription prompt for the model decider: the plan-change policy, the vocabulary, the subscription and the catalog; customer text quoted as data.
import type { PolicyConfig } from "../../domain/policy-config.js";
import { customerData, customerFacts, requestData, systemPrompt, userPrompt, vocabularyText, type PromptParts } from "../prompt-data.js";
import type { ProposedDecision } from "../proposal.js";
import type { SubscriptionContext } from "./context.js";
import { subscriptionParamsSchemas } from "./schema.js";

const POLICY = [
  "Decide on the subscription's state: its status, open invoices (attempt_count > 0 = failing), schedule, pending_update and pause.",
  "Upgrade (a dearer catalog plan) → upgrade now with proration_behavior always_invoice and payment_behavior pending_if_incomplete (the difference is billed now; a failed payment leaves the plan unchanged). Downgrade (a cheaper plan) → downgrade with effective_at = the item's current_period_end (a schedule; never now).",
  "Only prices in the catalog below, on the subscription's only item, in its currency and interval. A plan not in the catalog, several matching prices, no plan named, a multi-item subscription, a pending schedule or pending update, or a past_due/unpaid subscription → escalate_to_support. Already on that plan → no_change.",
  "Cancel → cancel_at_period_end (no_change if already set). Cancel now → cancel_immediately with invoice_now true, prorate false (a person decides). Cancel while past_due/unpaid with one failing open invoice → cancel_immediately plus open_invoice and open_invoice_action void (recent renewal) or mark_uncollectible (a person decides); never cancel_at_period_end then, which keeps Stripe retrying the refused invoice.",
  "Pause → pause_collection with behavior void and resumes_at = now + the length the customer asked for (a person decides; never open-ended).",
  "Ask only what the customer asked for: a negation (\"don't cancel\"), a question (\"how do I cancel?\") or another object (\"cancel the extra seat\") is not a request to cancel → escalate_to_support.",
  "A canceled subscription → no_change. customer.subscription.* events → no_change (recorded; dunning owns invoices).",
];

export function subscriptionPrompt(ctx: SubscriptionContext, proposal: ProposedDecision, config: PolicyConfig): PromptParts {
  const s = ctx.subscription;
  const facts = {
    now: ctx.now,
    trigger: ctx.trigger.kind === "event" ? { event: ctx.trigger.type, id: ctx.trigger.eventId } : { support_request: ctx.trigger.requestId },
    subscription: s ? { id: s.id, status: s.status, currency: s.currency, collection_method: s.collection_method, cancel_at_period_end: s.cancel_at_period_end, cancel_at: s.cancel_at ?? null, pause_collection: s.pause_collection ?? null, pending_update: s.pending_update ?? null, schedule: typeof s.schedule === "string" ? s.schedule : (s.schedule?.id ?? null) } : null,
    open_invoices: ctx.openInvoices.map((i) => ({ id: i.id, status: i.status, amount_remaining: i.amount_remaining, currency: i.currency, attempt_count: i.attempt_count, created: i.created, next_payment_attempt: i.next_payment_attempt })),
    foreign_subscription: ctx.foreignObject?.id ?? null,
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
    vocabulary: vocabularyText(subscriptionParamsSchemas, { downgrade: "effective_at = the item's currentPeriodEnd", cancel_immediately: "a person decides", pause_collection: "a person decides" }),
    approvals: ["cancel_immediately", "voiding or writing off an invoice", "pause_collection", "an 'upgrade' to a cheaper price", "a change while a schedule manages the subscription", "a plan change on a past_due or unpaid subscription", "anything on a support request that was not understood for certain"],
    config,
  });
  return { system, user: userPrompt(facts, { customer: customerData(ctx.customer), request: requestData(ctx.trigger) }, proposal) };
}
