// Subscription policy: what a support request may change, decided on the subscription's state (status, open
// invoices, schedule, pending update) — plan changes (upgrades billed now, downgrades at period end), cancellations
// (at period end; now, with a failing invoice settled, for a person), pauses with an end; events are recorded.
import type Stripe from "stripe";
import type { SubscriptionAction } from "../../domain/actions.js";
import { formatDate } from "../../domain/dates.js";
import { formatMoney } from "../../domain/money.js";
import type { PolicyConfig } from "../../domain/policy-config.js";
import { escalate, type ProposedDecision, type Trigger } from "../proposal.js";
import { CONFIDENCE, describeUnderstanding } from "../supervisor/understanding/index.js";
import { matchPlan, planCatalog } from "./catalog.js";
import type { SubscriptionContext, SubscriptionItemFacts } from "./context.js";

type D = ProposedDecision<SubscriptionAction>;
type RequestTrigger = Extract<Trigger, { kind: "request" }>;

const DAY = 86400;
const ENDED = new Set(["canceled", "incomplete_expired"]);
/** A subscription whose last payment failed: Stripe keeps retrying its open invoice while it lives. */
const DELINQUENT = new Set(["past_due", "unpaid"]);
const noChange = (reason: string, rationale = reason): D => ({ action: "no_change", params: { reason }, rationale, confidence: 1 });

/** Adds calendar months (days and weeks exactly), as Stripe counts billing periods. */
function addPeriod(t: number, count: number, unit: string): number {
  if (unit === "day") return t + count * DAY;
  if (unit === "week") return t + count * 7 * DAY;
  const d = new Date(t * 1000);
  const months = unit === "year" ? 12 * count : count;
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  d.setUTCDate(Math.min(day, new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()));
  return Math.floor(d.getTime() / 1000);
}

/** The first of the next such month (UTC) after `now`: "until March" in November is next year's March. */
function nextMonthStart(now: number, month: number): number {
  const d = new Date(now * 1000);
  let year = d.getUTCFullYear();
  if (month - 1 <= d.getUTCMonth()) year += 1;
  return Math.floor(Date.UTC(year, month - 1, 1) / 1000);
}

/** Open invoices whose payment was attempted and failed: what a delinquent customer is being chased for. */
export function failingInvoices(ctx: SubscriptionContext): Stripe.Invoice[] {
  return ctx.openInvoices.filter((i) => i.status === "open" && (i.attempt_count ?? 0) > 0 && (i.amount_remaining ?? 0) > 0);
}

const money = (minor: number | null | undefined, currency: string | null | undefined) => (minor != null && currency ? formatMoney(minor, currency) : "an unknown amount");

export function decideSubscription(ctx: SubscriptionContext, config: PolicyConfig): D {
  const t = ctx.trigger;
  const sub = ctx.subscription;
  if (t.kind === "event") {
    // Subscription events are Stripe telling us what already happened; dunning owns unpaid invoices.
    if (!sub) return noChange(`${t.type}: subscription not found (deleted or not ours)`);
    return noChange(`${t.type}: subscription ${sub.id} is ${sub.status}${sub.cancel_at_period_end ? ", cancels at period end" : ""}`, "Recorded; nothing to change.");
  }
  return decideRequest(ctx, t, config);
}

