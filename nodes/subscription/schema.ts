// Zod schemas of the subscription actions' params: the contract with the act node, the approval edit form and LLM structured output.
import { z } from "zod";
import type { SubscriptionAction } from "../../domain/actions.js";

export const subscriptionId = z.string().regex(/^sub_[A-Za-z0-9_]+$/, "a subscription id (sub_…)");
const itemId = z.string().regex(/^si_[A-Za-z0-9_]+$/, "a subscription item id (si_…)");
const invoiceId = z.string().regex(/^in_[A-Za-z0-9_]+$/, "an invoice id (in_…)");
const priceId = z.string().min(1).max(255);
const reasonText = z.string().trim().min(1).max(1000);

export const PAUSE_BEHAVIORS = ["void", "keep_as_draft", "mark_uncollectible"] as const;
/** What happens to a subscription's open, failing invoice when it is cancelled now: voided, or kept as bad debt. */
export const OPEN_INVOICE_ACTIONS = ["void", "mark_uncollectible"] as const;

export const subscriptionParamsSchemas = {
  // Upgrades bill the prorated difference now, and a failed payment leaves the plan unchanged (Stripe's pending updates).
  upgrade: z.object({
    subscription: subscriptionId,
    item: itemId,
    price: priceId,
    proration_behavior: z.literal("always_invoice"),
    payment_behavior: z.literal("pending_if_incomplete"),
  }),
  downgrade: z.object({ subscription: subscriptionId, item: itemId, price: priceId, effective_at: z.number().int().positive() }),
  cancel_at_period_end: z.object({ subscription: subscriptionId }),
  // Stripe's DELETE /v1/subscriptions/:id: `invoice_now` bills pending prorations (without it and `prorate` they are
  // dropped); `prorate` credits the unused time. An open failing invoice is voided or marked uncollectible with it.
  cancel_immediately: z
    .object({
      subscription: subscriptionId,
      invoice_now: z.boolean().default(true),
      prorate: z.boolean().default(false),
      open_invoice: invoiceId.optional(),
      open_invoice_action: z.enum(OPEN_INVOICE_ACTIONS).optional(),
    })
    .refine((p) => (p.open_invoice === undefined) === (p.open_invoice_action === undefined), {
      message: "open_invoice and open_invoice_action go together",
      path: ["open_invoice_action"],
    }),
  // Never open-ended: a pause says when collection resumes.
  pause_collection: z.object({ subscription: subscriptionId, behavior: z.enum(PAUSE_BEHAVIORS), resumes_at: z.number().int().positive() }),
  no_change: z.object({ reason: reasonText }),
  escalate_to_support: z.object({ reason: reasonText }),
} as const satisfies Record<SubscriptionAction, z.ZodType>;

export type SubscriptionParams = { [A in SubscriptionAction]: z.infer<(typeof subscriptionParamsSchemas)[A]> };
