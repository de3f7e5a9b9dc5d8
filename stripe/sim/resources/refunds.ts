// Refunds: on a charge or a PaymentIntent, partial or full, refused past the refundable amount and on a disputed
// charge unless the dispute says the charge is still refundable.
import { change, emit, getTyped, listResponse, mergeMetadata, oneOf, requireAmount, type SimCore } from "../core.js";
import * as defaults from "../defaults.js";
import { invalidRequest } from "../errors.js";
import { newId } from "../ids.js";
import type { Route } from "../routes.js";
import type { StripeObject } from "../types.js";

const REASONS = ["duplicate", "fraudulent", "requested_by_customer"] as const;
const money = (n: number) => `$${(n / 100).toFixed(2)}`;

function disputeOf(sim: SimCore, chargeId: string): StripeObject | undefined {
  return sim.store.page("dispute", { limit: 1, filter: (d) => d.charge === chargeId }).data[0];
}

export function createRefund(sim: SimCore, params: Record<string, any>): StripeObject {
  let charge: StripeObject;
  if (params.charge) {
    charge = getTyped(sim, "charge", params.charge, "charge");
  } else if (params.payment_intent) {
    const pi = getTyped(sim, "payment_intent", params.payment_intent, "payment_intent");
    if (!pi.latest_charge || pi.status !== "succeeded") {
      throw invalidRequest(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, "payment_intent", "charge_not_refundable");
    }
    charge = getTyped(sim, "charge", pi.latest_charge, "payment_intent");
  } else {
    throw invalidRequest("One of the following params should be provided for this request: payment_intent or charge.", null, "parameter_missing");
  }
  if (charge.status !== "succeeded" || !charge.paid) {
    throw invalidRequest(`Charge ${charge.id} has not succeeded; cannot issue a refund.`, "charge", "charge_not_refundable");
  }
  if (!charge.captured) throw invalidRequest(`Charge ${charge.id} has not been captured; cancel its PaymentIntent instead.`, "charge", "charge_not_refundable");
  if (charge.disputed) {
    const dispute = disputeOf(sim, charge.id);
    if (!dispute || !dispute.is_charge_refundable) {
      throw invalidRequest(`Charge ${charge.id} has been charged back; cannot issue a refund.`, null, "charge_disputed");
    }
  }
  const refundable = charge.amount_captured - charge.amount_refunded;
  if (refundable <= 0) throw invalidRequest(`Charge ${charge.id} has already been refunded.`, null, "charge_already_refunded");
  const amount = requireAmount(params, "amount", false) ?? refundable;
  if (amount < 1) throw invalidRequest("Refund amount must be positive.", "amount");
  if (amount > refundable) {
    throw invalidRequest(
      `Refund amount (${money(amount)}) is greater than unrefunded amount on charge (${money(refundable)})`,
      "amount",
      "amount_too_large",
    );
  }
  const refund = defaults.refund(
    {
      amount,
      charge: charge.id,
      currency: charge.currency,
      payment_intent: charge.payment_intent ?? null,
      payment_method: charge.payment_method ?? null,
      customer: charge.customer ?? null,
      reason: oneOf(params, "reason", REASONS) ?? null,
      metadata: mergeMetadata({}, params.metadata),
      balance_transaction: newId("txn"),
    },
    sim.now(),
  );
  sim.store.put(refund);
  const previous = change(charge, { amount_refunded: charge.amount_refunded + amount, refunded: charge.amount_refunded + amount >= charge.amount_captured });
  sim.store.put(charge);
  emit(sim, "refund.created", refund);
  emit(sim, "charge.refunded", charge, previous);
  return refund;
}

export const refundRoutes: Route[] = [
  { method: "POST", path: "/v1/refunds", handler: (sim, { params }) => createRefund(sim, params) },
  { method: "GET", path: "/v1/refunds/:id", handler: (sim, { pathParams }) => getTyped(sim, "refund", pathParams.id, "id") },
  {
    method: "POST",
    path: "/v1/refunds/:id",
    handler: (sim, { pathParams, params }) => {
      const r = getTyped(sim, "refund", pathParams.id, "id");
      const previous = change(r, { metadata: params.metadata !== undefined ? mergeMetadata(r.metadata, params.metadata) : undefined });
      sim.store.put(r);
      if (Object.keys(previous).length) emit(sim, "refund.updated", r, previous);
      return r;
    },
  },
  {
    method: "GET",
    path: "/v1/refunds",
    handler: (sim, { params }) => listResponse(sim, "refund", "/v1/refunds", params, { charge: "charge", payment_intent: "payment_intent" }),
  },
  {
    method: "POST",
    path: "/v1/charges/:id/refunds",
    handler: (sim, { pathParams, params }) => createRefund(sim, { ...params, charge: pathParams.id }),
  },
];
