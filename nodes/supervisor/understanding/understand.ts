// Reads a support message into asks: each intent with its target, whether it is negated or only asked about, and
// whether the whole is understood for certain. Pure and deterministic: the guard relies on it whatever a model says.
import { CANCEL_VERB, BILLING_WORDS, ENGLISH_PATTERNS, FOREIGN_NEGATION, FOREIGN_WORDS, NOT_BILLING, SMALL_TALK, type Pattern } from "./lexicon.js";
import { readLanguage } from "./language.js";
import { amountDoubts, amountsIn, durationIn, idsIn, shareIn, planAfter, planBefore, seatsIn, timingIn, untilMonthIn } from "./targets.js";
import { clauses, prepare, sentences } from "./text.js";
import { CONFIDENCE, type IntentTarget, type UnderstoodIntent, type UnderstoodIntentName, type Understanding } from "./types.js";

/** Messages that try to instruct the agent: still read for what they ask, never acted on alone. */
const INSTRUCTION = /\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|rules?|prompt|polic(y|ies)|limits?|guard)\b|\bsystem prompt\b|\byou are now\b|\bact as\b|\bnew instructions?\b|\b(approve|execute) (this|it) (automatically|immediately|without)\b|\bno approval\b|\badmin mode\b|\bsystem override\b|^\s*system\s*:/im;

/** Which asks are one matter: a refund and a duplicate-charge complaint are one ask, a cancel and a refund two. */
const GROUP: Record<UnderstoodIntentName, string> = {
  cancel: "cancel", pause: "pause", reactivate: "reactivate", upgrade: "plan", downgrade: "plan", change_plan: "plan",
  change_quantity: "seats", refund: "money", duplicate: "money", unrecognized: "money", retry_payment: "paying",
  payment_help: "paying", dispute_question: "dispute", account_update: "account", invoice_request: "invoice",
  billing_question: "question",
};

type Form = "statement" | "request" | "permission" | "info" | "hypothetical";

const OPENERS = /^(?:(?:hi|hello|hey|dear \w+|so|ok|okay|well|um|also|and|but|quick question|question|hi there|hello there|team|support)[,:!\s-]+)+/;