function decideRequest(ctx: SubscriptionContext, t: RequestTrigger, config: PolicyConfig): D {
  const sub = ctx.subscription;
  const u = t.understanding;
  const understood = u ? describeUnderstanding(u).join("; ") : t.intent;
  const flagged = t.ambiguous ? { ambiguous: t.ambiguous } : {};
  // The understanding's confidence: a change proposed on an ambiguous request stays below min_auto_confidence.
  const sure = u ? (u.certain ? 1 : u.confidence) : t.ambiguous ? CONFIDENCE.likely : 1;
  const person = (reason: string, ambiguous?: string): D => ({ ...escalate(`${reason} (understood: ${understood})`), ...(ambiguous ?? t.ambiguous ? { ambiguous: ambiguous ?? t.ambiguous } : {}) });

  if (ctx.foreignObject) return person(`support request ${t.requestId} names subscription ${ctx.foreignObject.id}, which belongs to another customer`, "subscription of another customer");
  if (t.intent === "unclear") return person(`support request ${t.requestId}: nothing billops changes by itself`, t.ambiguous ?? "free text");
  if (!sub) {
    return ctx.liveSubscriptions > 1
      ? person(`customer has ${ctx.liveSubscriptions} subscriptions; the request does not say which`, "several subscriptions")
      : person(`support request ${t.requestId}: no subscription found`);
  }
  if (ENDED.has(sub.status)) return noChange(`subscription ${sub.id} is already ${sub.status}`);
  if (sub.status === "incomplete") return person(`subscription ${sub.id} is incomplete (its first payment never went through)`);

  switch (t.intent) {
    case "cancel_at_period_end":
    case "cancel_immediately":
      return cancel(ctx, t, config, sure, flagged, person);
    case "pause":
      return pause(ctx, t, sure, flagged, person);
    case "upgrade":
    case "downgrade":
    case "change_plan":
      return planChange(ctx, config, t.intent, t.params.target_plan, sure, flagged, person);
    default:
      return person(`support request ${t.requestId}: intent ${t.intent} is not a subscription change billops makes`, `intent ${t.intent}`);
  }
}

type Person = (reason: string, ambiguous?: string) => D;

function cancel(ctx: SubscriptionContext, t: RequestTrigger, config: PolicyConfig, sure: number, flagged: { ambiguous?: string }, person: Person): D {
  const sub = ctx.subscription!;
  const failing = failingInvoices(ctx);
  const delinquent = DELINQUENT.has(sub.status) || failing.length > 0;
  if (ctx.schedule && !["released", "canceled", "completed"].includes(ctx.schedule.status)) {
    return person(`subscription ${sub.id} is managed by schedule ${ctx.schedule.id}: cancelling goes through the schedule`);
  }
  if (delinquent) {
    // Cancelling at period end would keep Stripe retrying the invoice the customer refuses: end it now and settle
    // the invoice, both for a person to approve.
    if (failing.length === 0) return person(`subscription ${sub.id} is ${sub.status} but no failing open invoice was found`);
    if (failing.length > 1) return person(`subscription ${sub.id} is ${sub.status} with ${failing.length} failing invoices (${failing.map((i) => i.id).join(", ")})`);
    const inv = failing[0]!;
    // A renewal the customer refuses within the grace window was barely used: void it. Older debt stays on the books.
    const fresh = ctx.now - (inv.created ?? ctx.now) <= config.grace_days * DAY;
    const resolution = fresh ? "void" : "mark_uncollectible";
    return {
      action: "cancel_immediately",
      params: { subscription: sub.id, invoice_now: true, prorate: false, open_invoice: inv.id, open_invoice_action: resolution },
      rationale:
        `The customer asks to cancel while ${sub.id} is ${sub.status}: invoice ${inv.number ?? inv.id} for ${money(inv.amount_remaining, inv.currency)} failed ${inv.attempt_count} time(s)` +
        (inv.next_payment_attempt ? ` and Stripe would retry it on ${formatDate(inv.next_payment_attempt)}` : "") +
        `. Cancelling at period end would keep charging for a service the customer is leaving, so: cancel now (pending prorations invoiced, no credit for unused time) and ${resolution === "void" ? `void the invoice (created ${formatDate(inv.created)}, within ${config.grace_days} days: the period was barely used)` : `mark the invoice uncollectible (created ${formatDate(inv.created)}: the service was used; the debt stays on record)`}. A person approves both.`,
      confidence: Math.min(sure, 1),
      ...flagged,
    };
  }
  if (t.intent === "cancel_immediately") {
    return {
      action: "cancel_immediately",
      params: { subscription: sub.id, invoice_now: true, prorate: false },
      rationale: "The customer asked to cancel now; ending paid-for service immediately is for a person to approve. Pending prorations are invoiced (invoice_now); unused time is not credited (prorate false) — a refund of it is a separate decision.",
      confidence: sure,
      ...flagged,
    };
  }
  if (sub.cancel_at_period_end || sub.cancel_at) return noChange(`subscription ${sub.id} already cancels${sub.cancel_at ? ` on ${formatDate(sub.cancel_at)}` : " at period end"}`);
  const end = Math.min(...ctx.items.map((i) => i.currentPeriodEnd));
  return {
    action: "cancel_at_period_end",
    params: { subscription: sub.id },
    rationale: `The customer asked to cancel: service runs to the end of the paid period${Number.isFinite(end) ? ` (${formatDate(end)})` : ""}, then the subscription ends; nothing more is charged.`,
    confidence: sure,
    ...flagged,
  };
}

