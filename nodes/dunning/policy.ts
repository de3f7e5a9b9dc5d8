// Dunning policy: a failed invoice payment → retry now, retry later, tell the customer, give grace, escalate, or close as recovered.
import type { DunningAction } from "../../domain/actions.js";
import { hasDecided, lastDecision } from "../../domain/history.js";
import type { PolicyConfig } from "../../domain/policy-config.js";
import { formatMoney } from "../../domain/money.js";
import { formatThreshold, thresholdFor } from "../../domain/money-threshold.js";
import type { ProposedDecision } from "../proposal.js";
import type { CardAttempts, DunningContext } from "./context.js";
import type { DeclineCategory } from "./decline-codes.js";
import type { NotifyTemplate } from "./schema.js";
import { formatDateTime } from "../../domain/dates.js";

type D = ProposedDecision<DunningAction>;

const HOUR = 3600;
const DAY = 86400;

/** Events on which a decision about collecting money is due; other invoice events are recorded only. */
export const DECIDING_EVENTS = new Set(["invoice.payment_failed", "invoice.payment_action_required"]);
/** The scheduler's inbox event when a `schedule_retry` / `apply_grace_period` job is due (source `schedule`). */
export const RETRY_JOB_EVENT = "billops.retry_invoice";

/** Waiting time before our own retry of a soft decline: funds arrive in days, daily limits reset in a day. */
const SOFT_RETRY_DELAY: Record<string, number> = {
  insufficient_funds: 2 * DAY,
  withdrawal_count_limit_exceeded: DAY,
  card_velocity_exceeded: DAY,
};
const DEFAULT_SOFT_DELAY = DAY;
/** Our retry must land well before Stripe's own next attempt, or the two attempts stack on the card. */
const BEFORE_STRIPE_ATTEMPT = 6 * HOUR;
/** A retry squeezed closer than this to now (because Stripe's own attempt is near) is not worth an attempt against the network limit. */
const MIN_USEFUL_LEAD = HOUR;

export interface RetryBudget {
  networkLimit: number;
  attemptsSoFar: number;
  ownRetries: number;
  allowed: boolean;
  why: string;
}

/**
 * Shared with the guard: how many more attempts this card may take. Networks count per card, not per invoice:
 * declined charges on the card's fingerprint within 24 hours and 30 days, across the customer's invoices, as well as
 * this invoice's attempts and billops' own retries (whose charge a listing may not show yet).
 */
export function retryBudget(ctx: Pick<DunningContext, "invoice" | "history" | "card"> & { cardAttempts?: CardAttempts }, config: PolicyConfig): RetryBudget {
  const brand = (ctx.card?.brand ?? "default").toLowerCase();
  const limits = config.network_retry_limits as Record<string, number>;
  const daily = config.network_retry_limits_24h as Record<string, number>;
  const networkLimit = limits[brand] ?? limits.default;
  const dailyLimit = daily[brand] ?? daily.default;
  const card30 = ctx.cardAttempts?.last30d ?? 0;
  const card24 = ctx.cardAttempts?.last24h ?? 0;
  // attempt_count includes our own invoice pays; history catches a retry whose webhook has not arrived yet.
  const attemptsSoFar = Math.max(ctx.invoice?.attempt_count ?? 0, ctx.history.billopsRetries, card30);
  const ownRetries = ctx.history.billopsRetries;
  const budget = (allowed: boolean, why: string): RetryBudget => ({ networkLimit, attemptsSoFar, ownRetries, allowed, why });
  if (ownRetries >= config.max_retries_per_invoice) {
    return budget(false, `billops already retried ${ownRetries} times (cap ${config.max_retries_per_invoice})`);
  }
  if (attemptsSoFar + 1 > networkLimit) {
    return budget(false, `${attemptsSoFar} attempts on this card reach the ${brand} limit of ${networkLimit} per 30 days${card30 >= attemptsSoFar && card30 > (ctx.invoice?.attempt_count ?? 0) ? " (counted across the customer's invoices)" : ""}`);
  }
  if (card24 + 1 > dailyLimit) {
    return budget(false, `${card24} declined attempts on this card in 24 hours reach the ${brand} limit of ${dailyLimit} per day`);
  }
  return budget(true, `${attemptsSoFar} of ${networkLimit} ${brand} attempts in 30 days used${card24 ? `, ${card24} of ${dailyLimit} in 24 hours` : ""}`);
}

