// Triggers, like `stripe trigger`: create the objects a webhook event needs and let the simulator fire it.
import { attemptInvoice, cancelSubscription, cycleLines, invoiceSubscription, planOf } from "./billing.js";
import { emit, type SimCore } from "./core.js";
import * as defaults from "./defaults.js";
import { StripeApiError } from "./errors.js";
import { createDispute, createEarlyFraudWarning } from "./resources/disputes.js";
import { attachPaymentMethod } from "./resources/paymentMethods.js";
import { confirm } from "./resources/paymentIntents.js";
import { createRefund } from "./resources/refunds.js";
import { createSubscription } from "./resources/subscriptions.js";
import { paymentMethodForDecline } from "./testCards.js";
import type { StripeObject } from "./types.js";

export interface TriggerOptions {
  decline?: string;
  reason?: string;
  amount?: number;
}

export const TRIGGERS = [
  "invoice.payment_failed",
  "invoice.paid",
  "payment_intent.succeeded",
  "payment_intent.payment_failed",
  "charge.refunded",
  "charge.dispute.created",
  "radar.early_fraud_warning.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
] as const;

function catalogPrice(sim: SimCore, lookupKey: string, name: string, amount: number): StripeObject {
  const found = sim.store.page("price", { limit: 1, filter: (p) => p.lookup_key === lookupKey }).data[0];
  if (found) return found;
  const now = sim.now();
  const product = defaults.product({ name }, now);
  sim.store.put(product);
  emit(sim, "product.created", product);
  const price = defaults.price({ product: product.id, unit_amount: amount, currency: "usd", nickname: name, lookup_key: lookupKey, recurring: { interval: "month" } }, now);
  sim.store.put(price);
  emit(sim, "price.created", price);
  return price;
}

function customerWith(sim: SimCore, magicPm: string): { customer: StripeObject; pm: StripeObject } {
  const n = sim.store.list("customer").length + 1;
  const customer = defaults.customer({ email: `trigger${n}@example.com`, name: `Trigger Customer ${n}` }, sim.now());
  sim.store.put(customer);
  emit(sim, "customer.created", customer);
  const pm = attachPaymentMethod(sim, magicPm, customer.id);
  customer.invoice_settings = { ...customer.invoice_settings, default_payment_method: pm.id };
  sim.store.put(customer);
  return { customer, pm };
}

function paymentIntent(sim: SimCore, magicPm: string, amount: number): { pi: StripeObject; error: unknown } {
  const { customer, pm } = customerWith(sim, magicPm);
  const pi = defaults.paymentIntent({ amount, currency: "usd", customer: customer.id, description: "Triggered payment" }, sim.now());
  sim.store.put(pi);
  emit(sim, "payment_intent.created", pi);
  try {
    confirm(sim, pi, { payment_method: pm.id });
    return { pi, error: null };
  } catch (err) {
    if (err instanceof StripeApiError && err.status === 402) return { pi, error: err.body };
    throw err;
  }
}

/** Runs a trigger; returns the ids of what it made. Events go out as the simulator's own (request: null). */
export function runTrigger(sim: SimCore, type: string, opts: TriggerOptions = {}): Record<string, string | null> {
  const amount = opts.amount ?? 2900;
  switch (type) {
    case "invoice.payment_failed":
    case "invoice.paid": {
      const basic = catalogPrice(sim, "sim_basic", "Sim Basic", amount);
      const { customer } = customerWith(sim, "pm_card_visa");
      const sub = createSubscription(sim, { customer: customer.id, items: [{ price: basic.id }] });
      if (type === "invoice.payment_failed") {
        const bad = attachPaymentMethod(sim, paymentMethodForDecline(opts.decline ?? "insufficient_funds"), customer.id);
        customer.invoice_settings = { ...customer.invoice_settings, default_payment_method: bad.id };
        sim.store.put(customer);
      }
      const inv = invoiceSubscription(sim, sub, "subscription_cycle", cycleLines(sim, sub));
      attemptInvoice(sim, inv, { automatic: true });
      return { customer: customer.id, subscription: sub.id, invoice: inv.id };
    }
    case "payment_intent.succeeded":
    case "payment_intent.payment_failed": {
      const magic = type === "payment_intent.succeeded" ? "pm_card_visa" : paymentMethodForDecline(opts.decline ?? "generic_decline");
      const { pi } = paymentIntent(sim, magic, amount);
      return { customer: pi.customer, payment_intent: pi.id, charge: pi.latest_charge };
    }
    case "charge.refunded": {
      const { pi } = paymentIntent(sim, "pm_card_visa", amount);
      const refund = createRefund(sim, { charge: pi.latest_charge, reason: "requested_by_customer" });
      return { customer: pi.customer, payment_intent: pi.id, charge: pi.latest_charge, refund: refund.id };
    }
    case "charge.dispute.created": {
      const { pi } = paymentIntent(sim, "pm_card_visa", amount);
      const charge = sim.store.get(pi.latest_charge)!;
      const dp = createDispute(sim, charge, { reason: opts.reason ?? "fraudulent", status: "needs_response" });
      return { customer: pi.customer, payment_intent: pi.id, charge: charge.id, dispute: dp.id };
    }
    case "radar.early_fraud_warning.created": {
      const { pi } = paymentIntent(sim, "pm_card_visa", amount);
      const charge = sim.store.get(pi.latest_charge)!;
      const efw = createEarlyFraudWarning(sim, charge, opts.reason ?? "made_with_stolen_card");
      return { customer: pi.customer, payment_intent: pi.id, charge: charge.id, early_fraud_warning: efw.id };
    }
    case "customer.subscription.updated":
    case "customer.subscription.deleted": {
      const basic = catalogPrice(sim, "sim_basic", "Sim Basic", 2900);
      const pro = catalogPrice(sim, "sim_pro", "Sim Pro", 7900);
      const { customer } = customerWith(sim, "pm_card_visa");
      const sub = createSubscription(sim, { customer: customer.id, items: [{ price: basic.id }] });
      if (type === "customer.subscription.deleted") {
        cancelSubscription(sim, sub, "cancellation_requested");
      } else {
        const before = structuredClone(sub.items);
        const item = sub.items.data[0];
        item.price = structuredClone(pro);
        item.plan = planOf(pro);
        sim.store.put(sub);
        emit(sim, "customer.subscription.updated", sub, { items: before });
      }
      return { customer: customer.id, subscription: sub.id };
    }
    default:
      throw new Error(`unknown trigger ${type}; known: ${TRIGGERS.join(", ")}`);
  }
}
