// Subscriptions: create (first invoice paid or incomplete), update (price swaps with proration_behavior,
// cancel_at_period_end, cancel_at, pause_collection, metadata, default payment method), cancel, retrieve, list.
import {
  attemptInvoice,
  cycleLines,
  invoiceSubscription,
  newSubscriptionItem,
  periodEnd,
  planOf,
  prorationLines,
  requireRecurringPrice,
  cancelSubscription,
  type Line,
} from "../billing.js";
import { asArray, bool, int } from "../form.js";
import { addInterval, change, emit, getTyped, listResponse, mergeMetadata, oneOf, type Filter, type SimCore } from "../core.js";
import * as defaults from "../defaults.js";
import { invalidRequest, StripeApiError } from "../errors.js";
import type { Route } from "../routes.js";
import type { StripeObject } from "../types.js";
import { applyPendingUpdate, checkPendingUpdateParams, pendingUpdateExpiry } from "../pendingUpdates.js";

const PRORATION = ["create_prorations", "none", "always_invoice"] as const;
const PAYMENT_BEHAVIOR = ["allow_incomplete", "default_incomplete", "error_if_incomplete", "pending_if_incomplete"] as const;

function checkPaymentMethod(sim: SimCore, customerId: string, pmId: unknown, param: string): void {
  if (pmId === undefined || pmId === "") return;
  const pm = getTyped(sim, "payment_method", pmId, param);
  if (pm.customer !== customerId) {
    throw invalidRequest(`The customer does not have a payment method with the ID ${pm.id}. The payment method must be attached to the customer.`, param, "resource_missing");
  }
}

export function createSubscription(sim: SimCore, params: Record<string, any>): StripeObject {
  if (!params.customer) throw invalidRequest("Missing required param: customer.", "customer", "parameter_missing");
  const customer = getTyped(sim, "customer", params.customer, "customer");
  const items = asArray(params.items);
  if (items.length === 0) throw invalidRequest("Missing required param: items.", "items", "parameter_missing");
  checkPaymentMethod(sim, customer.id, params.default_payment_method, "default_payment_method");
  const behavior = oneOf(params, "payment_behavior", PAYMENT_BEHAVIOR) ?? "allow_incomplete";
  const now = sim.now();
  const trialDays = int(params.trial_period_days);
  const trialEnd = params.trial_end === "now" ? undefined : (int(params.trial_end) ?? (trialDays ? now + trialDays * 86400 : undefined));
  const sub = defaults.subscription(
    {
      customer: customer.id,
      collection_method: oneOf(params, "collection_method", ["charge_automatically", "send_invoice"] as const) ?? "charge_automatically",
      days_until_due: int(params.days_until_due) ?? null,
      default_payment_method: params.default_payment_method || null,
      description: params.description ?? null,
      metadata: mergeMetadata({}, params.metadata),
      cancel_at_period_end: bool(params.cancel_at_period_end) ?? false,
      cancel_at: int(params.cancel_at) ?? null,
      status: "incomplete",
      billing_cycle_anchor: now,
      start_date: now,
      trial_start: trialEnd ? now : null,
      trial_end: trialEnd ?? null,
    },
    now,
  );
  const seen = new Set<string>();
  for (const [i, it] of items.entries()) {
    const price = requireRecurringPrice(sim, it.price, `items[${i}][price]`);
    if (seen.has(price.id)) throw invalidRequest("Cannot add multiple subscription items with the same plan.", `items[${i}][price]`);
    seen.add(price.id);
    const item = newSubscriptionItem(sim, sub.id, price, int(it.quantity) ?? 1, now, mergeMetadata({}, it.metadata));
    if (trialEnd) item.current_period_end = trialEnd;
    sub.items.data.push(item);
    sub.currency = price.currency;
  }
  sub.items.total_count = sub.items.data.length;
  sim.store.put(sub);

  const inv = invoiceSubscription(sim, sub, "subscription_create", trialEnd ? cycleLines(sim, sub).map((l) => ({ ...l, amount: 0, description: `Trial period for ${l.description}` })) : cycleLines(sim, sub));
  if (inv.status === "paid") {
    sub.status = trialEnd ? "trialing" : "active";
  } else if (sub.collection_method === "send_invoice") {
    sub.status = "active";
  } else if (behavior !== "default_incomplete") {
    const outcome = attemptInvoice(sim, inv, { automatic: true });
    sub.status = outcome.kind === "paid" ? "active" : "incomplete";
    if (outcome.kind === "failed") inv.next_payment_attempt = null;
    sim.store.put(inv);
    if (outcome.kind === "failed" && behavior === "error_if_incomplete") {
      sub.status = "incomplete_expired";
      sim.store.put(sub);
      if (outcome.error) throw new StripeApiError(402, outcome.error);
    }
  }
  sim.store.put(sub);
  emit(sim, "customer.subscription.created", sub);
  return sub;
}

