// What a support request asks back from one charge, read from the customer's own words (domain/money-text.ts), and
// which of a customer's charges the words name. Pure: the refund policy and the guard both read the request this way,
// so neither trusts a classifier's or a model's reading of the amount.
import type Stripe from "stripe";
import { formatMoney, isStripeAmount } from "../../domain/money.js";
import { readAmounts, type AmountMention } from "../../domain/money-text.js";

export interface RefundReading {
  /** Minor units of the charge's currency: what the words ask back, capped at what is refundable. */
  amount: number;
  /** The words ask for exactly this and nothing else can be read into them. */
  certain: boolean;
  /** Why not certain (each a sentence for the person who decides). */
  doubts: string[];
  /** What the reading is based on, for the rationale. */
  basis: string;
}

type ChargeFacts = Pick<Stripe.Charge, "id" | "amount" | "amount_captured" | "amount_refunded" | "currency">;

const money = (c: ChargeFacts, minor: number) => formatMoney(minor, c.currency);

function refundableOf(c: ChargeFacts): number {
  return Math.max(0, (c.amount_captured ?? c.amount) - (c.amount_refunded ?? 0));
}

/**
 * Reads what `text` asks back from `charge`. No amount in the words means the whole refundable amount; amounts that
 * name a different charge, two asks that disagree, a share that is not an exact amount, or any amount that cannot
 * be read for certain make the reading uncertain — then nothing is refunded without a person.
 */
export function readRefundRequest(text: string, charge: ChargeFacts): RefundReading {
  const refundable = refundableOf(charge);
  const mentions = readAmounts(text, { currency: charge.currency });
  const doubts: string[] = [];
  const asks = new Map<number, string>();
  const ask = (minor: number, what: string) => {
    if (!asks.has(minor)) asks.set(minor, what);
  };

  for (const m of mentions) {
    if (!m.certain) {
      doubts.push(m.why ?? `"${m.text}" cannot be read for certain`);
      continue;
    }
    if ((m.kind === "money" || m.kind === "difference") && m.currency && m.currency !== charge.currency) {
      doubts.push(`"${m.text}" is in ${m.currency.toUpperCase()}, the charge ${charge.id} in ${charge.currency.toUpperCase()}`);
      continue;
    }
    switch (m.kind) {
      case "difference":
        ask(m.minor!, `the difference the customer names (${money(charge, m.minor!)})`);
        break;
      case "fraction": {
        const { numerator: n, denominator: d } = m.fraction!;
        const share = (charge.amount * n) / d;
        if (!Number.isInteger(share) || !isStripeAmount(share, charge.currency)) doubts.push(`"${m.text}" of ${money(charge, charge.amount)} is not an exact amount`);
        else ask(share, `"${m.text}" of ${money(charge, charge.amount)}`);
        break;
      }
      case "rest":
        if ((charge.amount_refunded ?? 0) > 0) ask(refundable, `"${m.text}": what is left after ${money(charge, charge.amount_refunded)} already refunded`);
        else doubts.push(`"${m.text}" asks for the rest, but nothing was refunded on ${charge.id} yet`);
        break;
      case "full":
        ask(refundable, `"${m.text}"`);
        break;
      case "money":
        readMoney(m, charge, refundable, ask, doubts);
        break;
    }
  }

  // Two different asks ("$10 … half of it") are two readings: a person picks one.
  if (asks.size > 1) doubts.push(`the message asks for ${[...asks.keys()].map((a) => money(charge, a)).join(" and ")}`);
  const expected = mentions.find((m) => m.kind === "money" && m.role === "expected" && m.certain);
  if (expected && asks.size === 0) doubts.push(`the message says it should have cost ${expected.text}: the whole charge or the difference?`);

  let [amount, basis] = asks.size ? [...asks.entries()][0]! : [refundable, "no amount named: the whole refundable amount"];
  if (amount > refundable) {
    doubts.push(`asks for ${money(charge, amount)} but only ${money(charge, refundable)} is refundable on ${charge.id}`);
    amount = refundable;
  }
  if (amount <= 0 || !isStripeAmount(amount, charge.currency)) {
    doubts.push(`${money(charge, Math.max(0, amount))} is not an amount Stripe can refund in ${charge.currency.toUpperCase()}`);
  }
  return { amount, certain: doubts.length === 0, doubts, basis };
}

