// PaymentIntents: create (optionally confirming), confirm, capture, cancel, update, retrieve, list; and charges.
import { bool } from "../form.js";
import { change, emit, getTyped, listResponse, mergeMetadata, oneOf, requireAmount, type SimCore } from "../core.js";
import * as defaults from "../defaults.js";
import { invalidRequest, StripeApiError } from "../errors.js";
import { attemptPayment } from "../payments.js";
import type { Route } from "../routes.js";
import type { StripeObject } from "../types.js";
import { attachPaymentMethod, resolvePaymentMethod } from "./paymentMethods.js";

const CONFIRMABLE = ["requires_payment_method", "requires_confirmation", "requires_action"];

function unexpectedState(pi: StripeObject, action: string): StripeApiError {
  return invalidRequest(
    `This PaymentIntent's ${action} could not be performed because it has a status of ${pi.status}.`,
    null,
    "payment_intent_unexpected_state",
  );
}

/** Confirms and turns a decline into Stripe's 402 card error (the PaymentIntent keeps its failed state). */
export function confirm(sim: SimCore, pi: StripeObject, params: Record<string, any>): StripeObject {
  if (!CONFIRMABLE.includes(pi.status)) throw unexpectedState(pi, "confirm");
  const pmRef = params.payment_method ?? pi.payment_method;
  if (!pmRef) {
    throw invalidRequest(
      "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent with " +
        `${pi.customer ?? "a customer"}, specify a payment method attached to this customer along with the customer ID.`,
      "payment_method",
      "payment_intent_unexpected_state",
    );
  }
  const pm = resolvePaymentMethod(sim, pmRef);
  if (pm.customer && pi.customer && pm.customer !== pi.customer) {
    throw invalidRequest(`The provided PaymentMethod belongs to another customer.`, "payment_method");
  }
  if (pm.customer && !pi.customer) {
    throw invalidRequest(
      "The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again.",
      "payment_method",
    );
  }
  if (params.setup_future_usage && pi.customer && !pm.customer) attachPaymentMethod(sim, pm.id, pi.customer);
  const offSession = bool(params.off_session) ?? sim.offSessionIntents.has(pi.id);
  const result = attemptPayment(sim, pi, pm, { offSession });
  if (result.kind === "declined") throw new StripeApiError(402, result.error);
  return pi;
}

