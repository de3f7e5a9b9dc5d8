// Policy thresholds and limits (snake_case, as in scenario files' `config` block), parsed once with zod and defaulted.
import { z } from "zod";
import { isMoneyThreshold, MoneyThresholdSchema, thresholdAsInput } from "./money-threshold.js";

const int = () => z.number().int();
const positiveInt = () => z.number().int().positive();

// Built-in thresholds, in each currency's major units: roughly the same value across the listed currencies; other
// currencies get 0 (a person decides) until the policy names them.
const AUTO_REFUND_LIMIT = { usd: 50, eur: 50, gbp: 40, cad: 70, aud: 75, nzd: 80, chf: 45, jpy: 7500, krw: 70000, kwd: "15", bhd: "19", jod: "35", omr: "19", tnd: "150", default: 0 };
const CUSTOMER_REFUND_LIMIT = { usd: 100, eur: 100, gbp: 80, cad: 140, aud: 150, nzd: 160, chf: 90, jpy: 15000, krw: 140000, kwd: "30", bhd: "38", jod: "70", omr: "38", tnd: "300", default: 0 };
const ESCALATE_AMOUNT = { usd: 1000, eur: 1000, gbp: 800, cad: 1400, aud: 1500, nzd: 1600, chf: 900, jpy: 150000, krw: 1400000, kwd: "300", bhd: "375", jod: "700", omr: "385", tnd: "3000", default: 0 };
// https://stripe.com/pricing (US $15), Stripe's European and UK pricing pages (€20, £20); others: configure.
const DISPUTE_FEE = { usd: 15, eur: 20, gbp: 20, default: 0 };
// Stripe's "dispute countered fee" (US $15, charged when evidence is submitted, returned if the dispute is won); others: configure.
const DISPUTE_COUNTER_FEE = { usd: 15, default: 0 };

/**
 * The merchant's own words that dispute evidence may quote: written by the operator in the policy file, never made up
 * by billops. Unset fields stay out of the evidence (an empty field is better than a claim nobody checked).
 */
const MerchantPolicies = z
  .object({
    refund_policy: z.string().trim().min(1).max(5000).optional(),
    cancellation_policy: z.string().trim().min(1).max(5000).optional(),
    terms_url: z.url({ protocol: /^https?$/ }).max(2000).optional(),
    /** What the merchant sells, for product_description when a charge carries no description. */
    service_description: z.string().trim().min(1).max(2000).optional(),
    /** Visa CE 3.0 needs the disputed payment classed as merchandise or services; a charge with shipping is merchandise. */
    merchandise_or_services: z.enum(["merchandise", "services"]).optional(),
  })
  .strict();

