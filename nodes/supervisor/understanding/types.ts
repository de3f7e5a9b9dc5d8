// The shape of what billops understood from a support message: every ask (intent) with its target, negation and
// question form, the language, and whether all of it was understood for certain. Stored in the case thread (JSON).

/** Every ask the rules can recognise; what billops may do about each is the policies' and the guard's business. */
export const UNDERSTOOD_INTENTS = [
  "cancel",
  "pause",
  "reactivate",
  "upgrade",
  "downgrade",
  "change_plan",
  "change_quantity",
  "refund",
  "duplicate",
  "unrecognized",
  "retry_payment",
  "payment_help",
  "dispute_question",
  "account_update",
  "invoice_request",
  "billing_question",
] as const;
export type UnderstoodIntentName = (typeof UNDERSTOOD_INTENTS)[number];

/** An amount as the customer wrote it: major units, the currency when the text says it. */
export interface AmountInText {
  value: number;
  currency: string | null;
  text: string;
}

export interface IntentTarget {
  /** A plan name as written (upgrade to "pro"). */
  plan?: string;
  /** Seats / users / licences named in a quantity change. */
  seats?: number;
  amount?: AmountInText;
  charge?: string;
  subscription?: string;
  invoice?: string;
  /** What the verb acts on, as written ("the extra seat", "my subscription"), when it is not the usual object. */
  object?: string;
  /** A pause's length. */
  duration?: { count: number; unit: "day" | "week" | "month" };
  /** A pause until a month ("until March", "back in September"): 1..12, the next such month. */
  untilMonth?: number;
  /** A cancellation's timing when the customer said one. */
  timing?: "now" | "period_end";
}

export interface UnderstoodIntent {
  intent: UnderstoodIntentName;
  /** "don't cancel", "I'm not cancelling": mentioned, not asked for. */
  negated: boolean;
  /** "how do I cancel?", "why did you cancel…": asks about it, does not ask for it. */
  question: boolean;
  target: IntentTarget;
  /** A word read as a typo of a known one ("cancle" → "cancel"). */
  typo?: string;
  /** Why this ask is not understood for certain (empty when it is). */
  unsure: string[];
}

export interface Understanding {
  /** ISO 639-1 code when known ("en", "de", …), "und" when the text says too little. */
  language: string;
  english: boolean;
  /** `not_billing`: greetings, thanks, feedback, product questions — recorded, nobody is paged. */
  kind: "request" | "not_billing" | "empty";
  intents: UnderstoodIntent[];
  /** Every ask understood without doubt: only then may an action run without a person. */
  certain: boolean;
  /** 0..1, calibrated on the corpus (docs/deciders.md): anything not certain is below min_auto_confidence. */
  confidence: number;
  /** Why the message is not understood for certain, for the person who answers it. */
  ambiguities: string[];
  /** Text that tries to instruct the agent. */
  flags: string[];
}

/** Confidence bands (measured on evals/scenarios/corpus, see docs/deciders.md). */
export const CONFIDENCE = {
  certain: 0.95,
  /** One ask read, with a doubt. */
  likely: 0.45,
  /** Several asks, another language, or only a question / negation. */
  partial: 0.3,
  /** Nothing recognised. */
  none: 0.1,
} as const;