/** Applies item changes now; returns proration lines for the price/quantity differences. */
function applyItems(sim: SimCore, sub: StripeObject, changes: any[], now: number): Line[] {
  const lines: Line[] = [];
  const data: any[] = sub.items.data;
  for (const [i, ch] of changes.entries()) {
    if (ch.id) {
      const idx = data.findIndex((x) => x.id === ch.id);
      if (idx < 0) throw invalidRequest(`No such subscription item: '${ch.id}'`, `items[${i}][id]`, "resource_missing");
      const item = data[idx];
      if (bool(ch.deleted)) {
        lines.push(...prorationLines(sim, item, { price: item.price, quantity: item.quantity ?? 1 }, { price: item.price, quantity: 0 }, now));
        data.splice(idx, 1);
        continue;
      }
      const price = ch.price ? requireRecurringPrice(sim, ch.price, `items[${i}][price]`) : item.price;
      const quantity = int(ch.quantity) ?? item.quantity ?? 1;
      if (price.id !== item.price.id || quantity !== item.quantity) {
        lines.push(...prorationLines(sim, item, { price: item.price, quantity: item.quantity ?? 1 }, { price, quantity }, now));
        item.price = structuredClone(price);
        item.plan = planOf(price);
        item.quantity = quantity;
      }
      if (ch.metadata !== undefined) item.metadata = mergeMetadata(item.metadata, ch.metadata);
    } else {
      const price = requireRecurringPrice(sim, ch.price, `items[${i}][price]`);
      if (data.some((x) => x.price?.id === price.id)) {
        throw invalidRequest("Cannot add multiple subscription items with the same plan.", `items[${i}][price]`);
      }
      const anchor = data[0];
      const item = newSubscriptionItem(sim, sub.id, price, int(ch.quantity) ?? 1, anchor?.current_period_start ?? now, mergeMetadata({}, ch.metadata));
      if (anchor) item.current_period_end = anchor.current_period_end;
      lines.push(...prorationLines(sim, item, { price, quantity: 0 }, { price, quantity: item.quantity }, now));
      data.push(item);
    }
  }
  sub.items.total_count = data.length;
  if (data.length === 0) throw invalidRequest("A subscription must have at least one active plan.", "items");
  return lines;
}

/** Bills prorations per `proration_behavior`; shared with schedule phase edits. */
export function billProrations(sim: SimCore, sub: StripeObject, lines: Line[], behavior: string): void {
  const nonZero = lines.filter((l) => l.amount !== 0);
  if (behavior === "none" || nonZero.length === 0) return;
  if (behavior === "create_prorations") {
    sim.pendingItems.set(sub.id, [...(sim.pendingItems.get(sub.id) ?? []), ...nonZero]);
    return;
  }
  const inv = invoiceSubscription(sim, sub, "subscription_update", nonZero);
  if (inv.status === "open" && sub.collection_method === "charge_automatically") attemptInvoice(sim, inv, { automatic: true });
}