export const PolicyConfigSchema = z
  .object({
    /**
     * Refunds above this always wait for a person: per currency in major units, `default` for the others (0: every
     * refund in a currency without a limit waits). A bare number keeps its historical meaning, minor units in any
     * currency (AUTO_REFUND_LIMIT, older scenario files). About $50 in each listed currency by default (DESIGN.md).
     */
    auto_refund_limit: MoneyThresholdSchema.prefault(AUTO_REFUND_LIMIT),
    /** Dunning: an invoice this large on its final attempt goes to a person rather than a template (per currency, as above). */
    escalate_amount: MoneyThresholdSchema.prefault(ESCALATE_AMOUNT),
    /** Our own cap on billops-initiated retries of one invoice, on top of Stripe's own schedule. */
    max_retries_per_invoice: int().nonnegative().default(3),
    /** Card-network retry limits per card within a 30-day window; exceeding them costs fines and hurts approval. */
    network_retry_limits: z
      .object({
        visa: positiveInt().default(15),
        mastercard: positiveInt().default(10),
        default: positiveInt().default(15),
      })
      .catchall(positiveInt())
      .prefault({}),
    /**
     * Declined attempts on one card (by fingerprint, across invoices) within 24 hours: Mastercard counts excessive
     * authorization attempts per card per day as well as per 30 days. The 30-day limits are `network_retry_limits`.
     */
    network_retry_limits_24h: z
      .object({
        mastercard: positiveInt().default(10),
        default: positiveInt().default(10),
      })
      .catchall(positiveInt())
      .prefault({}),
    /**
     * Who retries soft declines while Stripe still has attempts scheduled: `billops` (retry ourselves, before Stripe's
     * next attempt, within the per-card limits) or `smart_retries` (leave them to Stripe's Smart Retries; billops
     * only tells the customer, and retries once a grace period ends). docs/policies.md "Retries and Smart Retries".
     */
    dunning: z
      .object({
        retries: z.enum(["billops", "smart_retries"]).default("billops"),
      })
      .strict()
      .prefault({}),
    /** Grace period offered to good long-time customers on the final failed attempt. */
    grace_days: positiveInt().max(60).default(7),
    good_customer: z
      .object({
        min_tenure_days: int().nonnegative().default(180),
        min_paid_invoices: int().nonnegative().default(3),
      })
      .prefault({}),
    /** A dispute or inquiry due sooner than this is staged, asked and escalated at once: a person must act within hours. */
    dispute_deadline_hours: positiveInt().default(48),
    /** Charges older than this are not refunded automatically (card networks and accounting both care). */
    refund_window_days: positiveInt().default(90),
    /**
     * "Charged twice" without an invoice: two payments of the same amount within this many minutes. Payments of one
     * invoice are matched through Stripe's invoice_payments, whatever their time.
     */
    duplicate_window_minutes: positiveInt().max(1440).default(10),
    /** What one customer may get back automatically over `customer_refund_window_days`, all refunds on their charges counted (per currency). */
    customer_refund_limit: MoneyThresholdSchema.prefault(CUSTOMER_REFUND_LIMIT),
    customer_refund_window_days: positiveInt().max(365).default(30),
    /** Stripe's dispute fee per currency: what a dispute costs on top of the money (early fraud warnings are weighed against it). */
    dispute_fee: MoneyThresholdSchema.prefault(DISPUTE_FEE),
    /** Stripe's fee for countering a dispute (submitting evidence), per currency; shown to the person who chooses counter or accept. */
    dispute_counter_fee: MoneyThresholdSchema.prefault(DISPUTE_COUNTER_FEE),
    /** The operator's refund / cancellation policy texts, terms URL and service description quoted in dispute evidence. */
    merchant_policies: MerchantPolicies.prefault({}),
    /** An early fraud warning's charge is refunded automatically up to this many dispute fees (and never above auto_refund_limit). */
    efw_refund_fee_multiple: int().nonnegative().max(100).default(3),
    /** Optional explicit plan list: plan name (as customers say it) → price id. When set, only these prices are the catalog. */
    catalog: z.record(z.string().min(1), z.string().min(1)).optional(),
    /** An approval that waits longer than this is escalated by the scheduler. */
    approval_timeout_hours: positiveInt().default(72),
    /** Side-effecting decisions below this confidence wait for a person (a model unsure of itself should not act alone). */
    min_auto_confidence: z.number().min(0).max(1).default(0.6),
  })
  .strict();

export type PolicyConfig = z.infer<typeof PolicyConfigSchema>;
export type PolicyConfigInput = z.input<typeof PolicyConfigSchema>;

/** Parses a config block (e.g. a scenario's `config`); unknown keys are an error so a typo cannot silently fall back to a default. */
export function parsePolicyConfig(obj: unknown = {}): PolicyConfig {
  return PolicyConfigSchema.parse(obj ?? {});
}

export const DEFAULT_POLICY_CONFIG: PolicyConfig = parsePolicyConfig({});

/** Every leaf setting of a policy (or a policy file's input) as dotted path → value: `good_customer.min_tenure_days`, `catalog.pro`. */
export function policyLeaves(value: unknown, prefix = ""): Record<string, unknown> {
  const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isMapping(value)) return prefix ? { [prefix]: value } : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${k}` : k;
    // A money threshold is one setting, shown as a policy file writes it (its parsed form is not what people set).
    if (isMoneyThreshold(v)) out[path] = thresholdAsInput(v);
    else if (isMapping(v) && Object.keys(v).length > 0) Object.assign(out, policyLeaves(v, path));
    else out[path] = v;
  }
  return out;
}