/** How Stripe treats the invoice's subscription now: whether it still collects, and whether access is Stripe's to give. */
export interface SubscriptionStanding {
  /** canceled, incomplete_expired: Stripe stopped collecting; no payment and no grace, ever. */
  ended: boolean;
  /** incomplete, unpaid, paused: access is not given; billops does not retry on its own and never grants grace. */
  inactive: boolean;
  status: string | null;
}

const ENDED = new Set(["canceled", "incomplete_expired"]);
const INACTIVE = new Set(["incomplete", "unpaid", "paused"]);

export function subscriptionStanding(ctx: Pick<DunningContext, "subscription">): SubscriptionStanding {
  const status = ctx.subscription?.status ?? null;
  return { ended: status != null && ENDED.has(status), inactive: status != null && INACTIVE.has(status), status };
}

/**
 * Grace keeps service Stripe still provides: only a live (active, trialing, past_due) subscription qualifies, and only
 * one whose collection nobody paused — grace is itself a pause (keep_as_draft until the retry), and writing it over
 * the merchant's own pause (say `void`, with no end) would turn periods they meant to give away into drafts collected
 * in a week.
 */
export function graceAllowed(ctx: Pick<DunningContext, "subscription">): boolean {
  const s = ctx.subscription;
  return !!s && (s.status === "active" || s.status === "past_due" || s.status === "trialing") && !s.pause_collection;
}

/** When the last decline happened: network timing (MAC 24–30) counts from it. */
export function declinedAt(ctx: Pick<DunningContext, "charge" | "now">): number {
  return ctx.charge?.created ?? ctx.now;
}

/** The earliest time the network allows a reattempt, or null when it gave no timing. */
export function networkEarliestRetry(ctx: Pick<DunningContext, "decline" | "charge" | "now">): number | null {
  return ctx.decline.retryAfter != null ? declinedAt(ctx) + ctx.decline.retryAfter : null;
}

export function isGoodCustomer(ctx: DunningContext, config: PolicyConfig): boolean {
  return (
    ctx.tenureDays >= config.good_customer.min_tenure_days &&
    ctx.paidInvoices >= config.good_customer.min_paid_invoices &&
    ctx.otherOpenInvoices === 0
  );
}

/** The effective category: an expired card on file needs the customer whatever the issuer said. */
export function effectiveCategory(ctx: DunningContext): DeclineCategory {
  const c = ctx.decline.category;
  if (ctx.signals.code === "authentication_required" || ctx.trigger.kind === "event" && ctx.trigger.type === "invoice.payment_action_required") {
    return c === "fraud" || c === "hard" ? c : "customer_action";
  }
  if (ctx.card?.expired && (c === "soft" || c === "transient" || c === "unknown")) return "customer_action";
  return c;
}

function needsAuthentication(ctx: DunningContext): boolean {
  return (
    ctx.signals.code === "authentication_required" ||
    ctx.signals.declineCode === "authentication_required" ||
    ctx.paymentIntent?.status === "requires_action" ||
    (ctx.trigger.kind === "event" && ctx.trigger.type === "invoice.payment_action_required")
  );
}

