// The four domains' fact gathering and deterministic policy, as nodes and deciders see them.
import type { Domain } from "../domain/actions.js";
import type { DomainSpec } from "./deps.js";
import { gatherDunningContext } from "./dunning/context.js";
import { decideDunning } from "./dunning/policy.js";
import { gatherSubscriptionContext } from "./subscription/context.js";
import { decideSubscription } from "./subscription/policy.js";
import { gatherDisputeContext } from "./dispute/context.js";
import { decideDispute } from "./dispute/policy.js";
import { gatherRefundContext } from "./refund/context.js";
import { decideRefund } from "./refund/policy.js";

export const DOMAIN_SPECS: Record<Domain, DomainSpec> = {
  dunning: { gather: gatherDunningContext, rules: (ctx, config) => decideDunning(ctx as any, config) },
  subscription: { gather: gatherSubscriptionContext, rules: (ctx, config) => decideSubscription(ctx as any, config) },
  dispute: { gather: gatherDisputeContext, rules: (ctx, config) => decideDispute(ctx as any, config) },
  refund: { gather: gatherRefundContext, rules: (ctx, config) => decideRefund(ctx as any, config) },
};
