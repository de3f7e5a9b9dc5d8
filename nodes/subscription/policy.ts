// Subscription policy: plan changes (upgrade now with prorations, downgrade at period end), cancellations and pauses from requests; events are recorded.
import type { SubscriptionAction } from "../../domain/actions.js";
import type { PolicyConfig } from "../../domain/policy-config.js";
import { escalate, type ProposedDecision } from "../proposal.js";
import { matchPlan, planCatalog } from "./catalog.js";
import type { SubscriptionContext } from "./context.js";
import { formatDate } from "../../domain/dates.js";

type D = ProposedDecision<SubscriptionAction>;

const ENDED = new Set(["canceled", "incomplete_expired"]);
const noChange = (reason: string, rationale = reason): D => ({ action: "no_change", params: { reason }, rationale, confidence: 1 });

export function decideSubscription(ctx: SubscriptionContext, config: PolicyConfig): D {
  const t = ctx.trigger;
  const sub = ctx.subscription;
  if (t.kind === "event") {
    // Subscription events are Stripe telling us what already happened; dunning owns unpaid invoices.
    if (!sub) return noChange(`${t.type}: subscription not found (deleted or not ours)`);
    return noChange(`${t.type}: subscription ${sub.id} is ${sub.status}${sub.cancel_at_period_end ? ", cancels at period end" : ""}`, "Recorded; nothing to change.");
  }

  const flagged = t.ambiguous ? { ambiguous: t.ambiguous } : {};
  // A request that also asks for something else ("we cancelled last week, please refund the $199") may describe the
  // past rather than ask for a change: a change it would trigger waits for a person (below min_auto_confidence).
  const sure = t.ambiguous ? 0.5 : 1;
  if (t.intent === "unclear") return { ...escalate(`support request ${t.requestId}: no clear subscription request`), ambiguous: t.ambiguous ?? "free text" };
  if (ctx.foreignObject) return { ...escalate(`support request ${t.requestId} names subscription ${ctx.foreignObject.id}, which belongs to another customer`), ambiguous: "subscription of another customer" };
  if (!sub) {
    return ctx.liveSubscriptions > 1
      ? { ...escalate(`customer has ${ctx.liveSubscriptions} subscriptions; the request does not say which`), ambiguous: "several subscriptions" }
      : escalate(`support request ${t.requestId}: no subscription found`);
  }
  if (ENDED.has(sub.status)) return noChange(`subscription ${sub.id} is already ${sub.status}`);

  switch (t.intent) {
    case "cancel_at_period_end":
      if (sub.cancel_at_period_end) return noChange(`subscription ${sub.id} already cancels at period end`);
      return { action: "cancel_at_period_end", params: { subscription: sub.id }, rationale: "The customer asked to cancel: service runs to the end of the paid period.", confidence: sure, ...flagged };
    case "cancel_immediately":
      return {
        action: "cancel_immediately",
        params: { subscription: sub.id },
        rationale: "The customer asked to cancel now; ending paid-for service immediately is for a person to approve (refund of the unused period is a separate decision).",
        confidence: sure,
        ...flagged,
      };
    case "pause":
      if (sub.pause_collection) return noChange(`collection on ${sub.id} is already paused`);
      return {
        action: "pause_collection",
        // `void` keeps the customer from owing invoices for a period without service.
        params: { subscription: sub.id, behavior: "void" },
        rationale: "The customer asked to pause; invoices during the pause are voided. A person approves pauses.",
        confidence: sure,
        ...flagged,
      };
    case "upgrade":
    case "downgrade":
    case "change_plan":
      return planChange(ctx, config, t.intent, t.params.target_plan, flagged);
    default:
      return { ...escalate(`support request ${t.requestId}: intent ${t.intent} is not a subscription change billops makes`), ambiguous: `intent ${t.intent}` };
  }
}

function planChange(ctx: SubscriptionContext, config: PolicyConfig, intent: string, target: string | undefined, flagged: { ambiguous?: string }): D {
  const sub = ctx.subscription!;
  if (ctx.items.length !== 1) return { ...escalate(`subscription ${sub.id} has ${ctx.items.length} items; which one to change is a person's call`), ambiguous: "multi-item subscription" };
  const item = ctx.items[0];
  if (!target) return { ...escalate(`the customer asks to ${intent} but names no plan`), ambiguous: "no target plan" };
  const catalog = planCatalog(ctx, config);
  const current = ctx.catalog.find((c) => c.price === item.price);
  const { entry, candidates } = matchPlan(target, catalog, config, { interval: current?.interval ?? null, currency: sub.currency });
  if (!entry) {
    return candidates.length > 1
      ? { ...escalate(`plan "${target}" matches ${candidates.length} prices (${candidates.map((c) => c.price).join(", ")})`), ambiguous: "several prices match" }
      : { ...escalate(`plan "${target}" is not in the catalog`), ambiguous: `unknown plan "${target}"` };
  }
  if (entry.price === item.price) return noChange(`subscription ${sub.id} is already on ${entry.nickname ?? entry.price}`);
  if (ctx.schedule && !["released", "canceled", "completed"].includes(ctx.schedule.status)) {
    return escalate(`subscription ${sub.id} is managed by schedule ${ctx.schedule.id} (a change is already pending)`);
  }
  const from = item.monthlyAmount;
  const to = entry.monthlyAmount;
  if (from == null || to == null) return { ...escalate(`cannot compare prices ${item.price} and ${entry.price}`), ambiguous: "metered or tiered price" };
  const name = entry.productName ?? entry.nickname ?? entry.price;
  const mismatch = (intent === "upgrade" && to < from) || (intent === "downgrade" && to > from);
  const extra = mismatch ? { ambiguous: `customer said ${intent} but ${name} costs ${to > from ? "more" : "less"}` } : flagged;
  if (to > from) {
    return {
      action: "upgrade",
      params: { subscription: sub.id, item: item.id, price: entry.price, proration_behavior: "create_prorations" },
      rationale: `Upgrade to ${name} now; the customer pays the prorated difference for the rest of the period.`,
      confidence: mismatch ? 0.7 : flagged.ambiguous ? 0.5 : 1,
      ...extra,
    };
  }
  return {
    action: "downgrade",
    params: { subscription: sub.id, item: item.id, price: entry.price, effective_at: item.currentPeriodEnd },
    rationale: `Downgrade to ${name} at the end of the paid period (${formatDate(item.currentPeriodEnd)}) through a subscription schedule; no credit now.`,
    confidence: mismatch ? 0.7 : flagged.ambiguous ? 0.5 : 1,
    ...extra,
  };
}
