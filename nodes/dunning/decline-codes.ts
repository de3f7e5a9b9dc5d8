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
  // The issuer's own "never again" as a decline code (Stripe's Smart Retries does not retry it either).
  do_not_try_again: "hard",
  // Fraud flavours: never retry, and a person looks at the account.
  lost_card: "fraud",
  stolen_card: "fraud",
  pickup_card: "fraud",
  fraudulent: "fraud",
  security_violation: "fraud",
  merchant_blacklist: "fraud",
  restricted_card: "fraud",
};

/**
 * Codes Stripe's Smart Retries documents as not retried (https://docs.stripe.com/billing/revenue-recovery/smart-retries):
 * billops never retries them either. Each one maps to a category in NEVER_RETRY or to customer_action (which the guard
 * refuses to retry too); `highest_risk_level` is Radar's risk level, read from the charge's outcome.
 */
export const SMART_RETRIES_NON_RETRYABLE: readonly string[] = [
  "incorrect_number",
  "lost_card",
  "pickup_card",
  "stolen_card",
  "revocation_of_authorization",
  "revocation_of_all_authorizations",
  "authentication_required",
  "highest_risk_level",
  "transaction_not_allowed",
  "do_not_try_again",
];

/**
 * Mastercard Merchant Advice Codes, as Stripe passes them in `network_advice_code`: 03 (do not try again) and 21
 * (payment cancellation: the cardholder stopped recurring payments) forbid any reattempt; 24–30 give the earliest
 * time a reattempt may be made. 01 asks for new account information (the customer's card data).
 */
export const NETWORK_ADVICE_NEVER: ReadonlySet<string> = new Set(["03", "21"]);
export const NETWORK_ADVICE_UPDATE: ReadonlySet<string> = new Set(["01"]);
const HOUR = 3600;
const DAY = 86400;
export const NETWORK_ADVICE_RETRY_AFTER: Readonly<Record<string, number>> = {
  "24": HOUR,
  "25": DAY,
  "26": 2 * DAY,
  "27": 4 * DAY,
  "28": 6 * DAY,
  "29": 8 * DAY,
  "30": 10 * DAY,
};

/**
 * Visa's category 1 response codes ("issuer will never approve": pick up, invalid account, lost, stolen, closed,
 * not permitted, stop-payment orders): reattempting them is an excessive-retry fee, as Visa's reattempt rules say.
 */
export const VISA_NEVER_APPROVE: ReadonlySet<string> = new Set(["04", "07", "12", "14", "15", "41", "43", "46", "57", "R0", "R1", "R3"]);

/** Categories the guard never lets a retry through, whoever approved it. */
export const NEVER_RETRY: ReadonlySet<DeclineCategory> = new Set(["hard", "fraud"]);

export interface DeclineSignals {
  /** `last_payment_error.code`, e.g. card_declined, expired_card, authentication_required. */
  code: string | null;
  declineCode: string | null;
  /** `last_payment_error.advice_code` or the charge `outcome.advice_code`. */
  adviceCode: string | null;
  riskLevel: string | null;
  /** The card network's own advice (`last_payment_error.network_advice_code` or `outcome.network_advice_code`): Mastercard MAC 01–30. */
  networkAdviceCode?: string | null;
  /** The network's raw decline code (`network_decline_code`), read against the card's network. */
  networkDeclineCode?: string | null;
  /** The card network (`payment_method_details.card.network` or the brand): which table a network code is read in. */
  network?: string | null;
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
  /** The network's earliest reattempt, in seconds after the decline (Mastercard MAC 24–30); absent: no network timing. */
  retryAfter?: number;
}

/** The network advice's earliest reattempt time in seconds after the decline, or null when the network gave none. */
export function networkRetryAfter(s: Pick<DeclineSignals, "networkAdviceCode">): number | null {
  const code = normalNetworkCode(s.networkAdviceCode);
  return code ? (NETWORK_ADVICE_RETRY_AFTER[code] ?? null) : null;
}

function normalNetworkCode(v: string | null | undefined): string | null {
  if (v == null) return null;
  const t = String(v).trim().toUpperCase();
  return /^\d$/.test(t) ? `0${t}` : t || null;
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
  const mac = normalNetworkCode(s.networkAdviceCode);
  if (mac && NETWORK_ADVICE_NEVER.has(mac)) {
    return { category: "hard", reasonCode, why: `network advice code ${mac} (${mac === "21" ? "payment cancellation" : "do not try again"}) forbids any reattempt` };
  }
  const ndc = normalNetworkCode(s.networkDeclineCode);
  if (ndc && (s.network ?? "").toLowerCase() === "visa" && VISA_NEVER_APPROVE.has(ndc)) {
    return { category: "hard", reasonCode, why: `Visa response code ${ndc} means the issuer will never approve this card` };
  }
  if (s.adviceCode === "do_not_try_again") {
    return { category: "hard", reasonCode, why: `issuer advice do_not_try_again${reasonCode ? ` (${reasonCode})` : ""}` };
  }
  if (base === "hard") return { category: "hard", reasonCode, why: `decline code ${reasonCode} cannot succeed on a retry` };
  if (s.adviceCode === "confirm_card_data" || s.adviceCode === "new_account_information_available") {
    return { category: "customer_action", reasonCode, why: `issuer advice ${s.adviceCode}: the customer must update the card` };
  }
  if (mac && NETWORK_ADVICE_UPDATE.has(mac)) {
    return { category: "customer_action", reasonCode, why: `network advice code ${mac}: new account information is needed from the customer` };
  }
  if (base === "customer_action") return { category: "customer_action", reasonCode, why: `decline code ${reasonCode} needs the customer` };
  const after = networkRetryAfter(s);
  const timing = after != null ? { retryAfter: after } : {};
  const advice = after != null ? `; network advice ${mac}: not before ${after >= DAY ? `${after / DAY} day(s)` : `${after / HOUR} hour(s)`}` : "";
  if (base === "unknown" && s.adviceCode === "try_again_later") {
    return { category: "soft", reasonCode, why: `unknown code ${reasonCode ?? "(none)"} but issuer advice try_again_later${advice}`, ...timing };
  }
  if (base === "unknown") return { category: after != null ? "soft" : "unknown", reasonCode, why: `decline code ${reasonCode ?? "(none)"} is not in the table${advice}`, ...timing };
  // A transient decline with network timing stays transient (an hour's back-off), but `retryAfter` is its floor.
  return { category: base, reasonCode, why: `decline code ${reasonCode} is ${base}${advice}`, ...timing };
}
