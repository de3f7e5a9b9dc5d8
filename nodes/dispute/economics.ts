// Counter or accept: what each choice costs, in the dispute's currency, and how strong the staged evidence is.
// Fees are the policy's (dispute_fee, dispute_counter_fee per currency); Stripe's pricing page is their source.
import type Stripe from "stripe";
import { formatMoney } from "../../domain/money.js";
import { thresholdFor } from "../../domain/money-threshold.js";
import type { PolicyConfig } from "../../domain/policy-config.js";
import type { StagedEvidence } from "./evidence.js";
import type { Economics } from "./schema.js";

const INQUIRY = new Set(["warning_needs_response", "warning_under_review"]);

export function disputeEconomics(dispute: Stripe.Dispute, staged: Pick<StagedEvidence, "evidence" | "sources" | "ce3"> | null, config: PolicyConfig): Economics {
  const cur = dispute.currency;
  const fmt = (n: number) => formatMoney(n, cur);
  const inquiry = INQUIRY.has(dispute.status);
  const disputeFee = thresholdFor(config.dispute_fee, cur);
  const counterFee = thresholdFor(config.dispute_counter_fee, cur);
  const amount = dispute.amount;
  const fees = (n: number) => (n > 0 ? fmt(n) : `not configured for ${cur.toUpperCase()}`);
  const facts = staged ? Object.values(staged.sources).reduce((n, s) => n + s.length, 0) : 0;
  const fields = staged ? Object.keys(staged.evidence).length : 0;
  const ce3 = !staged ? "not assessed" : staged.ce3.qualified ? `qualifies: ${staged.ce3.why}` : staged.ce3.applies ? `does not qualify: ${staged.ce3.why}` : `not applicable: ${staged.ce3.why}`;
  const summary = inquiry
    ? `Inquiry for ${fmt(amount)}: no money has moved yet. Answering it (or refunding in full) before the deadline avoids a chargeback; a chargeback would cost ${fmt(amount)} plus the dispute fee (${fees(disputeFee)}).`
    : `Dispute for ${fmt(amount)}. Accept: lose ${fmt(amount)} and the dispute fee (${fees(disputeFee)}), ${fmt(amount + disputeFee)} in all. Counter: the counter fee (${fees(counterFee)}) is added at stake; if lost, ${fmt(amount + disputeFee + counterFee)} in all.`;
  return {
    currency: cur,
    amount,
    dispute_fee: inquiry ? 0 : disputeFee,
    counter_fee: inquiry ? 0 : counterFee,
    summary: `${summary} Evidence: ${fields} field${fields === 1 ? "" : "s"} from ${facts} sourced fact${facts === 1 ? "" : "s"}; Visa CE 3.0 ${ce3}.`.slice(0, 2000),
    evidence_facts: facts,
    ce3: ce3.slice(0, 1000),
  };
}
