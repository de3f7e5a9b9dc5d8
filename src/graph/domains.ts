// The four domains' fact gathering and deterministic policy, as the graph sees them.
import type { Domain } from "../domain/actions.js";
import type { DomainSpec } from "./deps.js";
import { gatherDunningContext } from "../nodes/dunning/context.js";
import { decideDunning } from "../nodes/dunning/policy.js";
import { gatherSubscriptionContext } from "../nodes/subscription/context.js";
import { decideSubscription } from "../nodes/subscription/policy.js";
import { gatherDisputeContext } from "../nodes/dispute/context.js";
import { decideDispute } from "../nodes/dispute/policy.js";
import { gatherRefundContext } from "../nodes/refund/context.js";
import { decideRefund } from "../nodes/refund/policy.js";

export const DOMAIN_SPECS: Record<Domain, DomainSpec> = {
  dunning: { gather: gatherDunningContext, rules: (ctx, config) => decideDunning(ctx as any, config) },
  subscription: { gather: gatherSubscriptionContext, rules: (ctx, config) => decideSubscription(ctx as any, config) },
  dispute: { gather: gatherDisputeContext, rules: (ctx, config) => decideDispute(ctx as any, config) },
  refund: { gather: gatherRefundContext, rules: (ctx, config) => decideRefund(ctx as any, config) },
};
