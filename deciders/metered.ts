// A decider that reports what another one did to the metrics: decisions by source, model calls, tokens and fallbacks.
// It wraps whichever decider runs (rules, llm, hybrid) and changes no answer.
import type { Decider } from "../nodes/deps.js";
import type { Metrics } from "../telemetry/metrics.js";

export function meteredDecider(inner: Decider, m: Metrics): Decider {
  const usage = (kind: "decide" | "classify", r: { llm?: { calls: number; tokens: number }; fallbackReason?: string }) => {
    if (r.llm?.calls) m.modelCalls.inc({ kind }, r.llm.calls);
    if (r.llm?.tokens) m.modelTokens.inc({ kind }, r.llm.tokens);
    if (r.fallbackReason) m.modelFallbacks.inc({ kind });
  };
  // Everything else a decider has (its name, anything added later) is the inner one's, through the prototype.
  const metered: Pick<Decider, "decide" | "classify"> = {
    async decide(domain, context, opts) {
      const r = await inner.decide(domain, context, opts);
      m.decisions.inc({ domain, source: r.source });
      usage("decide", r);
      return r;
    },
    async classify(request, opts) {
      const r = await inner.classify(request, opts);
      usage("classify", r);
      return r;
    },
  };
  return Object.assign(Object.create(inner) as Decider, metered);
}
