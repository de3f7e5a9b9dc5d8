// Zod schemas of the refund actions' params: the contract with the act node, the approval edit form and LLM structured output.
import { z } from "zod";
import type { RefundAction } from "../../domain/actions.js";

export const chargeId = z.string().regex(/^(ch|py)_[A-Za-z0-9_]+$/, "a charge id (ch_…)");
export const REFUND_REASONS = ["duplicate", "fraudulent", "requested_by_customer"] as const;
const reasonText = z.string().trim().min(1).max(1000);
/** Minor units, integer: Stripe refuses fractions, and a float here means someone confused dollars and cents. */
const minorAmount = z.number().int().positive();

export const customerId = z.string().regex(/^cus_[A-Za-z0-9_]+$/, "a customer id (cus_…)");
export const paymentMethodId = z.string().regex(/^(pm|card|src)_[A-Za-z0-9_]+$/, "a payment method id (pm_…)");

export const refundParamsSchemas = {
  refund_full: z.object({ charge: chargeId, amount: minorAmount, reason: z.enum(REFUND_REASONS) }),
  refund_partial: z.object({ charge: chargeId, amount: minorAmount, reason: z.enum(REFUND_REASONS) }),
  deny_refund: z.object({ reason: reasonText }),
  escalate_to_support: z.object({ reason: reasonText }),
  /** pause: collection paused (invoices voided), reversible; cancel: the subscriptions end now. */
  stop_future_charges: z.object({ customer: customerId, payment_method: paymentMethodId, mode: z.enum(["pause", "cancel"]) }),
} as const satisfies Record<RefundAction, z.ZodType>;

export type RefundParams = { [A in RefundAction]: z.infer<(typeof refundParamsSchemas)[A]> };
