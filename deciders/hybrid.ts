// The hybrid decider: the rules decide the clear cases; only a decision the rules mark ambiguous (or a request the
// classifier reads as unclear) goes to the model. Recommended for production: the model's cost and risk stay on the
// few cases rules cannot foresee.
//
// What "ambiguous" means (set by the policies, see docs/deciders.md):
// - dunning: a decline code not in the table (unknown category), whatever the proposal.
// - refund: free text the rules could not read (unclear, unrecognised charge), a duplicate claim without a twin,
//   a charge of another customer, an amount above the refundable one, an open dispute that allows a refund,
//   and any flag the classifier raised (instructions in the message, several amounts).
// - subscription: free text without a clear request, several subscriptions, no or unknown or several matching plans,
//   a multi-item subscription, metered prices, "upgrade" to a cheaper plan (conflicting signals), classifier flags.
// - dispute: a reason family without specific evidence (general and unknown reasons).
// - support requests: everything the request understanding (nodes/supervisor/understanding) did not understand for
//   certain — several asks, a question or a negation without a clear ask, a doubt about timing, object or plan,
//   another language, instructions in the text. The model's reading routes such a request and proposes; the guard
//   still sends whatever it proposes to a person, because the understanding says the request was not certain.
import type { Decider } from "../nodes/deps.js";
import type { Trigger } from "../nodes/proposal.js";

export interface HybridDecider extends Decider {
  readonly name: "hybrid";
}

export function createHybridDecider(o: { rules: Decider; llm: Decider }): HybridDecider {
  return {
    name: "hybrid",
    async decide(domain, context, opts) {
      const base = await o.rules.decide(domain, context, opts);
      // A decision on a support request the rules did not understand for certain is the model's to propose too.
      const t = (context as { trigger?: Trigger } | null)?.trigger;
      const uncertainRequest = t?.kind === "request" && t.understanding != null && !t.understanding.certain;
      if (!base.ambiguous && !uncertainRequest) return base;
      return o.llm.decide(domain, context, opts);
    },
    async classify(request, opts) {
      const base = await o.rules.classify(request, opts);
      if (base.understanding?.certain) return base;
      return o.llm.classify(request, opts);
    },
  };
}
