// The decline-code table: which Stripe decline / error / advice codes mean retry now, retry later, ask the customer, or never retry.

export type DeclineCategory = "transient" | "soft" | "customer_action" | "hard" | "fraud" | "unknown";

/**
 * Keyed by `decline_code` when `code` is `card_declined`, else by `code` itself (Stripe puts e.g. `expired_card`
 * or `processing_error` in `code` for some failures). Sources: https://docs.stripe.com/declines/codes and
 * https://docs.stripe.com/error-codes.
 */
export const DECLINE_CATEGORY: Readonly<Record<string, DeclineCategory>> = {
  // Transient: the issuer or network hiccuped; the same card may well pass minutes later.
  processing_error: "transient",
  issuer_not_available: "transient",
  try_again_later: "transient",
  reenter_transaction: "transient",
  approve_with_id: "transient",
  no_action_taken: "transient",
  card_decline_rate_limit_exceeded: "transient",
  // Soft: money or limits; retry later (after payday, after the limit window) or ask the customer.
  insufficient_funds: "soft",
  generic_decline: "soft",
  do_not_honor: "soft",
  card_velocity_exceeded: "soft",
  withdrawal_count_limit_exceeded: "soft",
  call_issuer: "soft",
  duplicate_transaction: "soft",
  // Customer action: the card data or the authentication must come from the customer (hosted invoice page).
  expired_card: "customer_action",
  incorrect_number: "customer_action",
  invalid_number: "customer_action",
  incorrect_cvc: "customer_action",
  invalid_cvc: "customer_action",
  invalid_expiry_month: "customer_action",
  invalid_expiry_year: "customer_action",
  incorrect_zip: "customer_action",
  incorrect_address: "customer_action",
  incorrect_pin: "customer_action",
  invalid_pin: "customer_action",
  pin_try_exceeded: "customer_action",
  offline_pin_required: "customer_action",
  online_or_offline_pin_required: "customer_action",
  authentication_required: "customer_action",
  payment_intent_authentication_failure: "customer_action",
  new_account_information_available: "customer_action",
  // Hard: retrying the same card cannot succeed and counts against network limits; the customer needs another card.
  invalid_account: "hard",
  card_not_supported: "hard",
  currency_not_supported: "hard",
  not_permitted: "hard",
  service_not_allowed: "hard",
  transaction_not_allowed: "hard",
  revocation_of_authorization: "hard",
  revocation_of_all_authorizations: "hard",
  stop_payment_order: "hard",
  invalid_amount: "hard",
  testmode_decline: "hard",
  // Fraud flavours: never retry, and a person looks at the account.
  lost_card: "fraud",
  stolen_card: "fraud",
  pickup_card: "fraud",
  fraudulent: "fraud",
  security_violation: "fraud",
  merchant_blacklist: "fraud",
  restricted_card: "fraud",
};

/** Categories the guard never lets a retry through, whoever approved it. */
export const NEVER_RETRY: ReadonlySet<DeclineCategory> = new Set(["hard", "fraud"]);

export interface DeclineSignals {
  /** `last_payment_error.code`, e.g. card_declined, expired_card, authentication_required. */
  code: string | null;
  declineCode: string | null;
  /** `last_payment_error.advice_code` or the charge `outcome.advice_code`. */
  adviceCode: string | null;
  riskLevel: string | null;
  /** `outcome.type`: authorized | issuer_declined | blocked | manual_review | invalid. */
  outcomeType: string | null;
  networkStatus: string | null;
}

export interface DeclineClassification {
  category: DeclineCategory;
  /** The code the category came from (decline_code or code). */
  reasonCode: string | null;
  /** Why, in a sentence for the rationale. */
  why: string;
}

export function declineReasonCode(s: Pick<DeclineSignals, "code" | "declineCode">): string | null {
  if (s.code === "card_declined" || !s.code) return s.declineCode ?? s.code ?? null;
  return s.code;
}

/**
 * Strongest signal wins: risk and network advice can only make a decline worse, never better, because a retry
 * against `do_not_try_again` is what gets merchants fined.
 */
export function classifyDecline(s: DeclineSignals): DeclineClassification {
  const reasonCode = declineReasonCode(s);
  const base: DeclineCategory = reasonCode ? (DECLINE_CATEGORY[reasonCode] ?? "unknown") : "unknown";

  if (s.riskLevel === "highest" || s.outcomeType === "blocked") {
    return { category: "fraud", reasonCode, why: `Radar ${s.outcomeType === "blocked" ? "blocked the payment" : "risk level highest"}` };
  }
  if (base === "fraud") return { category: "fraud", reasonCode, why: `decline code ${reasonCode} is a fraud signal` };
  if (s.adviceCode === "do_not_try_again") {
    return { category: "hard", reasonCode, why: `issuer advice do_not_try_again${reasonCode ? ` (${reasonCode})` : ""}` };
  }
  if (base === "hard") return { category: "hard", reasonCode, why: `decline code ${reasonCode} cannot succeed on a retry` };
  if (s.adviceCode === "confirm_card_data" || s.adviceCode === "new_account_information_available") {
    return { category: "customer_action", reasonCode, why: `issuer advice ${s.adviceCode}: the customer must update the card` };
  }
  if (base === "customer_action") return { category: "customer_action", reasonCode, why: `decline code ${reasonCode} needs the customer` };
  if (base === "unknown" && s.adviceCode === "try_again_later") {
    return { category: "soft", reasonCode, why: `unknown code ${reasonCode ?? "(none)"} but issuer advice try_again_later` };
  }
  if (base === "unknown") return { category: "unknown", reasonCode, why: `decline code ${reasonCode ?? "(none)"} is not in the table` };
  return { category: base, reasonCode, why: `decline code ${reasonCode} is ${base}` };
}
