// Stripe's test payment methods (docs.stripe.com/testing) and what charging them does, plus the simulator-only
// `pm_sim_decline_first_<N>`: declines its first N attempts with insufficient_funds, then succeeds.

export interface CardDetails {
  brand: string;
  last4: string;
  funding: "credit" | "debit" | "prepaid";
  country: string;
}

export interface Decline {
  code: string;
  decline_code: string;
  advice_code: string | null;
  message: string;
  param?: string;
  /** Charge outcome */
  network_status: "declined_by_network" | "not_sent_to_network";
  type: "issuer_declined" | "blocked";
  reason: string;
  risk_level: string;
  risk_score: number;
  seller_message: string;
}

export type CardBehaviour =
  | { kind: "succeed"; risk_level?: string; risk_score?: number; outcome_type?: string; dispute?: { reason: string; status: string } }
  | { kind: "decline"; decline: Decline }
  | { kind: "authentication_required" }
  | { kind: "decline_first"; n: number };

export interface TestCard {
  card: CardDetails;
  /** Made with an expiry already past (the month before the simulator's clock). */
  expired?: boolean;
  behaviour: CardBehaviour;
}

const visa = (last4: string): CardDetails => ({ brand: "visa", last4, funding: "credit", country: "US" });

function issuerDecline(decline_code: string, advice_code: string | null, message: string, code = "card_declined", param?: string): Decline {
  return {
    code,
    decline_code,
    advice_code,
    message,
    ...(param ? { param } : {}),
    network_status: "declined_by_network",
    type: "issuer_declined",
    reason: decline_code,
    risk_level: "normal",
    risk_score: 20,
    seller_message: `The bank returned the decline code \`${decline_code}\`.`,
  };
}

function radarBlock(reason: string, risk_level: string, risk_score: number): Decline {
  return {
    code: "card_declined",
    decline_code: "fraudulent",
    advice_code: "do_not_try_again",
    message: "Your card was declined.",
    network_status: "not_sent_to_network",
    type: "blocked",
    reason,
    risk_level,
    risk_score,
    seller_message: "Stripe blocked this payment as too risky.",
  };
}

export const DECLINES = {
  generic_decline: issuerDecline("generic_decline", null, "Your card was declined."),
  insufficient_funds: issuerDecline("insufficient_funds", "try_again_later", "Your card has insufficient funds."),
  lost_card: issuerDecline("lost_card", "do_not_try_again", "Your card was declined."),
  stolen_card: issuerDecline("stolen_card", "do_not_try_again", "Your card was declined."),
  expired_card: issuerDecline("expired_card", "confirm_card_data", "Your card has expired.", "expired_card", "exp_month"),
  incorrect_cvc: issuerDecline("incorrect_cvc", "confirm_card_data", "Your card's security code is incorrect.", "incorrect_cvc", "cvc"),
  processing_error: issuerDecline(
    "processing_error",
    "try_again_later",
    "An error occurred while processing your card. Try again in a little bit.",
    "processing_error",
  ),
  card_velocity_exceeded: issuerDecline(
    "card_velocity_exceeded",
    "try_again_later",
    "Your card was declined for making repeated attempts too frequently or exceeding its amount limit.",
  ),
  fraudulent: radarBlock("highest_risk_level", "highest", 95),
  authentication_required: issuerDecline(
    "authentication_required",
    null,
    "Your card was declined. This transaction requires authentication.",
    "authentication_required",
  ),
} satisfies Record<string, Decline>;

export type DeclineCode = keyof typeof DECLINES;

