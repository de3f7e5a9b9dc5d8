// What a request is about: plan names, seat counts, amounts, Stripe ids, pause lengths and cancellation timing, read
// from the prepared (lower-case) text.
import { readAmounts } from "../../../domain/money-text.js";
import type { AmountInText, IntentTarget } from "./types.js";

const NUMBER_WORDS: Record<string, number> = {
  a: 1, an: 1, one: 1, another: 1, single: 1, two: 2, couple: 2, three: 3, few: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, twelve: 12,
};
const num = (w: string | undefined): number | null => {
  if (!w) return null;
  if (/^\d+$/.test(w)) return Number(w);
  return NUMBER_WORDS[w] ?? null;
};

/**
 * Amounts the customer asks about, in major units with their currency: the certain money readings of
 * domain/money-text.ts that are not what was charged, expected or already refunded ("I paid $49 but only want $15
 * back" → $15).
 */
export function amountsIn(text: string): AmountInText[] {
  return readAmounts(text)
    .filter((m) => m.kind === "money" && m.certain && m.major != null && m.currency && m.role !== "charged" && m.role !== "expected" && m.role !== "refunded")
    .map((m) => ({ value: Number(m.major), currency: m.currency!, text: m.text }));
}

/** Why an amount in the text cannot be read for certain ("15" has no currency, "a partial refund" names none). */
export function amountDoubts(text: string): string[] {
  return readAmounts(text)
    .filter((m) => !m.certain && m.role !== "charged" && m.role !== "expected" && m.role !== "refunded")
    .map((m) => m.why ?? `"${m.text}" is not a certain amount`);
}

/** How much, said another certain way — a share, the rest, the whole, a difference — as written; else null. */
export function shareIn(text: string): string | null {
  return readAmounts(text).find((m) => m.certain && m.kind !== "money" && m.kind !== "number")?.text ?? null;
}

/** Words after "to" that begin a verb phrase or name a person, not a plan ("I'd like to downgrade to Basic"). */
const NOT_A_PLAN = new Set(
  ("me us you it them him her be get have do upgrade downgrade move switch change cancel pause go keep stay pay know ask see try make use " +
    "buy the a an my our your this that what which when if because since and or but please now today tomorrow end start avoid continue " +
    "confirm receive talk speak someone somebody anyone support renew resume reactivate restart add remove reduce increase decrease " +
    "refund charge send update fix check look help take give find let email answer call contact avoid an yearly monthly annual").split(" "),
);
const PLAN_STOP = new Set(
  ("please instead now asap today starting from for thanks thank and so as with because since if plan tier package subscription level " +
    "edition immediately right effective at by on in next this when then but or too also again asap version account").split(" "),
);

/** The plan named after "to"/"on"/"onto" (upgrade us to Enterprise, move me to the Basic plan, put me back on basic). */
export function planAfter(text: string): string | undefined {
  for (const m of text.matchAll(/\b(?:to|onto|on)\s+(?=[a-z])/g)) {
    const after = text.slice(m.index! + m[0].length);
    // "to my other account", "to my colleague": a possessive names an account or a person, not a plan (unless "plan" follows).
    if (/^(?:my|our|your|his|her|their)\s+/.test(after) && !/^(?:my|our|your|his|her|their)\s+(?:[\w+-]+\s+){1,2}(?:plan|tier)\b/.test(after)) continue;
    const rest = after.replace(/^(?:the|our|a|an|my|your)\s+/, "");
    const words: string[] = [];
    for (const w of rest.split(/[\s,.;!?]+/).slice(0, 3)) {
      if (!/^[a-z0-9][\w+-]*$/.test(w) || PLAN_STOP.has(w) || w === "to" || w === "on" || w === "onto") break;
      words.push(w);
    }
    if (words.length && !NOT_A_PLAN.has(words[0]!) && /^[a-z]/.test(words[0]!)) return words.join(" ");
  }
  return undefined;
}

