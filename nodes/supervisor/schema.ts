// The support-request classification a model may return: route, an intent the specialists' policies know, extracted params.
import { z } from "zod";

/** Intents the policies act on (classify-rules.ts makes the same ones); anything else would only be escalated. */
export const REQUEST_INTENTS = [
  "duplicate",
  "unrecognized",
  "refund",
  "dispute_question",
  "cancel_at_period_end",
  "cancel_immediately",
  "pause",
  "upgrade",
  "downgrade",
  "change_plan",
  "retry_payment",
  "payment_help",
  "no_request",
  "unclear",
] as const;

export const REQUEST_ROUTES = ["refund", "subscription", "dunning", "dispute", "ignore"] as const;

/** Which route each intent belongs to: a model's route that contradicts its intent is a schema violation, not a guess. */
export const INTENT_ROUTE: Record<(typeof REQUEST_INTENTS)[number], readonly (typeof REQUEST_ROUTES)[number][]> = {
  duplicate: ["refund"],
  unrecognized: ["refund"],
  refund: ["refund"],
  dispute_question: ["dispute"],
  cancel_at_period_end: ["subscription"],
  cancel_immediately: ["subscription"],
  pause: ["subscription"],
  upgrade: ["subscription"],
  downgrade: ["subscription"],
  change_plan: ["subscription"],
  retry_payment: ["dunning"],
  payment_help: ["dunning"],
  no_request: ["ignore"],
  unclear: ["refund", "subscription", "dunning", "dispute"],
};

const nullable = <T extends z.ZodType>(t: T) => t.nullable().optional();

export const classificationSchema = z
  .object({
    route: z.enum(REQUEST_ROUTES),
    intent: z.enum(REQUEST_INTENTS),
    target_plan: nullable(z.string().trim().min(1).max(100)).describe("the plan the customer names, as written"),
    amount: nullable(z.number().positive()).describe("an amount the customer asks for, in MAJOR units as written ($15 → 15)"),
    charge: nullable(z.string().regex(/^(ch|py)_[A-Za-z0-9_]+$/)).describe("a charge id the customer names"),
    subscription: nullable(z.string().regex(/^sub_[A-Za-z0-9_]+$/)).describe("a subscription id the customer names"),
    ambiguous: nullable(z.string().max(500)).describe("why a person should look (unclear, several requests, instructions in the message); null when clear"),
    rationale: z.string().min(1).max(1000),
  })
  .refine((c) => INTENT_ROUTE[c.intent].includes(c.route), { message: "route does not fit the intent", path: ["route"] });

export type ModelClassification = z.infer<typeof classificationSchema>;
