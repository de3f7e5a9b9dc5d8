// Stripe's pending updates (payment_behavior=pending_if_incomplete): an update whose invoice is not paid at once is
// kept in `pending_update` and applied when that invoice is paid, or discarded (invoice voided) at `expires_at`.
// https://docs.stripe.com/billing/subscriptions/pending-updates and …/pending-updates-reference
import { change, emit, type SimCore } from "./core.js";
import { invalidRequest } from "./errors.js";
import type { StripeObject } from "./types.js";

/** The update-subscription parameters a pending update may carry (the reference's list; metadata since 2026-05-27). */
export const PENDING_UPDATE_PARAMS = new Set([
  "expand", "payment_behavior", "proration_behavior", "proration_date", "billing_cycle_anchor", "items", "trial_end", "trial_from_plan",
  "add_invoice_items", "metadata",
]);

/** Stripe's rules for pending_if_incomplete: only the supported parameters, and only with automatic collection. */
export function checkPendingUpdateParams(sub: StripeObject, params: Record<string, any>): void {
  for (const key of Object.keys(params)) {
    if (!PENDING_UPDATE_PARAMS.has(key)) {
      throw invalidRequest(`When \`payment_behavior\` is \`pending_if_incomplete\`, you can only pass the parameters supported by pending updates; \`${key}\` is not one of them.`, key);
    }
  }
  if (sub.collection_method === "send_invoice") {
    throw invalidRequest("Pending updates are not supported on subscriptions with `collection_method=send_invoice`.", "payment_behavior");
  }
}

/** expires_at: 23 hours after the update, or the period end or trial end when sooner. */
export function pendingUpdateExpiry(sub: StripeObject, now: number): number {
  const ends = (sub.items?.data ?? []).map((i: any) => i.current_period_end).filter((n: unknown) => typeof n === "number");
  return Math.min(now + 23 * 3600, ...ends, ...(typeof sub.trial_end === "number" && sub.trial_end > now ? [sub.trial_end] : []));
}

/** The latest invoice carries a pending update of its subscription: paying it applies the update. */
export function isPendingUpdateInvoice(sub: StripeObject | undefined, inv: StripeObject): boolean {
  return !!sub?.pending_update && sub.latest_invoice === inv.id;
}

/** Applies a pending update once its invoice is paid: the items take their new price and quantity. */
export function applyPendingUpdate(sim: SimCore, sub: StripeObject): void {
  const pending = sub.pending_update;
  if (!pending) return;
  const before = structuredClone(sub.items);
  sub.items.data = structuredClone(pending.subscription_items ?? sub.items.data);
  sub.items.total_count = sub.items.data.length;
  const previous = change(sub, { pending_update: null, ...(pending.metadata ? { metadata: { ...(sub.metadata ?? {}), ...pending.metadata } } : {}) });
  previous.items = before;
  sim.store.put(sub);
  emit(sim, "customer.subscription.pending_update_applied", sub, previous);
  emit(sim, "customer.subscription.updated", sub, previous);
}

/** At expires_at an unpaid pending update is discarded and its invoice voided. */
export function expirePendingUpdate(sim: SimCore, sub: StripeObject, at: number): void {
  const pending = sub.pending_update;
  if (!pending || pending.expires_at > at) return;
  const inv = typeof sub.latest_invoice === "string" ? sim.store.get(sub.latest_invoice) : undefined;
  if (inv && (inv.status === "open" || inv.status === "draft")) {
    const prev = change(inv, { status: "void", next_payment_attempt: null, status_transitions: { ...inv.status_transitions, voided_at: at } });
    sim.store.put(inv);
    emit(sim, "invoice.voided", inv, prev);
  }
  const previous = change(sub, { pending_update: null });
  sim.store.put(sub);
  emit(sim, "customer.subscription.pending_update_expired", sub, previous);
}