function updateSubscription(sim: SimCore, sub: StripeObject, params: Record<string, any>): StripeObject {
  const now = sim.now();
  if (sub.status === "canceled" || sub.status === "incomplete_expired") {
    const allowed = Object.keys(params).every((k) => ["metadata", "cancellation_details", "expand"].includes(k));
    if (!allowed) throw invalidRequest("A canceled subscription can only update its cancellation_details and metadata.", null);
  }
  if (sub.schedule && (params.cancel_at_period_end !== undefined || params.cancel_at !== undefined)) {
    throw invalidRequest(
      `The subscription is managed by the subscription schedule \`${sub.schedule}\`, and updating any cancelation behavior directly is not allowed. Please update the schedule instead.`,
      null,
    );
  }
  checkPaymentMethod(sim, sub.customer, params.default_payment_method, "default_payment_method");
  const proration = oneOf(params, "proration_behavior", PRORATION) ?? "create_prorations";
  const payment = oneOf(params, "payment_behavior", PAYMENT_BEHAVIOR);
  if (payment === "pending_if_incomplete") {
    checkPendingUpdateParams(sub, params);
    if (params.items !== undefined && proration === "always_invoice") return updateWithPendingUpdate(sim, sub, params, now);
  }
  const before = structuredClone(sub);
  const changes: Record<string, any> = {
    metadata: params.metadata !== undefined ? mergeMetadata(sub.metadata, params.metadata) : undefined,
    description: params.description === "" ? null : params.description,
    default_payment_method: params.default_payment_method === "" ? null : params.default_payment_method,
    collection_method: params.collection_method,
    days_until_due: int(params.days_until_due),
  };
  const capeBool = bool(params.cancel_at_period_end);
  if (capeBool !== undefined) {
    changes.cancel_at_period_end = capeBool;
    changes.cancel_at = capeBool ? periodEnd(sub) : null;
    changes.canceled_at = capeBool ? now : null;
  }
  if (params.cancel_at !== undefined) {
    changes.cancel_at = params.cancel_at === "" ? null : (params.cancel_at === "min_period_end" ? periodEnd(sub) : int(params.cancel_at));
    changes.cancel_at_period_end = false;
  }
  if (params.cancellation_details && typeof params.cancellation_details === "object") {
    changes.cancellation_details = { ...sub.cancellation_details, ...params.cancellation_details };
  }
  if (params.pause_collection !== undefined) {
    if (params.pause_collection === "") changes.pause_collection = null;
    else {
      const behavior = oneOf(params.pause_collection, "behavior", ["keep_as_draft", "mark_uncollectible", "void"] as const);
      if (!behavior) throw invalidRequest("Missing required param: pause_collection[behavior].", "pause_collection[behavior]", "parameter_missing");
      changes.pause_collection = { behavior, resumes_at: int(params.pause_collection.resumes_at) ?? null };
    }
  }
  const previous = change(sub, changes);
  let lines: Line[] = [];
  if (params.items !== undefined) {
    lines = applyItems(sim, sub, asArray(params.items), now);
    if (JSON.stringify(before.items) !== JSON.stringify(sub.items)) previous.items = before.items;
  }
  if (params.billing_cycle_anchor === "now") {
    for (const it of sub.items.data) {
      it.current_period_start = now;
      it.current_period_end = addInterval(now, it.price.recurring);
    }
    sub.billing_cycle_anchor = now;
    previous.billing_cycle_anchor = before.billing_cycle_anchor;
    previous.items = before.items;
  }
  sim.store.put(sub);
  if (Object.keys(previous).length) emit(sim, "customer.subscription.updated", sub, previous);
  if (params.billing_cycle_anchor === "now") {
    const credit = proration === "none" ? [] : lines.filter((l) => l.amount < 0);
    const inv = invoiceSubscription(sim, sub, "subscription_update", [...credit, ...cycleLines(sim, sub)]);
    if (inv.status === "open" && sub.collection_method === "charge_automatically") attemptInvoice(sim, inv, { automatic: true });
  } else {
    billProrations(sim, sub, lines, proration);
  }
  return sub;
}

/**
 * An item change billed now (always_invoice) that applies only once its invoice is paid: paid at once, the change
 * is made; declined, it waits in `pending_update` and the subscription stays as it was, still active.
 */