export function decideDunning(ctx: DunningContext, config: PolicyConfig): D {
  const inv = ctx.invoice;
  if (!inv) {
    return { action: "escalate_to_support", params: { reason: `invoice ${ctx.invoiceId ?? "(none)"} not found in Stripe` }, rationale: "Cannot verify the invoice, so nothing is collected automatically.", confidence: 1 };
  }
  const invoice = inv.id;
  // The re-read invoice decides, not the event: a late payment_failed after invoice.paid must not retry a paid invoice.
  // Void and uncollectible first: a voided invoice can show amount_remaining 0, which is not a payment.
  if (inv.status === "void" || inv.status === "uncollectible") {
    return { action: "no_action", params: { reason: `invoice is ${inv.status}` }, rationale: `Invoice ${invoice} is ${inv.status}: nothing left to collect.`, confidence: 1 };
  }
  if (inv.status === "paid" || (inv.amount_remaining === 0 && inv.status !== "draft")) {
    // invoice.paid, invoice.payment_succeeded and a due retry job all report the same recovery: settle it once.
    if (hasDecided(ctx.history, "close_recovered")) {
      return { action: "no_action", params: { reason: `already recovered: invoice ${invoice} was closed as paid` }, rationale: `Invoice ${invoice} is paid and the case was already closed as recovered; ${eventName(ctx)} changes nothing.`, confidence: 1 };
    }
    if (!ctx.history.decisions.length && (inv.attempt_count ?? 0) <= 1) {
      return { action: "no_action", params: { reason: `invoice ${invoice} was paid on its first attempt` }, rationale: `Invoice ${invoice} is paid and never failed: nothing was in dunning, nothing to recover.`, confidence: 1 };
    }
    return { action: "close_recovered", params: { invoice }, rationale: `Invoice ${invoice} is paid${ctx.history.decisions.length ? " after dunning" : ` after ${inv.attempt_count} attempts`}; the case is recovered.`, confidence: 1 };
  }
  if (inv.status === "draft") {
    return { action: "no_action", params: { reason: "invoice is still a draft" }, rationale: "No payment has been attempted on a draft invoice.", confidence: 1 };
  }

  const isRequest = ctx.trigger.kind === "request";
  const isJob = ctx.trigger.kind === "event" && ctx.trigger.type === RETRY_JOB_EVENT;
  const standing = subscriptionStanding(ctx);
  if ((standing.ended || standing.inactive) && (isJob || isRequest || (ctx.trigger.kind === "event" && DECIDING_EVENTS.has(ctx.trigger.type)))) {
    return decideOutsideCollection(ctx, config, standing);
  }
  if (isJob) return decideDueRetry(ctx, config);
  if (ctx.trigger.kind === "event" && !DECIDING_EVENTS.has(ctx.trigger.type)) {
    return { action: "no_action", params: { reason: `${ctx.trigger.type} needs no dunning action` }, rationale: `Recorded ${ctx.trigger.type}; the invoice is ${inv.status}.`, confidence: 1 };
  }

  const category = effectiveCategory(ctx);
  const budget = retryBudget(ctx, config);
  const final = inv.next_payment_attempt == null;
  const large = inv.amount_due >= thresholdFor(config.escalate_amount, inv.currency);
  const url = inv.hosted_invoice_url ?? "";
  const code = ctx.decline.reasonCode ?? "(no decline code)";
  const notified = (t: NotifyTemplate) => ctx.history.notificationsSent.includes(t);
  const notify = (template: NotifyTemplate, why: string, confidence = 1, ambiguous?: string): D => {
    if (!url) return { action: "escalate_to_support", params: { reason: `invoice ${invoice} has no hosted invoice link to send` }, rationale: why, confidence: 1 };
    return { action: "notify_customer", params: { invoice, template, hosted_invoice_url: url }, rationale: why, confidence, ...(ambiguous ? { ambiguous } : {}) };
  };
  const waitForStripe = (why: string): D => ({
    action: "no_action",
    params: { reason: why },
    rationale: `${why}${inv.next_payment_attempt ? `; Stripe attempts again on ${formatDateTime(inv.next_payment_attempt)}` : ""}.`,
    confidence: 1,
  });

  if (category === "fraud") {
    return { action: "escalate_to_support", params: { reason: `fraud signal on invoice ${invoice}: ${ctx.decline.why}` }, rationale: `Never retry after ${code}; a person reviews the account before anyone contacts the customer.`, confidence: 1 };
  }

  if (category === "hard" || category === "customer_action") {
    const template: NotifyTemplate = needsAuthentication(ctx) ? "authentication_required" : "update_payment_method";
    if (final && large && notified(template)) {
      return { action: "escalate_to_support", params: { reason: `final attempt failed on a large invoice (${formatMoney(inv.amount_due, inv.currency)}) and the customer did not act` }, rationale: ctx.decline.why, confidence: 1 };
    }
    if (notified(template)) return waitForStripe(`customer already asked (${template}) after ${code}`);
    const why = category === "hard"
      ? `${ctx.decline.why}: retrying the same card cannot succeed; the customer needs another payment method.`
      : template === "authentication_required"
        ? "The bank requires the customer to authenticate the payment on the hosted invoice page."
        : `${ctx.card?.expired ? "The card on file has expired" : ctx.decline.why}: only the customer can fix the card details.`;
    return notify(template, why);
  }

  // transient, soft, unknown: the same card may pass later.
  const ambiguous = category === "unknown" ? `unknown decline code ${code}${ctx.signals.adviceCode ? ` (advice ${ctx.signals.adviceCode})` : ""}` : undefined;
  const confidence = category === "unknown" ? 0.7 : 1;

  if (isRequest && ctx.trigger.kind === "request" && ctx.trigger.intent === "retry_payment" && budget.allowed) {
    return { action: "retry_immediately", params: { invoice }, rationale: `The customer asks for a new attempt (e.g. funds added) after ${code}; ${budget.why}.`, confidence: 0.9, ...(ambiguous ? { ambiguous } : {}) };
  }
  if (isRequest) {
    return notify("update_payment_method", `The customer wrote about invoice ${invoice} (${code}); send the hosted invoice link to pay or update the card.`, 0.9, ambiguous);
  }

  if (final) {
    if (large) {
      return { action: "escalate_to_support", params: { reason: `final automatic attempt failed on invoice ${invoice} for ${formatMoney(inv.amount_due, inv.currency)} (≥ ${formatThreshold(config.escalate_amount, inv.currency)})` }, rationale: `Large amount at the end of dunning (${code}): a person calls the customer.`, confidence: 1 };
    }
    // Grace keeps a live subscription going with Stripe's own tools (collection paused, invoices kept as drafts);
    // without a live subscription there is no access to keep, and the promise would be billops' alone.
    if (graceAllowed(ctx) && isGoodCustomer(ctx, config) && !hasDecided(ctx.history, "apply_grace_period")) {
      return {
        action: "apply_grace_period",
        params: { invoice, grace_days: config.grace_days, retry_at: ctx.now + config.grace_days * DAY },
        rationale: `Final attempt failed (${code}) for a customer of ${ctx.tenureDays} days with ${ctx.paidInvoices} paid invoices; subscription ${ctx.subscription!.id} is ${ctx.subscription!.status}: pause its collection (invoices kept as drafts) for ${config.grace_days} days and retry once.`,
        confidence,
        ...(ambiguous ? { ambiguous } : {}),
      };
    }
    if (!notified("update_payment_method") && !notified("payment_failed")) {
      return notify("update_payment_method", `Final automatic attempt failed (${code}); the customer must pay or change the card.`, confidence, ambiguous);
    }
    return waitForStripe(`final attempt failed and the customer was already notified`);
  }

  if (config.dunning.retries === "smart_retries") {
    // Stripe's Smart Retries has attempts left: they are Stripe's to make; billops tells the customer once.
    if (!notified("payment_failed") && !notified("update_payment_method")) {
      return notify("payment_failed", `${ctx.decline.why}; Stripe's Smart Retries attempts again (dunning.retries: smart_retries): tell the customer so they can pay or update the card.`, confidence, ambiguous);
    }
    return waitForStripe(`soft declines are left to Stripe's Smart Retries (customer already notified after ${code})`);
  }

  const earliest = networkEarliestRetry(ctx);
  if (budget.allowed && category === "transient" && earliest == null) {
    const last = lastDecision(ctx.history);
    if (last?.action !== "retry_immediately") {
      return { action: "retry_immediately", params: { invoice }, rationale: `${ctx.decline.why}: a prompt retry usually passes; ${budget.why}.`, confidence: 1 };
    }
  }
  if (budget.allowed) {
    const delay = category === "transient" ? HOUR : (SOFT_RETRY_DELAY[ctx.decline.reasonCode ?? ""] ?? DEFAULT_SOFT_DELAY);
    let retryAt = Math.max(ctx.now + delay, earliest ?? 0);
    const stripeNext = inv.next_payment_attempt!;
    if (retryAt > stripeNext - BEFORE_STRIPE_ATTEMPT) retryAt = stripeNext - BEFORE_STRIPE_ATTEMPT;
    // The network's timing (Mastercard MAC 24–30) is a floor: squeezed before it to land ahead of Stripe, no retry.
    if (retryAt - ctx.now >= MIN_USEFUL_LEAD && (earliest == null || retryAt >= earliest)) {
      return {
        action: "schedule_retry",
        params: { invoice, retry_at: retryAt },
        rationale: `${ctx.decline.why}: retry on ${formatDateTime(retryAt)}, before Stripe's attempt on ${formatDateTime(stripeNext)}; ${budget.why}.`,
        confidence,
        ...(ambiguous ? { ambiguous } : {}),
      };
    }
  }
  if (!notified("payment_failed") && !notified("update_payment_method")) {
    return notify("payment_failed", `${ctx.decline.why}; ${budget.allowed ? "Stripe retries soon" : budget.why}: tell the customer so they can pay or update the card.`, confidence, ambiguous);
  }
  return waitForStripe(budget.allowed ? `customer already notified after ${code}` : budget.why);
}

