// Amounts in what people write: one row per phrasing, each with the amount it must read as, or "not certain".
import { describe, expect, it } from "vitest";
import { readAmounts, readNumber } from "./money-text.js";
import { formatMoney } from "./money.js";

/** The certain readings of `text`, "a:b" joined, or "not certain" when any mention cannot be read for certain. */
function reading(text: string, currency?: string): string {
  const ms = readAmounts(text, { currency });
  if (ms.some((m) => !m.certain)) return "not certain";
  return ms
    .map((m) => {
      const role = m.role ? `/${m.role}` : "";
      if (m.kind === "money" || m.kind === "difference") return `${m.kind === "difference" ? "diff" : ""}${m.currency} ${m.minor}${role}`;
      if (m.kind === "fraction") return `${m.fraction!.numerator}/${m.fraction!.denominator}${role}`;
      return `${m.kind}${role}`;
    })
    .join(" | ");
}

// [phrasing, the charge's currency (hint) or "", what it reads as]
const ROWS: [string, string, string][] = [
  // Symbols and codes, before or after the number
  ["refund $15", "", "usd 1500/ask"],
  ["refund 15$", "", "usd 1500/ask"],
  ["refund US$15", "", "usd 1500/ask"],
  ["refund USD 15", "", "usd 1500/ask"],
  ["refund 15 USD", "", "usd 1500/ask"],
  ["refund 15 usd please", "", "usd 1500/ask"],
  ["USD15 back please", "", "usd 1500/ask"],
  ["please give me back 15USD", "", "usd 1500/ask"],
  ["refund fifteen dollars", "", "usd 1500/ask"],
  ["I want twenty-nine bucks back", "", "usd 2900/ask"],
  ["refund 50 cents", "usd", "usd 50/ask"],
  ["refund C$20", "", "cad 2000/ask"],
  ["refund $20", "cad", "cad 2000/ask"],
  ["refund A$20", "", "aud 2000/ask"],
  ["refund £9.99", "", "gbp 999/ask"],
  ["refund 9.99 pounds", "", "gbp 999/ask"],
  // Euros, as Europeans write them
  ["€15.50 back please", "", "eur 1550/ask"],
  ["15,50 € bitte zurück", "", "eur 1550/ask"],
  ["Erstattung: 15,50 EUR", "", "eur 1550"],
  ["refund 1.000,50 €", "", "eur 100050/ask"],
  ["refund €1,000.50", "", "eur 100050/ask"],
  ["refund 1 000 €", "", "eur 100000/ask"],
  ["remboursez 12,90 € svp", "", "eur 1290/ask"],
  ["refund 1.000 €", "", "eur 100000/ask"],
  // Zero-decimal currencies: yen and won have no minor unit
  ["refund ¥1,000", "", "jpy 1000/ask"],
  ["refund ¥1,000", "jpy", "jpy 1000/ask"],
  ["1000円を返金してください", "", "jpy 1000/ask"],
  ["refund 1,000 yen", "", "jpy 1000/ask"],
  ["refund JPY 4980", "", "jpy 4980/ask"],
  ["refund ¥10.50", "", "not certain"],
  ["refund ¥1000", "cny", "cny 100000/ask"],
  ["₩5,000 환불", "", "krw 5000/ask"],
  ["please refund 5000 won", "", "krw 5000/ask"],
  ["refund 15,50 €", "jpy", "eur 1550/ask"],
  // Three-decimal currencies
  ["refund KWD 1.5", "", "kwd 1500/ask"],
  ["refund 1.25 KWD", "", "kwd 1250/ask"],
  ["refund KWD 1.250", "", "kwd 1250/ask"],
  ["refund 1,250 KWD", "", "not certain"],
  ["refund KWD 1,250.500", "", "kwd 1250500/ask"],
  ["refund BHD 2.345", "", "bhd 2345/ask"],
  ["refund 2.3456 BHD", "", "not certain"],
  ["refund 12 KD", "", "kwd 12000/ask"],
  // Currencies several countries share
  ["refund kr 100", "sek", "sek 10000/ask"],
  ["refund kr 100", "", "not certain"],
  ["refund 100 dinars", "", "not certain"],
  ["refund 100 dinars", "jod", "jod 100000/ask"],
  ["refund CHF 1'000.50", "", "chf 100050/ask"],
  // Numbers without a currency are never amounts in some currency
  ["refund 15", "", "not certain"],
  ["refund 15", "usd", "not certain"],
  ["I won 5 prizes", "", "not certain"],
  // Digits that are no amount at all
  ["my order #A-1001 from March 3", "", ""],
  ["I have been a customer for 3 years", "", ""],
  ["charged 2 times on 2026-03-03 at 10:30", "", ""],
  ["card ending in 4242", "", ""],
  ["see ch_3MqLiJLkdIwHu7ix0 and in_1002", "", ""],
  ["we have been on the Pro plan since 2024", "", ""],
  ["we have 12 seats, refund 2 of them", "", "not certain"],
  ["call me at 5551234567", "", ""],
  // Shares, the rest, the whole, the difference
  ["refund half", "", "1/2/ask"],
  ["could you refund half of it?", "", "1/2/ask"],
  ["refund 50%", "", "50/100/ask"],
  ["refund 12.5 percent", "", "125/1000/ask"],
  ["refund a third", "", "1/3/ask"],
  ["die Hälfte bitte erstatten", "", "1/2"],
  ["refund the rest", "", "rest/ask"],
  ["refund what's left", "", "rest/ask"],
  ["full refund please", "", "full/ask"],
  ["refund everything", "", "full/ask"],
  ["refund the whole amount", "", "full/ask"],
  ["I was charged $45 but my plan is $29, refund the difference", "", "usd 4500/charged | usd 2900/expected | diffusd 1600/ask"],
  ["refund the difference between $45 and $29", "", "diffusd 1600/ask | usd 4500/charged | usd 2900/expected"],
  ["refund the $10 difference", "", "usd 1000/ask | diffusd 1000/ask"],
  ["refund the difference", "", "not certain"],
  ["refund the difference between $45 and €29", "", "not certain"],
  // Roles: what was charged, what it should have cost, what came back before
  ["you charged me $45 instead of $29", "", "usd 4500/charged | usd 2900/expected"],
  ["refund $10 of the $49 charge", "", "usd 1000/ask | usd 4900/charged"],
  ["you refunded me $10, I want the rest", "", "usd 1000/refunded | rest/ask"],
  ["overcharged by $16", "", "usd 1600/ask"],
  ["I paid ¥4,000 for nothing", "", "jpy 4000/charged"],
  // Vague: money, but not how much
  ["can I get a partial refund?", "", "not certain"],
  ["a few dollars back would be nice", "", "not certain"],
  ["refund the unused days, prorated", "", "not certain"],
  ["half a year ago I paid $49", "", "not certain"],
  ["refund for the rest of the month", "", "not certain"],
  ["refund all my charges", "", "not certain"],
  ["refund $45 USD", "", "usd 4500/ask"],
  ["refund $45 EUR", "", "not certain"],
];