function pause(ctx: SubscriptionContext, t: RequestTrigger, sure: number, flagged: { ambiguous?: string }, person: Person): D {
  const sub = ctx.subscription!;
  if (DELINQUENT.has(sub.status) || failingInvoices(ctx).length) return person(`subscription ${sub.id} is ${sub.status} with a failing invoice: pausing, voiding or collecting is a person's call`);
  if (sub.pause_collection) return noChange(`collection on ${sub.id} is already paused${sub.pause_collection.resumes_at ? ` until ${formatDate(sub.pause_collection.resumes_at)}` : ""}`);
  const ask = t.understanding?.intents.find((i) => i.intent === "pause" && !i.negated);
  const d = ask?.target.duration;
  const month = ask?.target.untilMonth;
  const resumesAt = d ? addPeriod(ctx.now, d.count, d.unit) : month ? nextMonthStart(ctx.now, month) : addPeriod(ctx.now, 1, "month");
  const noLength = !d && !month;
  const long = resumesAt - ctx.now > 183 * DAY;
  const item = ctx.items[0];
  const renewals = item ? renewalsBetween(item, ctx.now, resumesAt) : 0;
  const planName = item ? (ctx.catalog.find((c) => c.price === item.price)?.productName ?? item.price) : "its plan";
  const each = item?.unitAmount != null ? item.unitAmount * item.quantity : null;
  const ambiguity = [flagged.ambiguous, noLength ? "no pause length given: one month proposed" : undefined, long ? "a pause of more than six months" : undefined].filter(Boolean).join("; ");
  return {
    action: "pause_collection",
    // `void` keeps the customer from owing invoices for a period without payment; resumes_at ends the pause.
    params: { subscription: sub.id, behavior: "void", resumes_at: resumesAt },
    rationale:
      `The customer asked to pause${noLength ? " without saying for how long: one month is proposed (edit resumes_at)" : ""}. Collection pauses until ${formatDate(resumesAt)}. ` +
      `What the customer keeps: the subscription stays active on ${planName}${each != null ? ` (${money(each, sub.currency)} per ${item!.interval ?? "period"})` : ""}, so access continues; ` +
      `${renewals} renewal invoice(s) in the pause${each != null && renewals ? ` (${money(each * renewals, sub.currency)} in all)` : ""} are voided — service without payment — and billing resumes on ${formatDate(resumesAt)}. A person approves pauses.`,
    confidence: Math.min(sure, noLength || long ? CONFIDENCE.likely : 1),
    ...(ambiguity ? { ambiguous: ambiguity } : {}),
  };
}

/** Renewal dates of an item in [from, to): each one bills a period. */
function renewalsBetween(item: SubscriptionItemFacts, from: number, to: number): number {
  let n = 0;
  let at = item.currentPeriodEnd;
  while (at >= from && at < to && n < 60) {
    n++;
    at = addPeriod(at, item.intervalCount, item.interval ?? "month");
  }
  return n;
}

