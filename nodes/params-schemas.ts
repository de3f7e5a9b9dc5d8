// Every action's params schema by domain: the one table the edit form, edit coercion and guard-side checks read.
import type { z } from "zod";
import type { Domain } from "../domain/actions.js";
import { dunningParamsSchemas } from "./dunning/schema.js";
import { subscriptionParamsSchemas } from "./subscription/schema.js";
import { disputeParamsSchemas } from "./dispute/schema.js";
import { refundParamsSchemas } from "./refund/schema.js";

export const PARAMS_SCHEMAS: Record<Domain, Record<string, z.ZodType>> = {
  dunning: dunningParamsSchemas,
  subscription: subscriptionParamsSchemas,
  dispute: disputeParamsSchemas,
  refund: refundParamsSchemas,
};

/** The params schema of an action, or null when the domain has no such action. */
export function paramsSchema(domain: string, action: string): z.ZodType | null {
  return PARAMS_SCHEMAS[domain as Domain]?.[action] ?? null;
}
