// Dispute policy: new or updated disputes (and inquiries) → stage the sourced evidence (a person submits); near the
// deadline stage, ask and escalate at once; record outcomes.
import type { DisputeAction } from "../../domain/actions.js";
import type { PolicyConfig } from "../../domain/policy-config.js";
import { escalate, type ProposedDecision } from "../proposal.js";
import type { DisputeContext } from "./context.js";
import { assembleEvidence, reasonFamily } from "./evidence.js";
import { disputeEconomics } from "./economics.js";
import { formatDateTime } from "../../domain/dates.js";

type D = ProposedDecision<DisputeAction>;

const ANSWERABLE = new Set(["needs_response", "warning_needs_response"]);
const CLOSED = new Set(["won", "lost", "warning_closed", "prevented"]);

export function decideDispute(ctx: DisputeContext, config: PolicyConfig): D {
  const d = ctx.dispute;
  if (ctx.foreignObject) return { ...escalate(`the request names dispute ${ctx.foreignObject.id}, which belongs to another customer`), ambiguous: "dispute of another customer" };
  if (!d) return escalate(`dispute ${ctx.disputeId ?? "(none)"} not found in Stripe`);
  const record = (why: string): D => ({ action: "record_outcome", params: { dispute: d.id, status: d.status }, rationale: why, confidence: 1 });
  const type = ctx.trigger.kind === "event" ? ctx.trigger.type : "support_request";

  // The re-read status decides: a late `created` for a dispute that already closed only records.
  if (CLOSED.has(d.status) || type === "charge.dispute.closed") return record(`Dispute ${d.id} closed as ${d.status}.`);
  if (ctx.trigger.kind === "request") {
    // A customer writing about their dispute is a conversation for a person; evidence is staged from Stripe's events.
    return escalate(`customer wrote about dispute ${d.id} (${d.status})`);
  }
  if (!ANSWERABLE.has(d.status)) return record(`Dispute ${d.id} is ${d.status}: evidence is with the bank, nothing to do.`);
  if (type === "charge.dispute.funds_withdrawn" || type === "charge.dispute.funds_reinstated") return record(`${type} recorded.`);

  const due = d.evidence_details?.due_by ?? null;
  if (d.evidence_details?.past_due || (due != null && due <= ctx.now)) {
    return escalate(`evidence for dispute ${d.id} was due on ${due != null ? formatDateTime(due) : "a date that passed"}`, "The deadline passed; only a person can decide what is left.");
  }
  const charge = ctx.charge;
  if (charge && (charge.refunded || charge.amount_refunded >= charge.amount)) {
    return escalate(
      `charge ${charge.id} was already refunded in full before dispute ${d.id}: submit the refund as evidence or accept`,
      "The customer has the money back; a person chooses between proving the refund and accepting.",
    );
  }
  const kind = d.status === "warning_needs_response" ? "inquiry" : "dispute";
  const hoursLeft = due != null ? Math.max(0, Math.floor((due - ctx.now) / 3600)) : null;
  // Near the deadline nothing waits: what is known is staged, the submit question is asked (its deadline is the
  // dispute's), and a person is told now — the one who must answer within hours starts from the staged evidence.
  const urgent = due != null && due - ctx.now < config.dispute_deadline_hours * 3600;
  // An update from outside (our own writes' echoes never get here) supersedes the question to a person: the evidence
  // is staged again from the current facts and the person is asked again.
  const staged = assembleEvidence(ctx, config);
  if (Object.keys(staged.evidence).length === 0) {
    return escalate(`nothing about ${kind} ${d.id} could be read from Stripe to stage as evidence`);
  }
  const family = reasonFamily(d.reason);
  const economics = disputeEconomics(d, staged, config);
  const dueText = due != null ? formatDateTime(due) : "the deadline";
  return {
    action: "stage_evidence",
    params: {
      dispute: d.id,
      evidence: staged.evidence,
      sources: staged.sources,
      economics,
      ...(urgent ? { escalate: `${kind} ${d.id} (${d.reason}) evidence is due in ${hoursLeft} h, on ${dueText} (< ${config.dispute_deadline_hours} h): evidence staged, submit waits for a person` } : {}),
    },
    rationale: `${kind === "inquiry" ? "Inquiry" : "Dispute"} ${d.id} (${d.reason}, ${family} family) on ${charge?.id ?? "its charge"}: staged ${Object.keys(staged.evidence).length} evidence fields, each from Stripe data or the operator's policy texts; a person reviews and submits before ${dueText}.${urgent ? ` Due in ${hoursLeft} h: operations are told now.` : ""} ${economics.summary}`,
    confidence: family === "general" ? 0.8 : 1,
    ...(family === "general" ? { ambiguous: `dispute reason ${d.reason}: generic evidence only` } : {}),
  };
}
