// Seeding from a scenario's `stripe` block (ids kept, Stripe's defaults filled in) and applying scenario events'
// objects under SCENARIOS.md's "newest wins" rule.
import { planOf } from "./billing.js";
import { addInterval, type SimCore } from "./core.js";
import * as defaults from "./defaults.js";
import { newId } from "./ids.js";
import type { StripeObject, StripeSeed } from "./types.js";

type Builder = (p: Record<string, any>, now: number) => StripeObject;

const BUILDERS: Record<string, Builder> = {
  customer: defaults.customer,
  product: defaults.product,
  price: defaults.price,
  payment_method: defaults.paymentMethod,
  payment_intent: defaults.paymentIntent,
  charge: defaults.charge,
  refund: defaults.refund,
  dispute: defaults.dispute,
  "radar.early_fraud_warning": defaults.earlyFraudWarning,
  invoice: defaults.invoice,
  invoice_payment: defaults.invoicePayment,
  subscription: defaults.subscription,
  subscription_schedule: defaults.subscriptionSchedule,
};

/** Seed keys in loading order (catalog and customers before what references them) and their object types. */
const SEED_TYPES: [keyof StripeSeed, string][] = [
  ["products", "product"],
  ["prices", "price"],
  ["customers", "customer"],
  ["payment_methods", "payment_method"],
  ["subscriptions", "subscription"],
  ["subscription_schedules", "subscription_schedule"],
  ["invoices", "invoice"],
  ["invoice_payments", "invoice_payment"],
  ["payment_intents", "payment_intent"],
  ["charges", "charge"],
  ["refunds", "refund"],
  ["disputes", "dispute"],
  ["early_fraud_warnings", "radar.early_fraud_warning"],
];

const PREFIX: Record<string, string> = {
  customer: "cus",
  product: "prod",
  price: "price",
  payment_method: "pm",
  payment_intent: "pi",
  charge: "ch",
  refund: "re",
  dispute: "dp",
  "radar.early_fraud_warning": "issfr",
  invoice: "in",
  invoice_payment: "inpay",
  subscription: "sub",
  subscription_schedule: "sub_sched",
};

export class SeedError extends Error {}

/** Fills what a seed or event object leaves out; nested objects given in full are kept as given. */
export function withDefaults(sim: SimCore, raw: Record<string, any>, type: string, now: number): StripeObject {
  const build = BUILDERS[type];
  if (!build) throw new SeedError(`unsupported object type ${type}`);
  const p: Record<string, any> = { ...raw, id: raw.id ?? newId(PREFIX[type]!), object: type };
  if (type === "price" && p.unit_amount != null && p.unit_amount_decimal === undefined) p.unit_amount_decimal = String(p.unit_amount);
  if (type === "subscription") return subscriptionWithDefaults(sim, p, now);
  // Scenario files may mark an intent off_session (how it was confirmed); Stripe has no such field on the object.
  if (type === "payment_intent" && "off_session" in p) {
    if (p.off_session === true) sim.offSessionIntents.add(p.id);
    delete p.off_session;
  }
  if (type === "invoice" && Array.isArray(p.lines)) p.lines = { object: "list", data: p.lines, has_more: false, total_count: p.lines.length, url: `/v1/invoices/${p.id}/lines` };
  if (type === "subscription_schedule" && Array.isArray(p.phases)) p.phases = p.phases.map((ph: any) => defaults.schedulePhase(ph));
  if (type === "subscription_schedule" && p.current_phase === undefined && p.status === "active" && Array.isArray(p.phases)) {
    const cur = p.phases.find((ph: any) => ph.start_date <= now && now < ph.end_date);
    p.current_phase = cur ? { start_date: cur.start_date, end_date: cur.end_date } : null;
  }
  return build(p, p.created ?? now);
}

function subscriptionWithDefaults(sim: SimCore, p: Record<string, any>, now: number): StripeObject {
  const created = p.created ?? now;
  const rawItems = Array.isArray(p.items) ? p.items : (p.items?.data ?? []);
  const anchor = p.billing_cycle_anchor ?? p.start_date ?? created;
  const items = rawItems.map((it: any) => {
    const price = typeof it.price === "string" ? (sim.store.get(it.price) ?? { id: it.price, object: "price" }) : it.price;
    const start = it.current_period_start ?? anchor;
    return defaults.subscriptionItem(
      {
        ...it,
        subscription: p.id,
        price,
        plan: it.plan ?? (price?.object === "price" && price.currency ? planOf(price) : null),
        current_period_start: start,
        current_period_end: it.current_period_end ?? addInterval(start, price?.recurring),
        created: it.created ?? created,
      },
      now,
    );
  });
  const sub = defaults.subscription({ ...p, items: { object: "list", data: items, has_more: false, total_count: items.length, url: `/v1/subscription_items?subscription=${p.id}` } }, created);
  if (!p.currency && items[0]?.price?.currency) sub.currency = items[0].price.currency;
  return sub;
}

export function seedStore(sim: SimCore, block: StripeSeed): void {
  if (!block || typeof block !== "object") throw new SeedError("seed must be an object (the `stripe` block of a scenario)");
  const now = sim.now();
  for (const [key, type] of SEED_TYPES) {
    const list = block[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw new SeedError(`stripe.${key} must be an array`);
    list.forEach((raw, i) => {
      if (!raw || typeof raw !== "object") throw new SeedError(`stripe.${key}[${i}] must be an object`);
      if (raw.object !== undefined && raw.object !== type) throw new SeedError(`stripe.${key}[${i}].object is ${String(raw.object)}, expected ${type}`);
      if (raw.id !== undefined && typeof raw.id !== "string") throw new SeedError(`stripe.${key}[${i}].id must be a string`);
      sim.store.put(withDefaults(sim, raw, type, now), null);
    });
  }
  for (const [i, ev] of (block.events ?? []).entries()) {
    if (!ev?.id || ev.object !== "event") throw new SeedError(`stripe.events[${i}] must be an event with an id`);
    sim.store.put(ev as StripeObject, null);
  }
}

/**
 * Writes a scenario event's `data.object` into the store unless the store already holds a newer version of that
 * object: one from an event with a later `created`, or one the simulator itself wrote at or after it.
 */
export function applyEventObject(sim: SimCore, event: { created: number; data: { object: any } }): boolean {
  const obj = event?.data?.object;
  if (!obj || typeof obj.id !== "string" || typeof obj.object !== "string") throw new SeedError("event.data.object needs an id and an object type");
  const created = typeof event.created === "number" ? event.created : sim.now();
  const v = sim.store.version(obj.id);
  if (v && (v.source === "sim" ? v.t >= created : v.t > created)) return false;
  const existing = sim.store.get(obj.id);
  const next = existing
    ? { ...existing, ...structuredClone(obj) }
    : BUILDERS[obj.object]
      ? withDefaults(sim, structuredClone(obj), obj.object, created)
      : structuredClone(obj);
  sim.store.put(next as StripeObject, { t: created, source: "event" });
  return true;
}
