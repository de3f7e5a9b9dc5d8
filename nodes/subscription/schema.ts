// Zod schemas of the subscription actions' params: the contract with the act node, the approval edit form and LLM structured output.
import { z } from "zod";
import type { SubscriptionAction } from "../../domain/actions.js";

export const subscriptionId = z.string().regex(/^sub_[A-Za-z0-9_]+$/, "a subscription id (sub_…)");
const itemId = z.string().regex(/^si_[A-Za-z0-9_]+$/, "a subscription item id (si_…)");
const priceId = z.string().min(1).max(255);
const reasonText = z.string().trim().min(1).max(1000);

export const PAUSE_BEHAVIORS = ["void", "keep_as_draft", "mark_uncollectible"] as const;

export const subscriptionParamsSchemas = {
  upgrade: z.object({ subscription: subscriptionId, item: itemId, price: priceId, proration_behavior: z.literal("create_prorations") }),
  downgrade: z.object({ subscription: subscriptionId, item: itemId, price: priceId, effective_at: z.number().int().positive() }),
  cancel_at_period_end: z.object({ subscription: subscriptionId }),
  cancel_immediately: z.object({ subscription: subscriptionId }),
  pause_collection: z.object({ subscription: subscriptionId, behavior: z.enum(PAUSE_BEHAVIORS), resumes_at: z.number().int().positive().optional() }),
  no_change: z.object({ reason: reasonText }),
  escalate_to_support: z.object({ reason: reasonText }),
} as const satisfies Record<SubscriptionAction, z.ZodType>;

export type SubscriptionParams = { [A in SubscriptionAction]: z.infer<(typeof subscriptionParamsSchemas)[A]> };