/** A plan named right before "plan"/"tier" (the pro plan, our Enterprise tier). */
export function planBefore(text: string): string | undefined {
  const m = /\b(?:the|our|my|a|an)\s+([a-z][\w+-]*(?:\s+[a-z][\w+-]*)?)\s+(?:plan|tier|package|edition)\b/.exec(text);
  if (!m) return undefined;
  const words = m[1]!.split(/\s+/).filter((w) => !PLAN_STOP.has(w) && !NOT_A_PLAN.has(w) && !/^(current|new|old|same|whole|entire|cheaper|cheapest|bigger|smaller|higher|lower|paid|free|monthly|yearly|annual|existing|other|different|next|last)$/.test(w));
  return words.length ? words.join(" ") : undefined;
}

export function seatsIn(text: string): number | undefined {
  const m = /\b(\d+|a|an|one|another|single|two|three|four|five|six|seven|eight|nine|ten|twelve|couple of|few)\s+(?:more\s+|extra\s+|additional\s+|new\s+)?(?:seats?|users?|licen[cs]es?|members?|logins?)\b/.exec(text);
  const n = num(m?.[1]?.replace(/ of$/, ""));
  return n ?? undefined;
}

/** A pause's length: "for two months", "for 3 weeks", "skip a month", "until the new year" is not a length. */
export function durationIn(text: string): IntentTarget["duration"] {
  const m = /\b(?:for|skip|next)\s+(?:about\s+|around\s+|a\s+couple\s+of\s+|the\s+next\s+)?(\d+|a|an|one|two|three|four|five|six|couple|few)?\s*(?:of\s+)?(days?|weeks?|months?)\b/.exec(text);
  if (!m) return undefined;
  const count = m[1] ? num(m[1]) : /couple/.test(m[0]) ? 2 : 1;
  if (!count) return undefined;
  const unit = m[2]!.replace(/s$/, "") as "day" | "week" | "month";
  return { count, unit };
}

const NOW = /\b(immediately|right now|right away|straight away|as soon as possible|effective (now|today|immediately)|today|this minute|at once|instantly)\b/;
const PERIOD_END = /\b(end of (the |my |this |our )?(billing |current |paid )?(period|month|cycle|term|year|subscription)|at (the )?(period|month|term) end|when (it|the (subscription|period|plan|term|month)) (ends|runs out|expires|renews)|before (it|the subscription|the next (payment|renewal|charge)|next month) renews?|(before|at) (the )?(next )?renewal|not renew|autorenew|after this (month|period|cycle)|next (billing|cycle|month|renewal))\b/;

export function timingIn(text: string): { timing?: "now" | "period_end"; conflict: boolean; vagueNow: boolean } {
  const now = NOW.test(text);
  const end = PERIOD_END.test(text);
  if (now && end) return { conflict: true, vagueNow: false };
  if (now) return { timing: "now", conflict: false, vagueNow: false };
  if (end) return { timing: "period_end", conflict: false, vagueNow: false };
  // "cancel now" may mean "I have decided now" as well as "end service now".
  return { conflict: false, vagueNow: /\bnow\b/.test(text) };
}

export function idsIn(text: string): Pick<IntentTarget, "charge" | "subscription" | "invoice"> {
  // Short ids too: a test account's "sub_O2B" named in the text is as much another object as Stripe's long ones.
  const charge = /\b(?:ch|py)_[A-Za-z0-9]{2,}\b/.exec(text)?.[0];
  const subscription = /\bsub_[A-Za-z0-9]{2,}\b/.exec(text)?.[0];
  const invoice = /\bin_[A-Za-z0-9]{4,}\b/i.exec(text)?.[0];
  return { ...(charge ? { charge } : {}), ...(subscription ? { subscription } : {}), ...(invoice ? { invoice } : {}) };
}

const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

/** "until March", "back in September", "till june": the month a pause ends (1..12). */
export function untilMonthIn(text: string): number | undefined {
  const m = new RegExp(`\\b(?:until|till|til|through|back in|resume in|again in|by)\\s+(?:early\\s+|mid\\s+|the start of\\s+|the beginning of\\s+)?(${MONTHS.join("|")}|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\\b`).exec(text);
  if (!m) return undefined;
  const i = MONTHS.findIndex((name) => name.startsWith(m[1]!.slice(0, 3)));
  return i >= 0 ? i + 1 : undefined;
}
