// Zod schemas of the dunning actions' params: the contract with the act node, the approval edit form and LLM structured output.
import { z } from "zod";
import type { DunningAction } from "../../domain/actions.js";

export const invoiceId = z.string().regex(/^in_[A-Za-z0-9_]+$/, "an invoice id (in_…)");
export const reasonText = z.string().trim().min(1).max(1000);
export const unixSeconds = z.number().int().positive();

export const NOTIFY_TEMPLATES = ["update_payment_method", "authentication_required", "payment_failed"] as const;
export type NotifyTemplate = (typeof NOTIFY_TEMPLATES)[number];

export const dunningParamsSchemas = {
  retry_immediately: z.object({ invoice: invoiceId }),
  schedule_retry: z.object({ invoice: invoiceId, retry_at: unixSeconds }),
  notify_customer: z.object({
    invoice: invoiceId,
    template: z.enum(NOTIFY_TEMPLATES),
    hosted_invoice_url: z.string().url(),
  }),
  apply_grace_period: z.object({ invoice: invoiceId, grace_days: z.number().int().positive(), retry_at: unixSeconds }),
  escalate_to_support: z.object({ reason: reasonText }),
  close_recovered: z.object({ invoice: invoiceId }),
  no_action: z.object({ reason: reasonText }),
} as const satisfies Record<DunningAction, z.ZodType>;

export type DunningParams = { [A in DunningAction]: z.infer<(typeof dunningParamsSchemas)[A]> };