/** How a sentence asks: "can you cancel…?" asks for it, "how do I cancel?" and "why did you cancel?" ask about it. */
function formOf(sentence: string): Form {
  const s = sentence.replace(OPENERS, "");
  if (/^(please\s+)?(can|could|would|will|can not)\s+(you|someone|somebody|anyone|your team|support|y'all)\b|^would you (mind|be able|kindly)\b|^(is there any way|any chance) (you|that you)\b|^(i was|i am) wondering if you could\b/.test(s)) return "request";
  if (/\b(what happens|what would happen|if|unless|otherwise|or else|in case|thinking (about|of)|considering|not sure|unsure|wondering|might|maybe|perhaps|should i|should we|whether|do i need to|do we need to|is it worth)\b/.test(s)) return "hypothetical";
  if (/^(can|could|may)\s+(i|we)\s+(get|have|receive|please|ask you to)\b/.test(s)) return "request";
  if (/^(can|could|may)\s+(i|we)\b/.test(s)) return /\bplease\b/.test(s) ? "request" : "permission";
  if (/^(is it possible|would it be possible|is there a way|is there an option)\b/.test(s)) return "permission";
  if (/^(how|what|when|where|which|who|why|whom|whose|is|are|was|were|do|does|did|am|will|have|has|had|should|shall)\b(?!\s+not\b)/.test(s)) return "info";
  if (/\?\s*$/.test(s)) return "info";
  return "statement";
}

const NEGATION_BEFORE = /\b(not|never|no|without|nor|instead of|rather than|no need to|no intention of|none of)\b(?:\s+[\w']+){0,4}\s*$/;
/** The customer takes it back or hesitates: "…actually wait, let me check first". */
const HESITATION = /\b(actually,? wait|wait,? (no|actually)|hold on|on second thought|let me (check|think|ask|talk)|scratch that|never ?mind that|not yet|before i decide|i('| a)m not sure)\b/;

interface Hit {
  /** A money ask that names its share ("half", "the $10 difference", "the rest"): how much is settled. */
  shareNamed?: boolean;
  intent: UnderstoodIntentName;
  at: number;
  negated: boolean;
  question: boolean;
  target: IntentTarget;
  unsure: string[];
  typo?: string;
}

const SUBSCRIPTION_OBJECT = /^(?:(?:my|our|the|this|your|whole|entire|current|paid|monthly|yearly|annual|account'?s?|team'?s?)\s+)*(?:[a-z]+\s+)?(subscriptions?|membership|plan|account|contract|service|renewal|autorenew|trial|everything|it|this|that|me|us|them|all|order)?\b/;
const OBJECT_STOP = /\b(please|now|today|immediately|right|asp|asap|as|at|by|before|after|from|effective|when|because|since|so|thanks|thank|for|and|but|i|we|it is|it's)\b/;

/** The words right after a cancel verb, up to the clause's next filler ("cancel the extra seat please" → "the extra seat"). */
function objectAfter(clause: string, end: number): string {
  const rest = clause.slice(end).replace(/^[\s:,-]+/, "").split(/[,;:?!.]/)[0]!;
  const stop = OBJECT_STOP.exec(rest);
  return (stop ? rest.slice(0, stop.index) : rest).split(/\s+/).slice(0, 5).join(" ").trim();
}

/** A cancel verb's object decides the ask: the subscription, a seat, a plan change, a payment, or emails. */
function cancelAsk(object: string): { intent: UnderstoodIntentName | "not_billing"; unsure?: string } {
  if (/\b(seats?|users?|licen[cs]es?|members?|logins?)\b/.test(object)) return { intent: "change_quantity" };
  if (/\b(upgrade|downgrade|plan change|switch|change)\b/.test(object)) return { intent: "change_plan", unsure: `asks to undo a plan change (“cancel ${object}”)` };
  if (/\b(payments?|charges?|invoices?|transactions?|purchases?|orders?|bills?|debits?)\b/.test(object)) return { intent: "refund", unsure: `asks to cancel a payment (“${object}”): a refund, a void, or the subscription?` };
  if (/\b(email|newsletter|notifications?|marketing|mailing|alerts?|messages?|reminders?|texts?|sms)\b/.test(object)) return { intent: "not_billing" };
  if (/\b(cards?)\b/.test(object)) return { intent: "payment_help", unsure: `“cancel ${object}”: remove a card, or stop payments?` };
  const m = SUBSCRIPTION_OBJECT.exec(object);
  const known = !object || (m && m[0].trim().length === object.length) || /\b(subscriptions?|membership|plan|account|contract|autorenew|renewal|trial|service)\b/.test(object);
  return known ? { intent: "cancel" } : { intent: "cancel", unsure: `cancel what? (“${object}”)` };
}

const CHANGE_OBJECT = /^(?:(?:me|us|everyone|everybody|it|them|my account|our account|our team|the team|my team|my plan|our plan|the plan|my subscription|our subscription|the subscription|my membership|our membership|us all|all of us)\s*)?(?:back|up|down|over|right away|now)?$/;

function hitsIn(clause: string, sentence: string, form: Form, typos: Record<string, string>, full: string): Hit[] {
  const hits: Hit[] = [];
  const taken: [number, number][] = [];
  const overlaps = (a: number, b: number) => taken.some(([x, y]) => a < y && b > x);
  const question = form === "info" || form === "hypothetical";
  for (const p of ENGLISH_PATTERNS) {
    const re = new RegExp(p.re.source, "g");
    for (const m of clause.matchAll(re)) {
      const at = m.index!;
      const end = at + m[0].length;
      // A span one pattern claimed ("do not want to renew") is not read again by a looser one ("renew", "not").
      if (overlaps(at, end)) continue;
      const hit = readHit(p, m, clause, sentence, full);
      if (!hit) continue;
      // A cancel verb's object ("the Pro upgrade", "the extra seat") is part of that ask, not an ask of its own.
      taken.push([at, p.re === CANCEL_VERB ? end + 1 + objectAfter(clause, end).length : end]);
      const typo = Object.entries(typos).find(([, fixed]) => m[0].includes(fixed));
      if (typo) {
        hit.typo = `${typo[0]} → ${typo[1]}`;
        // A corrected word counts when something else in the clause anchors it: the object, or the plan or amount named.
        const anchored = /\b(subscription|plan|membership|account|refund|charge|payment|money)\b/.test(clause) || hit.target.plan || hit.target.amount;
        if (!anchored) hit.unsure.push(`read “${typo[0]}” as “${typo[1]}”`);
      }
      // "How do I update my card?" wants to pay: the answer is the payment link, so it is asked for, not only about.
      if (!hit.negated && question && GROUP[hit.intent] !== "paying" && GROUP[hit.intent] !== "dispute") hit.question = true;
      if (form === "hypothetical") hit.unsure.push("asked hypothetically");
      if (form === "permission" && !hit.negated) hit.unsure.push("asked whether it is possible, not asked for");
      hits.push(hit);
    }
  }
  return hits;
}

function readHit(p: Pattern, m: RegExpMatchArray, clause: string, sentence: string, full: string): Hit | null {
  const at = m.index!;
  const before = clause.slice(0, at);
  const negated = !p.intrinsic && NEGATION_BEFORE.test(before) && !/\b(not sure|not certain|no idea)\b/.test(before);
  const hit: Hit = { intent: p.intent, at, negated, question: false, target: {}, unsure: p.unsure ? [p.unsure] : [] };
  switch (p.intent) {
    case "cancel": {
      if (p.re === CANCEL_VERB) {
        const object = objectAfter(clause, at + m[0].length);
        const ask = cancelAsk(object);
        if (ask.intent === "not_billing") return null;
        hit.intent = ask.intent;
        if (ask.unsure) hit.unsure.push(ask.unsure);
        if (object && ask.intent !== "cancel") hit.target.object = object;
        const seats = ask.intent === "change_quantity" ? seatsIn(clause) : undefined;
        if (seats !== undefined) hit.target.seats = seats;
        if (ask.intent === "change_plan") {
          const plan = planAfter(sentence.slice(sentence.indexOf(clause) + clause.length));
          if (plan) hit.target.plan = plan;
        }
        if (ask.intent !== "cancel") break;
        if (/\bunsubscribe\b/.test(m[0]) && /\b(from|to) (your|the|all|these)?\s*(email|newsletter|mailing|marketing|list)/.test(clause)) return null;
        // "We cancelled last week": may tell what already happened rather than ask for it.
        if (/ed$/.test(m[0]) && !/\b(be|get|have it|want it|like it)\s*$/.test(before)) hit.unsure.push(`“${m[0]}” in the past tense: may say what already happened`);
        // A date of its own ("on March 1st", "before the 15th") is not the end of the paid period.
        if (DATE.test(sentence)) hit.unsure.push("asks for a date of its own");
        if (SOMEONE_ELSE.test(clause)) hit.unsure.push("may be about someone else's subscription");
      }
      const t = timingIn(sentence);
      if (p.timing) hit.target.timing = p.timing;
      else if (t.conflict) hit.unsure.push("says both now and at period end");
      else if (t.timing) hit.target.timing = t.timing;
      else if (t.vagueNow) hit.unsure.push("“now” may mean today or at the end of the paid period");
      break;
    }
    case "pause": {
      // The length may come in another sentence ("Can we pause? We'll be back in September.").
      const d = durationIn(sentence) ?? durationIn(full);
      const month = untilMonthIn(full);
      if (d) hit.target.duration = d;
      else if (month) hit.target.untilMonth = month;
      break;
    }
    case "upgrade":
    case "downgrade": {
      const plan = planAfter(clause) ?? planBefore(clause);
      if (plan) hit.target.plan = plan;
      else hit.unsure.push("no plan named");
      planTiming(hit, sentence);
      break;
    }
    case "change_plan": {
      const obj = (m.groups?.obj ?? "").trim();
      if (m.groups && !CHANGE_OBJECT.test(obj)) return null;
      const plan = planAfter(clause.slice(at));
      // "switch to the app", "go to settings": a generic verb is a plan change only with a plan after it.
      if (!plan && !p.unsure) return null;
      if (plan) hit.target.plan = plan;
      if (/\b(back|revert|return)\b/.test(m[0]) && /\b(cancel|undo)\b/.test(sentence)) hit.unsure.push("asks to undo a plan change");
      if (SOMEONE_ELSE.test(clause)) hit.unsure.push("may be about someone else's subscription");
      planTiming(hit, sentence);
      break;
    }
    case "change_quantity": {
      const seats = seatsIn(clause);
      if (seats !== undefined) hit.target.seats = seats;
      break;
    }
    case "refund":
    case "duplicate": {
      // The clause's own amount is the one asked for ("I paid $49 but only want $15 back"); else the sentence's.
      const own = amountsIn(clause);
      const amounts = own.length ? own : amountsIn(sentence);
      const doubts = amountDoubts(sentence);
      if (doubts.length && !amounts.length) hit.unsure.push(`amount not certain: ${doubts.join("; ")}`);
      else if (PART.test(clause) && !amounts.length && !shareIn(sentence)) hit.unsure.push("asks for part of a payment back without an amount");
      const share = shareIn(sentence);
      if (share) {
        hit.shareNamed = true;
        if (!amounts.length) hit.target.object = share;
      }
      if (amounts.length === 1) hit.target.amount = amounts[0];
      else if (amounts.length > 1 && p.intent === "refund") hit.unsure.push(`several amounts (${amounts.map((a) => a.text).join(", ")})`);
      break;
    }
  }
  return hit;
}

const MONTH = "january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec";
const DATE = new RegExp(`\\b(on|by|before|after|from|until|till|as of|effective|starting)\\s+(the\\s+)?(\\d{1,2}(st|nd|rd|th)|(${MONTH})\\b|\\d{4}-\\d{2}-\\d{2}|\\d{1,2}[./]\\d{1,2})`);
/** A change meant for a later date ("from next month", "at my next renewal"), or one meant now. */
const LATER = /\b(from|starting|beginning|as of|effective|at|on|after|with) (the |my |our )?(next|following|coming) (month|billing|cycle|period|renewal|year|invoice)\b|\bnext (month|billing cycle|renewal)\b|\bat (the )?(end of|renewal)\b|\bwhen (it|the subscription|my plan) renews\b/;
const SOMEONE_ELSE = /\b(my|our) (other|second|old|previous|sister|parent) (company|account|business|subscription|team|workspace|organi[sz]ation)\b|\b\w+'s (subscription|account|plan|membership)\b|\b(my|our) (brother|sister|wife|husband|friend|colleague|boss|client|customer|son|daughter|partner|mother|father|mom|dad)('s)?\b/;
const WRONG_AMOUNT = "says a charge was wrong";
const PART = /\b(half|a third|a quarter|\d+ ?%|percent|part of|portion|some of|partial(ly)?|prorat\w*|the difference|unused)\b/;

/** An upgrade runs now and a downgrade at period end: asked for another time, a person decides. */
function planTiming(hit: Hit, sentence: string): void {
  const t = timingIn(sentence);
  if (hit.intent !== "downgrade" && (LATER.test(sentence) || DATE.test(sentence))) hit.unsure.push("asks for the change at a later date");
  if (hit.intent === "downgrade" && t.timing === "now") hit.unsure.push("asks for the downgrade now (downgrades wait for the period end)");
}

/** Several readings of one matter become one ask; an ask is negated only if every mention is. */
function merge(hits: Hit[]): Hit[] {
  const byGroup = new Map<string, Hit[]>();
  for (const h of hits) byGroup.set(GROUP[h.intent], [...(byGroup.get(GROUP[h.intent]) ?? []), h]);
  const out: Hit[] = [];
  for (const [group, hs] of byGroup) {
    const live = hs.filter((h) => !h.negated);
    const use = live.length ? live : hs;
    const positive = use.some((h) => !h.question);
    const pick = (names: UnderstoodIntentName[]) => names.find((n) => use.some((h) => h.intent === n));
    let intent = use[0]!.intent;
    const unsure = [...new Set(use.flatMap((h) => h.unsure))];
    if (group === "money") intent = pick(["unrecognized", "duplicate", "refund"])!;
    if (group === "plan") {
      const dir = [...new Set(use.map((h) => h.intent).filter((i) => i !== "change_plan"))];
      if (dir.length > 1) unsure.push("says both upgrade and downgrade");
      intent = (dir[0] as UnderstoodIntentName) ?? "change_plan";
      // A plan named anywhere in the ask counts; "no plan named" only if none was.
      if (use.some((h) => h.target.plan)) unsure.splice(0, unsure.length, ...unsure.filter((u) => u !== "no plan named"));
    }
    if (group === "paying") intent = pick(["retry_payment", "payment_help"])!;
    const distinct = new Set(use.filter((h) => h.intent === intent || group !== "plan").map((h) => h.intent));
    if (group === "cancel" && distinct.size === 1 && use.length > 1) {
      // Two cancel mentions with different timings are a doubt, not two asks.
      const timings = new Set(use.map((h) => h.target.timing).filter(Boolean));
      if (timings.size > 1) unsure.push("says both now and at period end");
    }
    const target: IntentTarget = Object.assign({}, ...use.map((h) => h.target).reverse());
    // "Overcharged, please refund the $10 difference": the amount named settles how much goes back.
    if (group === "money" && (target.amount || use.some((h) => h.shareNamed))) unsure.splice(0, unsure.length, ...unsure.filter((u) => !u.startsWith(WRONG_AMOUNT)));
    const typo = use.find((h) => h.typo)?.typo;
    out.push({
      intent,
      at: Math.min(...use.map((h) => h.at)),
      negated: live.length === 0,
      question: !positive && live.length > 0,
      target,
      unsure,
      ...(typo ? { typo } : {}),
    });
  }
  return out.sort((a, b) => a.at - b.at);
}

function asWritten(raw: string, lower: string): string {
  const at = raw.toLowerCase().indexOf(lower);
  return at >= 0 ? raw.slice(at, at + lower.length) : lower;
}

export function understandRequest(message: string, attached: { subscription?: string; charge?: string } = {}): Understanding {
  const raw = String(message ?? "").slice(0, 5000);
  if (!raw.trim()) return { language: "und", english: false, kind: "empty", intents: [], certain: true, confidence: CONFIDENCE.certain, ambiguities: [], flags: [] };
  const flags = INSTRUCTION.test(raw) ? ["message contains instructions to the agent (treated as data)"] : [];
  const lang = readLanguage(raw);
  const { text, typos } = prepare(raw, { typos: lang.english });
  const ids = idsIn(raw);
  const base = { language: lang.language, english: lang.english, flags };

  if (SMALL_TALK.test(text) && !flags.length) {
    return { ...base, kind: "not_billing", intents: [], certain: true, confidence: CONFIDENCE.certain, ambiguities: [] };
  }

  let hits: Hit[] = [];
  if (lang.english) {
    let offset = 0;
    for (const s of sentences(text)) {
      const cs = clauses(s);
      const asks = /\?\s*$/.test(s);
      for (const [k, c] of cs.entries()) {
        // A question mark ends the last clause; a question word or a request form marks any clause.
        const form = formOf(k === cs.length - 1 || !asks ? c : c.replace(/\?+\s*$/, ""));
        for (const h of hitsIn(c, s, form, typos, text)) hits.push({ ...h, at: h.at + offset });
        offset += c.length + 1;
      }
    }
  } else {
    for (const { intent, re } of FOREIGN_WORDS) {
      const m = re.exec(text);
      if (m) hits.push({ intent, at: m.index, negated: FOREIGN_NEGATION.test(text.slice(Math.max(0, m.index - 25), m.index)), question: /\?/.test(text), target: {}, unsure: [] });
    }
  }

  const intents: UnderstoodIntent[] = merge(hits).map(({ at: _at, shareNamed: _s, ...h }) => {
    const target: IntentTarget = { ...h.target };
    // Plan names as the customer wrote them ("Enterprise"), read case-blind.
    if (target.plan) target.plan = asWritten(raw, target.plan);
    if (ids.charge && GROUP[h.intent] === "money") target.charge = ids.charge;
    if (ids.subscription && ["cancel", "pause", "plan", "seats", "reactivate"].includes(GROUP[h.intent])) target.subscription = ids.subscription;
    if (ids.invoice && GROUP[h.intent] === "paying") target.invoice = ids.invoice;
    return { ...h, target };
  });

  const ambiguities: string[] = [...flags];
  if (!lang.english) ambiguities.push(`written in ${lang.language === "und" ? "a language the rules do not read" : lang.language}: the rules act on English only`);
  const asks = intents.filter((i) => !i.negated);
  const wants = asks.filter((i) => !i.question);
  if (asks.length > 1) ambiguities.push(`several asks: ${asks.map((i) => (i.question ? `a question about ${i.intent}` : i.intent)).join(", ")}`);
  if (asks.length === 1 && wants.length === 0) ambiguities.push(`asks about ${asks[0]!.intent} without asking for it`);
  if (HESITATION.test(text) && intents.length) ambiguities.push("the customer hesitates or takes it back");
  if (asks.length === 0 && intents.length) ambiguities.push(`only mentions what the customer does not want (${intents.map((i) => i.intent).join(", ")})`);
  for (const i of asks) for (const u of i.unsure) ambiguities.push(`${i.intent}: ${u}`);
  if (wants.length === 1) {
    const w = wants[0]!;
    if (attached.subscription && w.target.subscription && w.target.subscription !== attached.subscription) ambiguities.push(`names ${w.target.subscription}, the support tool attached ${attached.subscription}`);
    if (attached.charge && w.target.charge && w.target.charge !== attached.charge) ambiguities.push(`names ${w.target.charge}, the support tool attached ${attached.charge}`);
  }

  let kind: Understanding["kind"] = "request";
  if (!intents.length && !flags.length && !BILLING_WORDS.test(text) && NOT_BILLING.test(text)) kind = "not_billing";
  else if (!intents.length) ambiguities.push("no recognised request in the message");

  const certain = kind === "not_billing" || (ambiguities.length === 0 && wants.length === 1);
  const confidence = certain
    ? CONFIDENCE.certain
    : !intents.length
      ? CONFIDENCE.none
      : lang.english && asks.length === 1 && wants.length === 1
        ? CONFIDENCE.likely
        : CONFIDENCE.partial;
  return { ...base, kind, intents, certain, confidence, ambiguities: kind === "not_billing" ? [] : ambiguities };
}
