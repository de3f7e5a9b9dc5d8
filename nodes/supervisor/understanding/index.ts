// Request understanding: what a support message asks, for the supervisor's routing, the specialists' policies, the
// guard's "understood for certain" rule, and the person who answers (describeUnderstanding).
import { formatMoney, toMinor } from "../../../domain/money.js";
import type { RequestClassification } from "../../proposal.js";
import type { AmountInText, UnderstoodIntent, UnderstoodIntentName, Understanding } from "./types.js";

export { understandRequest } from "./understand.js";
export { amountsIn } from "./targets.js";
export { readLanguage } from "./language.js";
export { CONFIDENCE, UNDERSTOOD_INTENTS, type AmountInText, type IntentTarget, type UnderstoodIntent, type UnderstoodIntentName, type Understanding } from "./types.js";

const ROUTE: Record<UnderstoodIntentName, RequestClassification["route"]> = {
  cancel: "subscription", pause: "subscription", reactivate: "subscription", upgrade: "subscription", downgrade: "subscription",
  change_plan: "subscription", change_quantity: "subscription", refund: "refund", duplicate: "refund", unrecognized: "refund",
  retry_payment: "dunning", payment_help: "dunning", dispute_question: "dispute", account_update: "subscription",
  invoice_request: "subscription", billing_question: "subscription",
};

/** The intent names the specialists' policies act on (nodes/supervisor/schema.ts REQUEST_INTENTS). */
function policyIntent(i: UnderstoodIntent): string {
  switch (i.intent) {
    case "cancel":
      return i.target.timing === "now" ? "cancel_immediately" : "cancel_at_period_end";
    case "pause":
    case "upgrade":
    case "downgrade":
    case "change_plan":
    case "refund":
    case "duplicate":
    case "unrecognized":
    case "retry_payment":
    case "payment_help":
    case "dispute_question":
      return i.intent;
    default:
      // Understood, but nothing billops changes by itself: a person answers.
      return "unclear";
  }
}

/**
 * The supervisor's routing from an understanding: the first thing asked for picks the specialist; everything not
 * understood for certain carries the reasons in `ambiguous`, which keeps it from acting alone.
 */
export function classificationOf(u: Understanding, request: { charge?: string; subscription?: string }): RequestClassification {
  const params: RequestClassification["params"] = {};
  if (request.charge) params.charge = request.charge;
  if (request.subscription) params.subscription = request.subscription;
  const ambiguous = u.ambiguities.length ? { ambiguous: u.ambiguities.join("; ") } : {};
  if (u.kind !== "request") return { route: "ignore", intent: "no_request", params, ...ambiguous };
  const wanted = u.intents.find((i) => !i.negated && !i.question);
  const mentioned = wanted ?? u.intents.find((i) => !i.negated) ?? u.intents[0];
  if (!mentioned) return { route: params.charge ? "refund" : "subscription", intent: "unclear", params, ...ambiguous };
  const t = mentioned.target;
  if (t.plan) params.target_plan = t.plan;
  if (t.amount) params.amount = t.amount.value;
  if (!params.charge && t.charge) params.charge = t.charge;
  if (!params.subscription && t.subscription) params.subscription = t.subscription;
  const intent = wanted ? policyIntent(wanted) : "unclear";
  // A question or a refusal is answered by a person on the matter it is about; a refund route never gets "unclear"
  // for a non-money matter.
  const route = intent === "unclear" && ROUTE[mentioned.intent] === "refund" && !["refund", "duplicate", "unrecognized"].includes(mentioned.intent) ? "subscription" : ROUTE[mentioned.intent];
  return { route, intent, params, ...ambiguous };
}

function amountText(a: AmountInText): string {
  if (a.currency) {
    const minor = toMinor(a.value, a.currency);
    if (minor != null) return formatMoney(minor, a.currency);
  }
  return a.text;
}

const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DURATION = (d: NonNullable<UnderstoodIntent["target"]["duration"]>) => `${d.count} ${d.unit}${d.count === 1 ? "" : "s"}`;

function askText(i: UnderstoodIntent): string {
  const t = i.target;
  const on = [t.subscription && `subscription ${t.subscription}`, t.charge && `charge ${t.charge}`, t.invoice && `invoice ${t.invoice}`].filter(Boolean).join(", ");
  const what = (() => {
    switch (i.intent) {
      case "cancel":
        return `cancel the subscription${t.timing === "now" ? " now" : t.timing === "period_end" ? " at the end of the paid period" : ""}`;
      case "pause":
        return `pause the subscription${t.duration ? ` for ${DURATION(t.duration)}` : t.untilMonth ? ` until ${MONTH_NAMES[t.untilMonth - 1]}` : " (no length given)"}`;
      case "reactivate":
        return "keep or restart the subscription";
      case "upgrade":
      case "downgrade":
      case "change_plan":
        return `${i.intent === "change_plan" ? "change plan" : i.intent}${t.plan ? ` to “${t.plan}”` : " (no plan named)"}`;
      case "change_quantity":
        return `change the number of seats${t.seats !== undefined ? ` (${t.seats})` : ""}${t.object ? ` (“${t.object}”)` : ""}`;
      case "refund":
        return `refund${t.amount ? ` ${amountText(t.amount)}` : ""}${t.object ? ` (“${t.object}”)` : ""}`;
      case "duplicate":
        return `refund a duplicate charge${t.amount ? ` of ${amountText(t.amount)}` : ""}`;
      case "unrecognized":
        return "does not recognise a charge";
      case "retry_payment":
        return "charge the card again";
      case "payment_help":
        return "help paying / updating the card";
      case "dispute_question":
        return "a dispute or chargeback";
      case "account_update":
        return "change account or invoice details";
      case "invoice_request":
        return "send an invoice or receipt";
      case "billing_question":
        return "a billing question";
    }
  })();
  const how = i.negated ? "said NOT to: " : i.question ? "asked about: " : "asked to: ";
  return `${how}${what}${on ? ` (${on})` : ""}${i.typo ? ` [read ${i.typo}]` : ""}`;
}

/** What was understood, one line an ask, for the approval or escalation a person reads. */
export function describeUnderstanding(u: Understanding): string[] {
  if (u.kind === "empty") return ["empty message"];
  if (u.kind === "not_billing") return ["not a billing request"];
  const lines = u.intents.map(askText);
  if (!lines.length) lines.push("no request recognised");
  if (!u.english) lines.unshift(`language: ${u.language}`);
  return lines;
}

/** The understood lines of a case's stored classification (the supervisor keeps its understanding there). */
export function understoodLines(classification: Record<string, unknown> | null | undefined): string[] {
  const u = classification?.understanding as Understanding | undefined;
  return u && typeof u === "object" && Array.isArray(u.intents) ? describeUnderstanding(u) : [];
}