function updateWithPendingUpdate(sim: SimCore, sub: StripeObject, params: Record<string, any>, now: number): StripeObject {
  const draft = structuredClone(sub);
  const lines = applyItems(sim, draft, asArray(params.items), now).filter((l) => l.amount !== 0);
  const metadata = params.metadata !== undefined ? mergeMetadata(sub.metadata, params.metadata) : undefined;
  if (lines.length === 0) {
    // Nothing to pay: the update applies at once.
    const previous = change(sub, { items: draft.items, ...(metadata ? { metadata } : {}) });
    sim.store.put(sub);
    if (Object.keys(previous).length) emit(sim, "customer.subscription.updated", sub, previous);
    return sub;
  }
  sub.pending_update = {
    billing_cycle_anchor: null,
    expires_at: pendingUpdateExpiry(sub, now),
    subscription_items: draft.items.data,
    trial_end: null,
    trial_from_plan: null,
    ...(metadata ? { metadata } : {}),
  };
  const inv = invoiceSubscription(sim, sub, "subscription_update", lines);
  if (inv.status === "paid") applyPendingUpdate(sim, sub);
  else if (inv.status === "open") attemptInvoice(sim, inv, { automatic: true });
  if (sub.pending_update) {
    sim.store.put(sub);
    emit(sim, "customer.subscription.updated", sub, { pending_update: null });
  }
  return sub;
}

/** DELETE /v1/subscriptions/:id's `prorate`: a credit for the unused time of each item, as pending prorations. */
function creditUnusedTime(sim: SimCore, sub: StripeObject, now: number): void {
  const credits = sub.items.data.flatMap((it: any) => prorationLines(sim, it, { price: it.price, quantity: it.quantity ?? 1 }, { price: it.price, quantity: 0 }, now)).filter((l: Line) => l.amount < 0);
  if (credits.length) sim.pendingItems.set(sub.id, [...(sim.pendingItems.get(sub.id) ?? []), ...credits]);
}

export const subscriptionRoutes: Route[] = [
  { method: "POST", path: "/v1/subscriptions", handler: (sim, { params }) => createSubscription(sim, params) },
  { method: "GET", path: "/v1/subscriptions/:id", handler: (sim, { pathParams }) => getTyped(sim, "subscription", pathParams.id, "id") },
  {
    method: "POST",
    path: "/v1/subscriptions/:id",
    handler: (sim, { pathParams, params }) => updateSubscription(sim, getTyped(sim, "subscription", pathParams.id, "id"), params),
  },
  {
    method: "DELETE",
    path: "/v1/subscriptions/:id",
    handler: (sim, { pathParams, params }) => {
      const sub = getTyped(sim, "subscription", pathParams.id, "id");
      if (sub.status === "canceled") {
        throw invalidRequest(`No such subscription: '${sub.id}'. This subscription has already been canceled.`, "id", "resource_missing");
      }
      const details = typeof params.cancellation_details === "object" ? params.cancellation_details : {};
      if (sub.schedule) {
        const sched = sim.store.get(sub.schedule);
        if (sched) {
          Object.assign(sched, { status: "canceled", canceled_at: sim.now(), current_phase: null });
          sim.store.put(sched);
          emit(sim, "subscription_schedule.canceled", sched);
        }
      }
      const invoiceNow = bool(params.invoice_now) ?? false;
      const prorate = bool(params.prorate) ?? false;
      if (prorate) creditUnusedTime(sim, sub, sim.now());
      cancelSubscription(sim, sub, "cancellation_requested", details);
      if (invoiceNow && sim.pendingItems.get(sub.id)?.length) {
        const inv = invoiceSubscription(sim, sub, "subscription_update", []);
        if (inv.status === "open") attemptInvoice(sim, inv, { automatic: true });
      } else if (!invoiceNow && !prorate) {
        // "pending prorations are removed if invoice_now and prorate are both set to false"
        sim.pendingItems.delete(sub.id);
      }
      return sub;
    },
  },
  {
    method: "GET",
    path: "/v1/subscriptions",
    handler: (sim, { params }) => {
      const extra: Filter[] = [];
      const status = params.status;
      if (status === undefined) extra.push((o) => o.status !== "canceled" && o.status !== "incomplete_expired");
      else if (status === "ended") extra.push((o) => o.status === "canceled" || o.status === "incomplete_expired");
      else if (status !== "all") extra.push((o) => o.status === status);
      if (params.price) extra.push((o) => o.items?.data?.some((i: any) => i.price?.id === params.price));
      if (params.collection_method) extra.push((o) => o.collection_method === params.collection_method);
      return listResponse(sim, "subscription", "/v1/subscriptions", params, { customer: "customer" }, extra);
    },
  },
];
