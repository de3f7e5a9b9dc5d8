// After an early fraud warning the next renewal charges the same (maybe stolen) card: which subscriptions would, and
// the follow-up that proposes to a person to pause or cancel them (settled by nodes/record/settle.ts).
import type Stripe from "stripe";
import type { FollowUp, Outcome } from "../../domain/case-state.js";
import { idOf } from "../proposal.js";
import type { RefundContext } from "./context.js";

const LIVE = new Set(["active", "trialing", "past_due", "unpaid"]);

/** Whether `sub` is live and bills `card`: its own default card, else the customer's default (unknown counts as yes). */
export function chargesCard(sub: Stripe.Subscription, customer: Stripe.Customer | null, card: string): boolean {
  if (!LIVE.has(sub.status) || sub.pause_collection) return false;
  const own = idOf(sub.default_payment_method as string | { id: string } | null);
  if (own) return own === card;
  const fallback = idOf((customer?.invoice_settings?.default_payment_method ?? null) as string | { id: string } | null);
  return fallback == null || fallback === card;
}

/** Outcomes after which stopping the card's future charges is worth asking: the warning was handled, not waved off. */
const ASK_AFTER = new Set<Outcome["status"]>(["executed", "recorded", "escalated"]);

/** The follow-up to propose when an early fraud warning's case settles, or null. */
export function stopChargesFollowUp(ctx: RefundContext | null, outcome: Outcome, settledAction: string): FollowUp | null {
  if (!ctx || settledAction === "stop_future_charges" || !ASK_AFTER.has(outcome.status)) return null;
  const w = ctx.earlyFraudWarning;
  const charge = ctx.charge;
  const customer = idOf(charge?.customer as string | { id: string } | null);
  const card = idOf(charge?.payment_method as string | { id: string } | null);
  if (ctx.trigger.kind !== "event" || !w || !charge || !customer || !card) return null;
  const subs = ctx.subscriptions.filter((s) => chargesCard(s, ctx.customer, card));
  if (!subs.length) return null;
  return {
    action: "stop_future_charges",
    params: { customer, payment_method: card, mode: "pause" },
    rationale: `The issuer reported ${w.fraud_type} on ${charge.id}; ${subs.map((s) => s.id).join(", ")} would charge the same card (${card}) at ${subs.length === 1 ? "its" : "their"} next renewal. Pause collection (reversible) or edit mode to cancel.`,
  };
}
