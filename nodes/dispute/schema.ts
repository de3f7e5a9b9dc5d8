// Zod schemas of the dispute actions' params; evidence is limited to Stripe's text evidence fields (no file uploads).
import { z } from "zod";
import type { DisputeAction } from "../../domain/actions.js";

export const disputeId = z.string().regex(/^(dp|du)_[A-Za-z0-9_]+$/, "a dispute id (dp_…)");
const reasonText = z.string().trim().min(1).max(1000);

/** Stripe's evidence fields that take text (the others take File ids, which billops does not upload). */
export const EVIDENCE_TEXT_FIELDS = [
  "access_activity_log",
  "billing_address",
  "cancellation_policy_disclosure",
  "cancellation_rebuttal",
  "customer_email_address",
  "customer_name",
  "customer_purchase_ip",
  "duplicate_charge_explanation",
  "duplicate_charge_id",
  "product_description",
  "refund_policy_disclosure",
  "refund_refusal_explanation",
  "service_date",
  "shipping_address",
  "shipping_carrier",
  "shipping_date",
  "shipping_tracking_number",
  "uncategorized_text",
] as const;
export type EvidenceField = (typeof EVIDENCE_TEXT_FIELDS)[number];

/** Stripe caps the combined text of all evidence at 150,000 characters; each field stays well under it. */
const evidenceText = z.string().trim().min(1).max(20000);
const short = z.string().trim().min(1).max(500);

// Visa Compelling Evidence 3.0 as Stripe's Dispute update takes it (`evidence[enhanced_evidence][visa_compelling_evidence_3]`).
const Ce3Address = z.strictObject({ line1: short, line2: short.optional(), city: short, state: short, postal_code: short, country: z.string().regex(/^[A-Z]{2}$/) });
const Ce3Identifiers = {
  customer_account_id: short.optional(),
  customer_device_fingerprint: z.string().trim().min(20).max(500).optional(),
  customer_device_id: z.string().trim().min(15).max(500).optional(),
  customer_email_address: z.email().max(500).optional(),
  customer_purchase_ip: z.union([z.ipv4(), z.ipv6()]).optional(),
  product_description: z.string().trim().min(1).max(5000).optional(),
  shipping_address: Ce3Address.optional(),
};
export const VisaCe3Schema = z.strictObject({
  disputed_transaction: z.strictObject({ ...Ce3Identifiers, merchandise_or_services: z.enum(["merchandise", "services"]) }),
  // Stripe: "exactly two prior undisputed transaction objects".
  prior_undisputed_transactions: z.array(z.strictObject({ charge: z.string().regex(/^(ch|py)_[A-Za-z0-9_]+$/, "a charge id (ch_…)"), ...Ce3Identifiers })).length(2),
});
export const EnhancedEvidenceSchema = z.strictObject({ visa_compelling_evidence_3: VisaCe3Schema });

export const EvidenceSchema = z
  .strictObject({
    ...(Object.fromEntries(EVIDENCE_TEXT_FIELDS.map((k) => [k, evidenceText.optional()])) as Record<EvidenceField, z.ZodOptional<typeof evidenceText>>),
    enhanced_evidence: EnhancedEvidenceSchema.optional(),
  })
  .refine((e) => Object.values(e).some((v) => v !== undefined), "evidence needs at least one field")
  .refine((e) => Object.values(e).reduce((n: number, v) => n + (typeof v === "string" ? v.length : 0), 0) <= 150000, "evidence exceeds Stripe's 150,000 characters");
export type Evidence = Partial<Record<EvidenceField, string>> & { enhanced_evidence?: z.infer<typeof EnhancedEvidenceSchema> };

/** Where each staged statement came from (evidence field → sources); kept in the case and shown to the approver. */
const SourcesSchema = z.record(z.string().max(100), z.array(z.string().min(1).max(300)).max(200));

/**
 * What countering costs against what accepting costs, as the person choosing sees it. billops recomputes it from the
 * dispute and the policy (the guard replaces whatever a decider wrote), so it is shown, never trusted.
 */
export const EconomicsSchema = z.object({
  currency: z.string(),
  amount: z.number().int(),
  dispute_fee: z.number().int(),
  counter_fee: z.number().int(),
  /** What is lost when accepting: the amount and the dispute fee. Countering adds the counter fee at risk. */
  summary: z.string().max(2000),
  evidence_facts: z.number().int(),
  ce3: z.string().max(1000),
});
export type Economics = z.infer<typeof EconomicsSchema>;

const stagedParams = {
  dispute: disputeId,
  evidence: EvidenceSchema,
  sources: SourcesSchema.optional(),
  economics: EconomicsSchema.optional(),
  /** Set when the deadline is near: a person is told at once (ops_escalation) besides being asked to submit. */
  escalate: reasonText.optional(),
};

export const disputeParamsSchemas = {
  stage_evidence: z.object(stagedParams),
  submit_evidence: z.object(stagedParams),
  accept_dispute: z.object({ dispute: disputeId, economics: EconomicsSchema.optional() }),
  record_outcome: z.object({ dispute: disputeId, status: z.string().min(1).max(64) }),
  escalate_to_support: z.object({ reason: reasonText }),
} as const satisfies Record<DisputeAction, z.ZodType>;

export type DisputeParams = { [A in DisputeAction]: z.infer<(typeof disputeParamsSchemas)[A]> };
