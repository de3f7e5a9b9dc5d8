// The rules decider: the deterministic policies, the default without a model and the fallback when the model fails.
import type { Decider, DomainSpec } from "../nodes/deps.js";
import type { Domain } from "../domain/actions.js";
import { classifyRequest } from "../nodes/supervisor/classify-rules.js";

export function createRulesDecider(domains: Record<Domain, DomainSpec>): Decider {
  return {
    name: "rules",
    async decide(domain, context, { config }) {
      const p = domains[domain].rules(context, config);
      return { ...p, source: "rules" };
    },
    async classify(request, opts) {
      const c = classifyRequest(request, opts?.understanding);
      return { route: c.route, intent: c.intent, params: { ...c.params }, source: "rules", ...(c.ambiguous ? { ambiguous: c.ambiguous } : {}), understanding: c.understanding };
    },
  };
}
