// The rules classifier for free-text support requests: route, intent and parameters from keywords; the text is data, never instructions.
import type { RequestClassification, SupportRequest } from "../proposal.js";

/** Messages that try to instruct the agent: still classified, but flagged so a person or model sees it. */
const INSTRUCTION = /\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|rules?|prompt|polic(y|ies))\b|\bsystem prompt\b|\byou are now\b|\bact as\b|\bnew instructions?\b|\bapprove (this|it) automatically\b/i;

const DUPLICATE = /\b(charged|billed|debited|paid|charging)\b.{0,20}\b(twice|two times|double|2x)\b|\bdouble[- ]?(charged|billed|charge|payment)\b|\bduplicate[ds]? (charge|payment|transaction)s?\b|\bcharged me again\b/i;
const UNRECOGNIZED = /\b(don'?t|do not|didn'?t|did not)\s+(recogni[sz]e|authori[sz]e|make|remember making)\b|\bunauthori[sz]ed\b|\bnot me\b|\bstolen\b|\bfraud(ulent)?\b/i;
const REFUND = /\brefund|\bmoney back\b|\breimburse|\bby mistake\b|\baccidental(ly)?\b|\bby accident\b|\bwrong(ly)? charged\b|\bovercharged\b|\bcharge(d)? .{0,15}\bwrong\b|\bpay (me )?back\b/i;
const CANCEL = /\bcancel(l?ing|l?ed|lation)?\b|\bterminate\b|\bend my subscription\b|\bunsubscribe\b|\bclose my account\b/i;
const CANCEL_NOW = /\b(immediately|right now|right away|asap|today|effective now|now)\b/i;
const PERIOD_END = /\b(end of|at the end|when .{0,20} (ends|runs out)|renewal|next (billing|cycle|month))\b/i;
const PAUSE = /\bpause\b|\bon hold\b|\bfreeze\b|\btake a break\b/i;
const UPGRADE = /\bupgrade\b/i;
const DOWNGRADE = /\bdowngrade\b/i;
const CHANGE = /\b(switch|move|change|put|transfer|go)\b.{0,30}\bto\b/i;
const RETRY = /\b(retry|try (it |the payment |my card )?again|charge (it|me|my card) again|added (the )?funds|funds are (now )?(there|available)|topped up)\b/i;
const PAYMENT_HELP = /\b(payment|card|invoice)\b.{0,30}\b(fail|failed|failing|declin|bounced|didn'?t go through)|\bupdate (my|our|the) (card|payment)|\bnew card\b|\bexpired\b/i;
const DISPUTE = /\b(dispute|chargeback|charge-back)\b/i;
const SMALL_TALK = /^(hi|hello|hey|thanks?|thank you|ok(ay)?|cheers|great|👍)[\s!.]*$/i;

const STOP = new Set(["please", "instead", "now", "asap", "today", "starting", "from", "for", "thanks", "thank", "and", "so", "as", "with", "because", "since", "if"]);

/** Words after "to" that start a verb phrase ("I'd like to downgrade to Basic"), not a plan name. */
const NOT_A_PLAN = /^(me|us|you|it|them|be|get|have|do|upgrade|downgrade|move|switch|change|cancel|pause|go|keep|stay|pay|know|ask|see|try|make|use|buy)$/i;

/** The plan name after "to" (upgrade us to Enterprise, move me to the Basic plan). */
export function extractTargetPlan(text: string): string | undefined {
  for (const m of text.matchAll(/\bto\s+(?:the\s+|our\s+|a\s+|an\s+)?([A-Za-z][\w+-]*(?:\s+(?!to\b)[A-Za-z][\w+-]*){0,2})/gi)) {
    const words: string[] = [];
    for (const w of m[1].split(/\s+/)) {
      if (STOP.has(w.toLowerCase()) || /^(plan|tier|package|subscription)$/i.test(w)) break;
      words.push(w);
    }
    if (words.length && !NOT_A_PLAN.test(words[0])) return words.join(" ");
  }
  return undefined;
}

/** Amounts the customer wrote, in major units ("$15", "15 dollars", "€9.99"). */
export function extractAmounts(text: string): number[] {
  const out: number[] = [];
  const num = (s: string) => Number(s.replace(/,/g, ""));
  for (const m of text.matchAll(/(?:[$€£]|\b(?:usd|eur|gbp)\s?)\s?(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)/gi)) out.push(num(m[1]));
  for (const m of text.matchAll(/\b(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)\s?(?:dollars?|bucks|usd|euros?|eur|pounds?|gbp)\b/gi)) out.push(num(m[1]));
  return [...new Set(out.filter((n) => Number.isFinite(n) && n > 0))];
}

export function classifyRequest(request: SupportRequest): RequestClassification {
  const text = (request.message ?? "").slice(0, 5000);
  const flags: string[] = [];
  if (INSTRUCTION.test(text)) flags.push("message contains instructions to the agent (treated as data)");

  const params: RequestClassification["params"] = {};
  const chargeInText = /\b(?:ch|py)_[A-Za-z0-9]{4,}\b/.exec(text)?.[0];
  const subInText = /\bsub_[A-Za-z0-9]{4,}\b/.exec(text)?.[0];
  if (request.charge) params.charge = request.charge;
  else if (chargeInText) params.charge = chargeInText;
  if (request.subscription) params.subscription = request.subscription;
  else if (subInText) params.subscription = subInText;

  const out = (route: RequestClassification["route"], intent: string, extra: Partial<RequestClassification["params"]> = {}, why?: string): RequestClassification => {
    const all = [...flags, ...(why ? [why] : [])];
    return { route, intent, params: { ...params, ...extra }, ...(all.length ? { ambiguous: all.join("; ") } : {}) };
  };

  if (!text.trim() || SMALL_TALK.test(text.trim())) return out("ignore", "no_request");

  const amounts = extractAmounts(text);
  // Several amounts: take the smallest, so an unclear message never asks for more than the customer may have meant.
  const amount = amounts.length ? { amount: Math.min(...amounts) } : {};
  const amountNote = amounts.length > 1 ? `several amounts in the message (${amounts.join(", ")})` : undefined;
  const wantsRefund = REFUND.test(text);

  if (DUPLICATE.test(text)) return out("refund", "duplicate", amount, amountNote);
  if (UNRECOGNIZED.test(text)) return out("refund", "unrecognized", amount, "customer does not recognise a charge");
  if (DISPUTE.test(text) && !wantsRefund) return out("dispute", "dispute_question", {}, "customer mentions a dispute");

  if (CANCEL.test(text)) {
    const now = CANCEL_NOW.test(text) && !PERIOD_END.test(text);
    return out("subscription", now ? "cancel_immediately" : "cancel_at_period_end", {}, wantsRefund ? "also asks for a refund" : undefined);
  }
  if (PAUSE.test(text)) return out("subscription", "pause");
  const target = extractTargetPlan(text);
  const plan = target ? { target_plan: target } : {};
  if (UPGRADE.test(text)) return out("subscription", "upgrade", plan, target ? undefined : "no target plan named");
  if (DOWNGRADE.test(text)) return out("subscription", "downgrade", plan, target ? undefined : "no target plan named");
  if (CHANGE.test(text) && target && !wantsRefund) return out("subscription", "change_plan", plan);

  if (wantsRefund) return out("refund", "refund", amount, amountNote);
  if (RETRY.test(text)) return out("dunning", "retry_payment");
  if (PAYMENT_HELP.test(text)) return out("dunning", "payment_help");

  // Nothing clear: a person answers. Route by the object the support tool attached, so the case lands on it.
  return out(params.charge ? "refund" : "subscription", "unclear", {}, "no recognised request in the message");
}