describe("readAmounts", () => {
  it("has at least 60 phrasings", () => expect(ROWS.length).toBeGreaterThanOrEqual(60));
  it.each(ROWS)("%j (charge in %s) → %s", (text, currency, expected) => {
    expect(reading(text, currency || undefined)).toBe(expected);
  });
});

describe("what billops shows, it reads back exactly", () => {
  it.each([
    [4980, "jpy"], [400000, "jpy"], [4000, "krw"], [100, "vnd"], [4980, "usd"], [1, "usd"], [123456789, "usd"], [1550, "eur"], [100050, "eur"],
    [999, "gbp"], [1250, "kwd"], [1250500, "kwd"], [2340, "bhd"], [10, "omr"], [100000, "isk"], [12345, "huf"], [5000, "twd"], [9900, "chf"],
  ] as const)("%i %s", (minor, currency) => {
    const shown = formatMoney(minor, currency);
    const [m, ...rest] = readAmounts(`refund ${shown}`, { currency });
    expect(rest).toEqual([]);
    expect(m).toMatchObject({ kind: "money", currency, minor, certain: true });
  });
});

describe("readNumber", () => {
  it.each([
    ["1,000", 2, "1000"], ["1.000", 2, "1000"], ["1.000", 0, "1000"], ["1,000.50", 2, "1000.50"], ["1.000,50", 2, "1000.50"],
    ["15,50", 2, "15.50"], ["1'000.50", 2, "1000.50"], ["0.500", 3, "0.500"], ["1 000", 2, "1000"], ["1,000,000", 0, "1000000"],
  ] as const)("%s (exponent %i) → %s", (raw, exp, decimal) => expect(readNumber(raw, exp)).toEqual({ decimal }));
  it("three decimals after a point are a three-decimal currency's own decimals; after a comma they are two readings", () => {
    expect(readNumber("1.250", 3)).toEqual({ decimal: "1.250" });
    expect(readNumber("1,250", 3)).toHaveProperty("ambiguous");
  });
  it.each([["1,00,000", 2], ["1.0000,5", 2]] as const)("%s is not grouped in thousands", (raw, exp) => expect(readNumber(raw, exp)).toHaveProperty("invalid"));
});
