// Policy thresholds and limits (snake_case, as in scenario files' `config` block), parsed once with zod and defaulted.
import { z } from "zod";

const int = () => z.number().int();
const positiveInt = () => z.number().int().positive();

export const PolicyConfigSchema = z
  .object({
    /** Refunds above this (minor units) always wait for a person. $50 by default (DESIGN.md). */
    auto_refund_limit: int().nonnegative().default(5000),
    /** Dunning: an invoice this large (minor units) on its final attempt goes to a person rather than a template. */
    escalate_amount: int().nonnegative().default(100000),
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
    /** Grace period offered to good long-time customers on the final failed attempt. */
    grace_days: positiveInt().max(60).default(7),
    good_customer: z
      .object({
        min_tenure_days: int().nonnegative().default(180),
        min_paid_invoices: int().nonnegative().default(3),
      })
      .prefault({}),
    /** Escalate a dispute when its evidence is due sooner than this: staging then waiting for approval would miss it. */
    dispute_deadline_hours: positiveInt().default(48),
    /** Charges older than this are not refunded automatically (card networks and accounting both care). */
    refund_window_days: positiveInt().default(90),
    /** Two identical charges within this window are treated as a duplicate. */
    duplicate_window_hours: positiveInt().default(24),
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
    if (isMapping(v) && Object.keys(v).length > 0) Object.assign(out, policyLeaves(v, path));
    else out[path] = v;
  }
  return out;
}