function readMoney(m: AmountMention, charge: ChargeFacts, refundable: number, ask: (minor: number, what: string) => void, doubts: string[]): void {
  const minor = m.minor!;
  switch (m.role) {
    case "ask":
      ask(minor, `the customer asks for ${m.text}`);
      return;
    case "expected":
    case "refunded":
      return; // context: what it should have cost, what came back before; the ask is read elsewhere
    case "charged":
      if (minor !== charge.amount) doubts.push(`the message names a ${m.text} charge, ${charge.id} is ${money(charge, charge.amount)}`);
      return;
    default:
      // An amount with no word saying what it is: it agrees with a full refund only when it is the charge.
      if (minor === charge.amount || minor === refundable) return;
      doubts.push(`the message names ${m.text} without saying whether it is the refund or the charge (${charge.id} is ${money(charge, charge.amount)})`);
  }
}

/** The customer says they paid twice ("charged twice", "double charge", "duplicate payment", "zweimal", "deux fois"). */
export function claimsDuplicate(text: string): boolean {
  return /\b(?:twice|two times|2x|double(?:[- ]?(?:charged|billed|charge|payment))?|duplicate[ds]?|charged (?:me )?again|zweimal|doppelt|deux fois|dos veces)\b|二重|중복/iu.test(text);
}

export interface ChargeChoice {
  /** The chosen charge, or null when the words name none of the customer's charges. */
  charge: Stripe.Charge | null;
  /** named: the words single it out (amount, day); guessed: the newest charge, the words did not say. */
  how: "named" | "guessed" | "none";
  why?: string;
}

const DAY = 86400;
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTH_RE = "(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

/** Days (UTC midnight) the words name: "today", "yesterday", "March 3", "3 March", "2026-03-03". */
export function namedDays(text: string, now: number): number[] {
  const today = Math.floor(now / DAY) * DAY;
  const year = new Date(now * 1000).getUTCFullYear();
  const days: number[] = [];
  const at = (y: number, m: number, d: number) => {
    let t = Date.UTC(y, m, d) / 1000;
    if (t > now + DAY) t = Date.UTC(y - 1, m, d) / 1000; // "Dec 30" written in January is last year's
    days.push(t);
  };
  if (/\btoday\b|\bthis morning\b/i.test(text)) days.push(today);
  if (/\byesterday\b|\blast night\b/i.test(text)) days.push(today - DAY);
  for (const m of text.matchAll(new RegExp(`\\b${MONTH_RE}\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b`, "gi"))) at(year, MONTHS.indexOf(m[1]!.slice(0, 3).toLowerCase()), Number(m[2]));
  for (const m of text.matchAll(new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH_RE}\\b`, "gi"))) at(year, MONTHS.indexOf(m[2]!.slice(0, 3).toLowerCase()), Number(m[1]));
  for (const m of text.matchAll(/\b(\d{4})-(\d{1,2})-(\d{1,2})\b/g)) days.push(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 1000);
  return [...new Set(days.filter((d) => Number.isFinite(d)))];
}

/**
 * Which of the customer's charges the words name, when the support tool attached none. Amounts the customer says
 * were charged and days they name narrow the candidates; one left is named, none or several is not.
 */
export function chooseCharge(text: string, candidates: Stripe.Charge[], now: number): ChargeChoice {
  const live = candidates.filter((c) => c.status === "succeeded" && c.paid).sort((a, b) => b.created - a.created);
  if (!live.length) return { charge: null, how: "none", why: "the customer has no succeeded charge" };
  const currency = live[0]!.currency;
  const amounts = readAmounts(text, { currency })
    .filter((m) => m.kind === "money" && m.certain && m.role !== "expected" && m.role !== "refunded" && m.role !== "ask")
    .map((m) => ({ minor: m.minor!, currency: m.currency!, text: m.text }));
  const days = namedDays(text, now);
  let pool = live;
  const said: string[] = [];
  if (amounts.length) {
    pool = pool.filter((c) => amounts.some((a) => a.minor === c.amount && a.currency === c.currency));
    said.push(amounts.map((a) => a.text).join(", "));
  }
  // A day in the customer's words may be a day off in UTC: a charge within that day ± 12 hours counts.
  if (days.length) {
    pool = pool.filter((c) => days.some((d) => c.created >= d - DAY / 2 && c.created < d + DAY + DAY / 2));
    said.push(days.length === 1 ? "the day named" : "the days named");
  }
  if (!said.length) return { charge: live[0]!, how: "guessed", why: "the request names no charge: the newest one is only a guess" };
  if (pool.length === 1) return { charge: pool[0]!, how: "named" };
  if (!pool.length) return { charge: null, how: "none", why: `no charge of the customer matches ${said.join(" and ")}` };
  return { charge: pool[0]!, how: "guessed", why: `${pool.length} charges match ${said.join(" and ")}: the newest one is only a guess` };
}
