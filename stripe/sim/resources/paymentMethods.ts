// Payment methods: Stripe's magic test ids become real payment methods; attach, detach, retrieve, update, list.
import { change, emit, getTyped, listResponse, mergeMetadata, type SimCore } from "../core.js";
import * as defaults from "../defaults.js";
import { invalidRequest, noSuch } from "../errors.js";
import type { Route } from "../routes.js";
import { testCard } from "../testCards.js";
import type { StripeObject } from "../types.js";

/**
 * The payment method an API parameter names. A magic test id (`pm_card_visa`, `pm_sim_decline_first_3`) makes a
 * new payment method each time, as Stripe does, remembering which test card it came from.
 */
export function resolvePaymentMethod(sim: SimCore, ref: string, param = "payment_method"): StripeObject {
  const existing = sim.store.get(ref);
  if (existing && existing.object === "payment_method") return existing;
  const tc = testCard(ref);
  if (!tc) throw noSuch("pm", ref, param);
  const now = sim.now();
  const lastMonth = new Date(now * 1000);
  lastMonth.setUTCDate(1);
  lastMonth.setUTCMonth(lastMonth.getUTCMonth() - 1);
  const pm = defaults.paymentMethod(
    {
      card: {
        ...(tc.expired ? { exp_month: lastMonth.getUTCMonth() + 1, exp_year: lastMonth.getUTCFullYear() } : {}),
        brand: tc.card.brand,
        display_brand: tc.card.brand,
        last4: tc.card.last4,
        funding: tc.card.funding,
        country: tc.card.country,
        networks: { available: [tc.card.brand], preferred: null },
        fingerprint: `sim${tc.card.last4}${tc.card.brand}`.padEnd(16, "0").slice(0, 16),
      },
    },
    now,
  );
  sim.store.put(pm);
  sim.pmOrigins.set(pm.id, ref);
  return pm;
}

export function attachPaymentMethod(sim: SimCore, ref: string, customerId: string): StripeObject {
  const pm = resolvePaymentMethod(sim, ref);
  if (pm.customer && pm.customer !== customerId) {
    throw invalidRequest(
      "The payment method you provided has already been attached to a customer.",
      "payment_method",
      "payment_method_unexpected_state",
    );
  }
  if (pm.customer === customerId) return pm;
  pm.customer = customerId;
  sim.store.put(pm);
  emit(sim, "payment_method.attached", pm);
  return pm;
}

export const paymentMethodRoutes: Route[] = [
  {
    method: "POST",
    path: "/v1/payment_methods",
    handler: (sim, { params }) => {
      if (params.type !== undefined && params.type !== "card") throw invalidRequest("The simulator supports card payment methods only.", "type");
      const source = params.payment_method ?? params.card?.token ?? "pm_card_visa";
      const pm = resolvePaymentMethod(sim, source === "tok_visa" ? "pm_card_visa" : source);
      pm.metadata = mergeMetadata(pm.metadata, params.metadata);
      if (params.billing_details && typeof params.billing_details === "object") pm.billing_details = { ...pm.billing_details, ...params.billing_details };
      return sim.store.put(pm);
    },
  },
  {
    method: "GET",
    path: "/v1/payment_methods/:id",
    handler: (sim, { pathParams }) => resolvePaymentMethod(sim, pathParams.id!, "payment_method"),
  },
  {
    method: "POST",
    path: "/v1/payment_methods/:id",
    handler: (sim, { pathParams, params }) => {
      const pm = getTyped(sim, "payment_method", pathParams.id, "payment_method");
      const previous = change(pm, {
        metadata: params.metadata !== undefined ? mergeMetadata(pm.metadata, params.metadata) : undefined,
        billing_details: params.billing_details && typeof params.billing_details === "object" ? { ...pm.billing_details, ...params.billing_details } : undefined,
      });
      sim.store.put(pm);
      if (Object.keys(previous).length) emit(sim, "payment_method.updated", pm, previous);
      return pm;
    },
  },
  {
    method: "POST",
    path: "/v1/payment_methods/:id/attach",
    handler: (sim, { pathParams, params }) => {
      if (!params.customer) throw invalidRequest("Missing required param: customer.", "customer", "parameter_missing");
      getTyped(sim, "customer", params.customer, "customer");
      return attachPaymentMethod(sim, pathParams.id!, params.customer);
    },
  },
  {
    method: "POST",
    path: "/v1/payment_methods/:id/detach",
    handler: (sim, { pathParams }) => {
      const pm = getTyped(sim, "payment_method", pathParams.id, "payment_method");
      if (!pm.customer) {
        throw invalidRequest("The payment method you provided is not attached to a customer so detachment is impossible.", null, "payment_method_unexpected_state");
      }
      const customer = sim.store.get(pm.customer);
      const previous = change(pm, { customer: null });
      sim.store.put(pm);
      if (customer?.invoice_settings?.default_payment_method === pm.id) {
        customer.invoice_settings = { ...customer.invoice_settings, default_payment_method: null };
        sim.store.put(customer);
      }
      emit(sim, "payment_method.detached", pm, previous);
      return pm;
    },
  },
  {
    method: "GET",
    path: "/v1/payment_methods",
    handler: (sim, { params }) => listResponse(sim, "payment_method", "/v1/payment_methods", params, { customer: "customer", type: "type" }),
  },
];