/** The magic payment method ids Stripe accepts in test mode, as the simulator knows them. */
export const TEST_PAYMENT_METHODS: Record<string, TestCard> = {
  pm_card_visa: { card: visa("4242"), behaviour: { kind: "succeed" } },
  pm_card_visa_debit: { card: { ...visa("5556"), funding: "debit" }, behaviour: { kind: "succeed" } },
  pm_card_mastercard: { card: { brand: "mastercard", last4: "4444", funding: "credit", country: "US" }, behaviour: { kind: "succeed" } },
  pm_card_amex: { card: { brand: "amex", last4: "8431", funding: "credit", country: "US" }, behaviour: { kind: "succeed" } },
  pm_card_discover: { card: { brand: "discover", last4: "1117", funding: "credit", country: "US" }, behaviour: { kind: "succeed" } },
  pm_card_chargeDeclined: { card: visa("0002"), behaviour: { kind: "decline", decline: DECLINES.generic_decline } },
  pm_card_chargeDeclinedInsufficientFunds: { card: visa("9995"), behaviour: { kind: "decline", decline: DECLINES.insufficient_funds } },
  pm_card_chargeDeclinedLostCard: { card: visa("9987"), behaviour: { kind: "decline", decline: DECLINES.lost_card } },
  pm_card_chargeDeclinedStolenCard: { card: visa("9979"), behaviour: { kind: "decline", decline: DECLINES.stolen_card } },
  pm_card_chargeDeclinedExpiredCard: { card: visa("0069"), behaviour: { kind: "decline", decline: DECLINES.expired_card } },
  pm_card_chargeDeclinedIncorrectCvc: { card: visa("0127"), behaviour: { kind: "decline", decline: DECLINES.incorrect_cvc } },
  pm_card_chargeDeclinedProcessingError: { card: visa("0119"), behaviour: { kind: "decline", decline: DECLINES.processing_error } },
  pm_card_chargeDeclinedVelocityLimitExceeded: {
    card: visa("6975"),
    behaviour: { kind: "decline", decline: DECLINES.card_velocity_exceeded },
  },
  pm_card_chargeDeclinedFraudulent: { card: visa("0019"), behaviour: { kind: "decline", decline: DECLINES.fraudulent } },
  pm_card_chargeCustomerFail: { card: visa("0341"), behaviour: { kind: "decline", decline: DECLINES.generic_decline } },
  pm_card_riskLevelHighest: { card: visa("4954"), behaviour: { kind: "decline", decline: radarBlock("highest_risk_level", "highest", 95) } },
  pm_card_radarBlock: { card: visa("0019"), behaviour: { kind: "decline", decline: radarBlock("rule", "normal", 40) } },
  pm_card_riskLevelElevated: {
    card: visa("9235"),
    behaviour: { kind: "succeed", risk_level: "elevated", risk_score: 74, outcome_type: "manual_review" },
  },
  // Simulator only: a card that expired last month, for dunning's expired-card path (any charge declines expired_card).
  pm_sim_card_expired: { card: visa("4000"), expired: true, behaviour: { kind: "decline", decline: DECLINES.expired_card } },
  pm_card_authenticationRequired: { card: visa("3184"), behaviour: { kind: "authentication_required" } },
  pm_card_createDispute: { card: visa("0259"), behaviour: { kind: "succeed", dispute: { reason: "fraudulent", status: "needs_response" } } },
  pm_card_createDisputeProductNotReceived: {
    card: visa("2685"),
    behaviour: { kind: "succeed", dispute: { reason: "product_not_received", status: "needs_response" } },
  },
  pm_card_createDisputeInquiry: {
    card: visa("1976"),
    behaviour: { kind: "succeed", dispute: { reason: "fraudulent", status: "warning_needs_response" } },
  },
};

const SIM_DECLINE_FIRST = /^pm_sim_decline_first_(\d+)$/;

/** A magic id (Stripe's or the simulator's), or null when `id` names no test card. */
export function testCard(id: string): TestCard | null {
  const known = TEST_PAYMENT_METHODS[id];
  if (known) return known;
  const m = SIM_DECLINE_FIRST.exec(id);
  if (m) return { card: visa("0341"), behaviour: { kind: "decline_first", n: Number(m[1]) } };
  return null;
}

/** Test card last4 digits, so seeded payment methods (e.g. `card.last4: "9995"`) behave like their test cards. */
const BY_LAST4 = new Map<string, string>();
for (const [id, tc] of Object.entries(TEST_PAYMENT_METHODS)) {
  if (!BY_LAST4.has(tc.card.last4) && id !== "pm_card_radarBlock" && !tc.expired) BY_LAST4.set(tc.card.last4, id);
}
BY_LAST4.delete("0341");
BY_LAST4.set("0341", "pm_card_chargeCustomerFail");

/**
 * How charging a stored payment method behaves: its origin (a magic id it was made from), else
 * `metadata.sim_card` (a magic id, e.g. "pm_card_chargeDeclinedInsufficientFunds" or "pm_sim_decline_first_2"),
 * else its card's last4 when that is a test card's, else success.
 */
export function behaviourOf(pm: Record<string, any>, origin: string | undefined): CardBehaviour {
  const fromOrigin = origin ? testCard(origin) : null;
  if (fromOrigin) return fromOrigin.behaviour;
  const tagged = typeof pm.metadata?.sim_card === "string" ? testCard(pm.metadata.sim_card) : null;
  if (tagged) return tagged.behaviour;
  const last4 = pm.card?.last4;
  const byLast4 = typeof last4 === "string" ? BY_LAST4.get(last4) : undefined;
  if (byLast4) return TEST_PAYMENT_METHODS[byLast4]!.behaviour;
  return { kind: "succeed" };
}

/** The magic payment method that produces a decline code (for triggers). */
export function paymentMethodForDecline(code: string): string {
  const map: Record<string, string> = {
    generic_decline: "pm_card_chargeDeclined",
    card_declined: "pm_card_chargeDeclined",
    insufficient_funds: "pm_card_chargeDeclinedInsufficientFunds",
    lost_card: "pm_card_chargeDeclinedLostCard",
    stolen_card: "pm_card_chargeDeclinedStolenCard",
    expired_card: "pm_card_chargeDeclinedExpiredCard",
    incorrect_cvc: "pm_card_chargeDeclinedIncorrectCvc",
    processing_error: "pm_card_chargeDeclinedProcessingError",
    card_velocity_exceeded: "pm_card_chargeDeclinedVelocityLimitExceeded",
    fraudulent: "pm_card_chargeDeclinedFraudulent",
    authentication_required: "pm_card_authenticationRequired",
  };
  const pm = map[code];
  if (!pm) throw new Error(`unknown decline code ${code}; known: ${Object.keys(map).join(", ")}`);
  return pm;
}