function eventName(ctx: DunningContext): string {
  return ctx.trigger.kind === "event" ? ctx.trigger.type : "the support request";
}

/**
 * A retry billops scheduled (schedule_retry, or the end of a grace period) is due, and the invoice, re-read, is
 * still open: pay it now if the decline can still pass and the budget allows, else tell the customer or a person.
 * The last decision being a schedule is the point here, so the "one immediate retry" rule of events does not apply.
 */
function decideDueRetry(ctx: DunningContext, config: PolicyConfig): D {
  const inv = ctx.invoice!;
  const invoice = inv.id;
  const category = effectiveCategory(ctx);
  const code = ctx.decline.reasonCode ?? "(no decline code)";
  const budget = retryBudget(ctx, config);
  const url = inv.hosted_invoice_url ?? "";
  const notified = (...t: NotifyTemplate[]) => t.some((x) => ctx.history.notificationsSent.includes(x));
  const ambiguous = category === "unknown" ? { ambiguous: `unknown decline code ${code}` } : {};
  const escalateDue = (reason: string, rationale: string): D => ({ action: "escalate_to_support", params: { reason }, rationale, confidence: 1 });
  const notify = (template: NotifyTemplate, why: string): D =>
    url
      ? { action: "notify_customer", params: { invoice, template, hosted_invoice_url: url }, rationale: why, confidence: 1 }
      : escalateDue(`invoice ${invoice} has no hosted invoice link to send`, why);

  if (category === "fraud") {
    return escalateDue(`scheduled retry of ${invoice} is due but the last decline is a fraud signal (${ctx.decline.why})`, "Never retry after a fraud signal; a person reviews the account.");
  }
  if (category === "hard" || category === "customer_action") {
    const template: NotifyTemplate = needsAuthentication(ctx) ? "authentication_required" : "update_payment_method";
    if (!notified(template)) return notify(template, `Scheduled retry of ${invoice} is due, but ${ctx.decline.why}: the same card cannot pass; the customer must act.`);
    return escalateDue(`scheduled retry of ${invoice} is due; ${ctx.decline.why} and the customer was already asked to act`, "A retry cannot pass and the customer did not act: a person follows up.");
  }
  const earliest = networkEarliestRetry(ctx);
  if (budget.allowed && earliest != null && earliest > ctx.now) {
    return escalateDue(`scheduled retry of ${invoice} is due, but the network allows the next attempt only from ${formatDateTime(earliest)} (${ctx.decline.why})`, "The network's retry timing holds over billops' schedule: a person decides when to try again.");
  }
  if (budget.allowed) {
    return {
      action: "retry_immediately",
      params: { invoice },
      rationale: `The retry scheduled for ${invoice} is due and the invoice is still open after ${code} (${category}); ${budget.why}.`,
      confidence: category === "unknown" ? 0.7 : 1,
      ...ambiguous,
    };
  }
  if (!notified("update_payment_method", "payment_failed")) {
    return notify("payment_failed", `The retry scheduled for ${invoice} is due but ${budget.why}: tell the customer so they can pay or change the card.`);
  }
  return escalateDue(`scheduled retry of ${invoice} is due but ${budget.why}, and the customer was already told`, "No attempts left and the invoice is still open: a person decides.");
}

