// Charging a payment method: the Charge with its outcome, the PaymentIntent's new state, their events, and the
// card error Stripe returns on a decline. Shared by PaymentIntents, invoice payments and subscriptions.
import { emit, type SimCore } from "./core.js";
import * as defaults from "./defaults.js";
import { docUrl, type StripeErrorBody } from "./errors.js";
import { newId } from "./ids.js";
import { behaviourOf, DECLINES, type Decline } from "./testCards.js";
import type { StripeObject } from "./types.js";
import { createDispute } from "./resources/disputes.js";

export type AttemptResult =
  | { kind: "succeeded"; charge: StripeObject }
  | { kind: "declined"; charge: StripeObject; error: StripeErrorBody }
  | { kind: "requires_action" };

/** A card past the last day of its expiry month declines as expired, whatever its number, as at any issuer. */
export function hasExpired(card: { exp_month?: number; exp_year?: number } | null | undefined, now: number): boolean {
  if (!card || typeof card.exp_month !== "number" || typeof card.exp_year !== "number") return false;
  return now >= Date.UTC(card.exp_year, card.exp_month, 1) / 1000; // the first instant of the month after expiry
}

/** Confirms `pi` with `pm`: creates the charge, updates the PaymentIntent, emits their events. */
export function attemptPayment(sim: SimCore, pi: StripeObject, pm: StripeObject, opts: { offSession: boolean }): AttemptResult {
  const origin = sim.pmOrigins.get(pm.id);
  let behaviour = hasExpired(pm.card, sim.now()) ? ({ kind: "decline", decline: DECLINES.expired_card } as const) : behaviourOf(pm, origin);
  if (behaviour.kind === "decline_first") {
    // Attached methods count their own attempts; an unattached magic id counts per magic id, so reusing it works too.
    const key = pm.customer ? pm.id : (origin ?? pm.id);
    const n = (sim.attemptCounts.get(key) ?? 0) + 1;
    sim.attemptCounts.set(key, n);
    behaviour = n <= behaviour.n ? { kind: "decline", decline: DECLINES.insufficient_funds } : { kind: "succeed" };
  }
  if (behaviour.kind === "authentication_required") {
    if (!opts.offSession) {
      pi.status = "requires_action";
      pi.payment_method = pm.id;
      pi.next_action = {
        type: "use_stripe_sdk",
        use_stripe_sdk: { type: "three_d_secure_redirect", stripe_js: `https://hooks.stripe.com/3d_secure_2/hosted?merchant=acct_sim&payment_intent=${pi.id}`, source: newId("src") },
      };
      sim.store.put(pi);
      emit(sim, "payment_intent.requires_action", pi);
      return { kind: "requires_action" };
    }
    behaviour = { kind: "decline", decline: DECLINES.authentication_required };
  }

  const now = sim.now();
  const card = pm.card ?? {};
  const manual = pi.capture_method === "manual";
  const charge = defaults.charge(
    {
      amount: pi.amount,
      currency: pi.currency,
      customer: pi.customer ?? null,
      description: pi.description ?? null,
      payment_intent: pi.id,
      payment_method: pm.id,
      receipt_email: pi.receipt_email ?? null,
      metadata: { ...(pi.metadata ?? {}) },
      billing_details: pm.billing_details,
      payment_method_details: {
        card: {
          amount_authorized: pi.amount,
          brand: card.brand ?? "visa",
          checks: card.checks ?? { address_line1_check: null, address_postal_code_check: null, cvc_check: "pass" },
          country: card.country ?? "US",
          exp_month: card.exp_month ?? 12,
          exp_year: card.exp_year ?? 2030,
          fingerprint: card.fingerprint ?? null,
          funding: card.funding ?? "credit",
          last4: card.last4 ?? "4242",
          network: card.brand ?? "visa",
          network_transaction_id: String(Math.floor(Math.random() * 1e15)),
          three_d_secure: null,
          wallet: null,
        },
        type: "card",
      },
    },
    now,
  );

  if (behaviour.kind === "decline") {
    const d: Decline = behaviour.decline;
    Object.assign(charge, {
      status: "failed",
      paid: false,
      captured: false,
      failure_code: d.code,
      failure_message: d.message,
      outcome: {
        advice_code: d.advice_code,
        network_advice_code: null,
        network_decline_code: null,
        network_status: d.network_status,
        reason: d.reason,
        risk_level: d.risk_level,
        risk_score: d.risk_score,
        seller_message: d.seller_message,
        type: d.type,
      },
    });
    sim.store.put(charge);
    const error: StripeErrorBody = {
      type: "card_error",
      code: d.code,
      decline_code: d.decline_code,
      advice_code: d.advice_code,
      message: d.message,
      ...(d.param ? { param: d.param } : {}),
      charge: charge.id,
      doc_url: docUrl(d.code),
      payment_method: structuredClone(pm),
    };
    pi.status = "requires_payment_method";
    pi.last_payment_error = { ...error };
    pi.latest_charge = charge.id;
    pi.payment_method = null;
    pi.next_action = null;
    sim.store.put(pi);
    emit(sim, "charge.failed", charge);
    emit(sim, "payment_intent.payment_failed", pi);
    return { kind: "declined", charge, error: { ...error, payment_intent: structuredClone(pi) } };
  }

  Object.assign(charge, {
    status: "succeeded",
    paid: true,
    captured: !manual,
    amount_captured: manual ? 0 : pi.amount,
    balance_transaction: manual ? null : newId("txn"),
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: "approved_by_network",
      reason: behaviour.outcome_type === "manual_review" ? "elevated_risk_level" : null,
      risk_level: behaviour.risk_level ?? "normal",
      risk_score: behaviour.risk_score ?? 12,
      seller_message: "Payment complete.",
      type: behaviour.outcome_type ?? "authorized",
    },
  });
  sim.store.put(charge);
  Object.assign(pi, {
    status: manual ? "requires_capture" : "succeeded",
    amount_received: manual ? 0 : pi.amount,
    amount_capturable: manual ? pi.amount : 0,
    latest_charge: charge.id,
    payment_method: pm.id,
    last_payment_error: null,
    next_action: null,
  });
  sim.store.put(pi);
  emit(sim, "charge.succeeded", charge);
  emit(sim, manual ? "payment_intent.amount_capturable_updated" : "payment_intent.succeeded", pi);
  if (behaviour.dispute) createDispute(sim, charge, behaviour.dispute);
  return { kind: "succeeded", charge };
}
