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
export const EvidenceSchema = z
  .strictObject(Object.fromEntries(EVIDENCE_TEXT_FIELDS.map((k) => [k, evidenceText.optional()])) as Record<EvidenceField, z.ZodOptional<typeof evidenceText>>)
  .refine((e) => Object.values(e).some((v) => v !== undefined), "evidence needs at least one field")
  .refine((e) => Object.values(e).reduce((n, v) => n + (v?.length ?? 0), 0) <= 150000, "evidence exceeds Stripe's 150,000 characters");
export type Evidence = Partial<Record<EvidenceField, string>>;

export const disputeParamsSchemas = {
  stage_evidence: z.object({ dispute: disputeId, evidence: EvidenceSchema }),
  submit_evidence: z.object({ dispute: disputeId, evidence: EvidenceSchema }),
  accept_dispute: z.object({ dispute: disputeId }),
  record_outcome: z.object({ dispute: disputeId, status: z.string().min(1).max(64) }),
  escalate_to_support: z.object({ reason: reasonText }),
} as const satisfies Record<DisputeAction, z.ZodType>;

export type DisputeParams = { [A in DisputeAction]: z.infer<(typeof disputeParamsSchemas)[A]> };