/**
 * The invoice's subscription is not one Stripe collects for (canceled, incomplete_expired) or gives access on
 * (incomplete, unpaid, paused): no payment of billops' own and no grace — tell the customer once (the hosted page
 * still takes a payment Stripe accepts), or a person. A due retry or grace end on such a subscription is a person's.
 */
function decideOutsideCollection(ctx: DunningContext, config: PolicyConfig, standing: SubscriptionStanding): D {
  const inv = ctx.invoice!;
  const invoice = inv.id;
  const sub = ctx.subscription!;
  const url = inv.hosted_invoice_url ?? "";
  const large = inv.amount_due >= thresholdFor(config.escalate_amount, inv.currency);
  const notified = ctx.history.notificationsSent.some((t) => t === "payment_failed" || t === "update_payment_method" || t === "authentication_required");
  const escalate = (reason: string, rationale: string): D => ({ action: "escalate_to_support", params: { reason }, rationale, confidence: 1 });
  const isJob = ctx.trigger.kind === "event" && ctx.trigger.type === RETRY_JOB_EVENT;
  const what = standing.ended
    ? `subscription ${sub.id} is ${sub.status}: Stripe no longer collects its invoices`
    : `subscription ${sub.id} is ${sub.status}: Stripe gives no access on it until ${invoice} is paid`;

  if (isJob) {
    return escalate(`the retry scheduled for ${invoice} is due, but ${what}`, `No payment and no grace on a ${sub.status} subscription; a person decides what happens to ${invoice}.`);
  }
  if (standing.ended && sub.status === "incomplete_expired") {
    return { action: "no_action", params: { reason: `${what}; the subscription never started` }, rationale: `Never pay or grant grace on an expired subscription: its first payment was not completed in time.`, confidence: 1 };
  }
  if (large) {
    return escalate(`${what}; ${formatMoney(inv.amount_due, inv.currency)} is still open on ${invoice}`, `Large amount on a ${sub.status} subscription: a person decides whether to collect, void or write it off.`);
  }
  if (notified) {
    return { action: "no_action", params: { reason: `${what}; the customer was already told` }, rationale: `No retry and no grace on a ${sub.status} subscription; the customer already has the hosted invoice link.`, confidence: 1 };
  }
  if (!url) return escalate(`invoice ${invoice} has no hosted invoice link to send`, what);
  const template: NotifyTemplate = needsAuthentication(ctx) ? "authentication_required" : standing.ended ? "payment_failed" : "update_payment_method";
  return {
    action: "notify_customer",
    params: { invoice, template, hosted_invoice_url: url },
    rationale: `${what}: no retry and no grace; the customer can still pay on the hosted invoice page.`,
    confidence: 1,
  };
}