export const paymentIntentRoutes: Route[] = [
  {
    method: "POST",
    path: "/v1/payment_intents",
    handler: (sim, { params }) => {
      const amount = requireAmount(params, "amount")!;
      if (amount < 50) throw invalidRequest("Amount must be at least $0.50 usd", "amount", "amount_too_small");
      if (!params.currency) throw invalidRequest("Missing required param: currency.", "currency", "parameter_missing");
      if (params.customer) getTyped(sim, "customer", params.customer, "customer");
      const offSession = bool(params.off_session);
      if (offSession !== undefined && bool(params.confirm) !== true) {
        throw invalidRequest("You can only pass in `off_session` when `confirm` is set to true.", "off_session");
      }
      const pi = defaults.paymentIntent(
        {
          amount,
          currency: String(params.currency).toLowerCase(),
          customer: params.customer ?? null,
          description: params.description ?? null,
          receipt_email: params.receipt_email ?? null,
          metadata: mergeMetadata({}, params.metadata),
          capture_method: oneOf(params, "capture_method", ["automatic", "automatic_async", "manual"] as const) ?? "automatic_async",
          setup_future_usage: params.setup_future_usage ?? null,
          statement_descriptor: params.statement_descriptor ?? null,
          automatic_payment_methods: params.automatic_payment_methods?.enabled ? { allow_redirects: "always", enabled: true } : null,
          status: params.payment_method ? "requires_confirmation" : "requires_payment_method",
        },
        sim.now(),
      );
      if (offSession) sim.offSessionIntents.add(pi.id);
      sim.store.put(pi);
      if (params.payment_method) pi.payment_method = resolvePaymentMethod(sim, params.payment_method).id;
      emit(sim, "payment_intent.created", pi);
      if (bool(params.confirm)) confirm(sim, pi, { ...params, payment_method: pi.payment_method ?? undefined });
      return pi;
    },
  },
  { method: "GET", path: "/v1/payment_intents/:id", handler: (sim, { pathParams }) => getTyped(sim, "payment_intent", pathParams.id, "intent") },
  {
    method: "POST",
    path: "/v1/payment_intents/:id",
    handler: (sim, { pathParams, params }) => {
      const pi = getTyped(sim, "payment_intent", pathParams.id, "intent");
      if (params.amount !== undefined && !CONFIRMABLE.includes(pi.status)) throw unexpectedState(pi, "update");
      const previous = change(pi, {
        amount: requireAmount(params, "amount", false),
        description: params.description === "" ? null : params.description,
        receipt_email: params.receipt_email === "" ? null : params.receipt_email,
        metadata: params.metadata !== undefined ? mergeMetadata(pi.metadata, params.metadata) : undefined,
        payment_method: params.payment_method ? resolvePaymentMethod(sim, params.payment_method).id : undefined,
      });
      sim.store.put(pi);
      if (Object.keys(previous).length) emit(sim, "payment_intent.updated", pi, previous);
      return pi;
    },
  },
  {
    method: "POST",
    path: "/v1/payment_intents/:id/confirm",
    handler: (sim, { pathParams, params }) => confirm(sim, getTyped(sim, "payment_intent", pathParams.id, "intent"), params),
  },
  {
    method: "POST",
    path: "/v1/payment_intents/:id/capture",
    handler: (sim, { pathParams, params }) => {
      const pi = getTyped(sim, "payment_intent", pathParams.id, "intent");
      if (pi.status !== "requires_capture") throw unexpectedState(pi, "capture");
      const amount = requireAmount(params, "amount_to_capture", false) ?? pi.amount_capturable;
      if (amount > pi.amount_capturable) throw invalidRequest("The amount to capture exceeds the capturable amount.", "amount_to_capture");
      const charge = sim.store.get(pi.latest_charge)!;
      Object.assign(charge, { captured: true, amount_captured: amount, balance_transaction: `txn_${charge.id.slice(3)}` });
      sim.store.put(charge);
      Object.assign(pi, { status: "succeeded", amount_received: amount, amount_capturable: 0 });
      sim.store.put(pi);
      emit(sim, "charge.captured", charge);
      emit(sim, "payment_intent.succeeded", pi);
      return pi;
    },
  },
  {
    method: "POST",
    path: "/v1/payment_intents/:id/cancel",
    handler: (sim, { pathParams, params }) => {
      const pi = getTyped(sim, "payment_intent", pathParams.id, "intent");
      if (!["requires_payment_method", "requires_capture", "requires_confirmation", "requires_action", "processing"].includes(pi.status)) {
        throw unexpectedState(pi, "cancel");
      }
      Object.assign(pi, { status: "canceled", canceled_at: sim.now(), cancellation_reason: params.cancellation_reason ?? null, amount_capturable: 0 });
      sim.store.put(pi);
      emit(sim, "payment_intent.canceled", pi);
      return pi;
    },
  },
  {
    method: "GET",
    path: "/v1/payment_intents",
    handler: (sim, { params }) => listResponse(sim, "payment_intent", "/v1/payment_intents", params, { customer: "customer" }),
  },
  { method: "GET", path: "/v1/charges/:id", handler: (sim, { pathParams }) => getTyped(sim, "charge", pathParams.id, "id") },
  {
    method: "POST",
    path: "/v1/charges/:id",
    handler: (sim, { pathParams, params }) => {
      const ch = getTyped(sim, "charge", pathParams.id, "id");
      const previous = change(ch, {
        description: params.description === "" ? null : params.description,
        metadata: params.metadata !== undefined ? mergeMetadata(ch.metadata, params.metadata) : undefined,
        receipt_email: params.receipt_email === "" ? null : params.receipt_email,
      });
      sim.store.put(ch);
      if (Object.keys(previous).length) emit(sim, "charge.updated", ch, previous);
      return ch;
    },
  },
  {
    method: "GET",
    path: "/v1/charges",
    handler: (sim, { params }) =>
      listResponse(sim, "charge", "/v1/charges", params, { customer: "customer", payment_intent: "payment_intent" }),
  },
];