function planChange(ctx: SubscriptionContext, config: PolicyConfig, intent: string, target: string | undefined, sure: number, flagged: { ambiguous?: string }, person: Person): D {
  const sub = ctx.subscription!;
  if (DELINQUENT.has(sub.status) || failingInvoices(ctx).length) {
    return person(`subscription ${sub.id} is ${sub.status}${failingInvoices(ctx).length ? " with a failing invoice" : ""}: a plan change on an account that is not paying goes to a person`, `plan change while ${sub.status}`);
  }
  if (sub.pending_update) return person(`subscription ${sub.id} has a pending update whose payment has not gone through`);
  if (sub.pause_collection) return person(`collection on ${sub.id} is paused: a plan change now is a person's call`);
  if (ctx.items.length !== 1) return person(`subscription ${sub.id} has ${ctx.items.length} items; which one to change is a person's call`, "multi-item subscription");
  const item = ctx.items[0]!;
  if (!target) return person(`the customer asks to ${intent} but names no plan`, "no target plan");
  const catalog = planCatalog(ctx, config);
  const current = ctx.catalog.find((c) => c.price === item.price);
  const { entry, candidates } = matchPlan(target, catalog, config, { interval: current?.interval ?? null, currency: sub.currency });
  if (!entry) {
    return candidates.length > 1
      ? person(`plan "${target}" matches ${candidates.length} prices (${candidates.map((c) => c.price).join(", ")})`, "several prices match")
      : person(`plan "${target}" is not in the catalog`, `unknown plan "${target}"`);
  }
  if (entry.price === item.price) return noChange(`subscription ${sub.id} is already on ${entry.nickname ?? entry.price}`);
  if (ctx.schedule && !["released", "canceled", "completed"].includes(ctx.schedule.status)) {
    return person(`subscription ${sub.id} is managed by schedule ${ctx.schedule.id} (a change is already pending)`);
  }
  const from = item.monthlyAmount;
  const to = entry.monthlyAmount;
  if (from == null || to == null) return person(`cannot compare prices ${item.price} and ${entry.price}`, "metered or tiered price");
  const name = entry.productName ?? entry.nickname ?? entry.price;
  const mismatch = (intent === "upgrade" && to < from) || (intent === "downgrade" && to > from);
  const extra = mismatch ? { ambiguous: [flagged.ambiguous, `customer said ${intent} but ${name} costs ${to > from ? "more" : "less"}`].filter(Boolean).join("; ") } : flagged;
  const confidence = Math.min(sure, mismatch ? CONFIDENCE.likely : 1);
  if (to > from) {
    if (sub.collection_method === "send_invoice") return person(`subscription ${sub.id} is invoiced (send_invoice): an upgrade cannot wait for its payment (pending updates need automatic collection)`);
    const fraction = item.currentPeriodEnd > item.currentPeriodStart ? Math.max(0, item.currentPeriodEnd - ctx.now) / (item.currentPeriodEnd - item.currentPeriodStart) : 0;
    const difference = entry.unitAmount != null && item.unitAmount != null ? Math.round((entry.unitAmount - item.unitAmount) * item.quantity * fraction) : null;
    return {
      action: "upgrade",
      params: { subscription: sub.id, item: item.id, price: entry.price, proration_behavior: "always_invoice", payment_behavior: "pending_if_incomplete" },
      rationale: `Upgrade to ${name} now: the prorated difference (about ${money(difference, sub.currency)} to ${formatDate(item.currentPeriodEnd)}) is invoiced and charged at once; if that payment fails the plan stays as it is (a pending update, not a free upgrade).`,
      confidence,
      ...extra,
    };
  }
  return {
    action: "downgrade",
    params: { subscription: sub.id, item: item.id, price: entry.price, effective_at: item.currentPeriodEnd },
    rationale: `Downgrade to ${name} at the end of the paid period (${formatDate(item.currentPeriodEnd)}) through a subscription schedule; no credit now.`,
    confidence,
    ...extra,
  };
}
