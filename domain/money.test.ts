// The money module's contract: Stripe's exponents per currency class, exact conversions, and what people read.
import { describe, expect, it } from "vitest";
import { currencyCode, formatMoney, isStripeAmount, stripeExponent, toMajorString, toMinor } from "./money.js";
import { formatDate, formatDateTime, formatDistance } from "./dates.js";

describe("Stripe's exponent per currency", () => {
  it.each([
    ["usd", 2], ["eur", 2], ["gbp", 2], ["jpy", 0], ["krw", 0], ["vnd", 0], ["clp", 0], ["ugx", 0], ["mga", 0], ["xof", 0],
    ["kwd", 3], ["bhd", 3], ["jod", 3], ["omr", 3], ["tnd", 3], ["isk", 2], ["huf", 2], ["twd", 2],
  ] as const)("%s → %i", (c, e) => expect(stripeExponent(c)).toBe(e));
});

describe("conversions are exact and round-trip", () => {
  it.each([
    ["49.80", "usd", 4980], ["49.8", "usd", 4980], ["1000", "jpy", 1000], ["1.250", "kwd", 1250], ["1.25", "kwd", 1250],
    ["100", "isk", 10000], ["123.45", "huf", 12345], ["0.01", "usd", 1], ["4980", "krw", 4980],
  ] as const)("%s %s ↔ %i", (major, c, minor) => {
    expect(toMinor(major, c)).toBe(minor);
    expect(toMinor(toMajorString(minor, c), c)).toBe(minor);
  });
  it.each([["10.5", "jpy"], ["1.2345", "kwd"], ["0.001", "usd"], ["abc", "usd"], ["-5", "usd"], ["", "usd"], ["1e9", "usd"]] as const)(
    "%s %s cannot be an amount",
    (major, c) => expect(toMinor(major, c)).toBeNull(),
  );
  it("knows which amounts Stripe accepts", () => {
    expect(isStripeAmount(1250, "kwd")).toBe(true);
    expect(isStripeAmount(1255, "kwd")).toBe(false);
    expect(isStripeAmount(10000, "isk")).toBe(true);
    expect(isStripeAmount(10050, "isk")).toBe(false);
    expect(isStripeAmount(0, "usd")).toBe(false);
  });
});

describe("what people read", () => {
  it.each([
    [4980, "usd", "$49.80"], [4980, "jpy", "¥4,980"], [400000, "jpy", "¥400,000"], [1250, "kwd", "KWD 1.250"], [1550, "eur", "€15.50"],
    [100000, "isk", "ISK 1,000"], [12345, "huf", "HUF 123.45"], [4000, "krw", "₩4,000"],
  ] as const)("%i %s → %s", (minor, c, text) => expect(formatMoney(minor, c).replace(/\u00a0/g, " ")).toBe(text));
  it("reads codes as Stripe and people write them", () => {
    expect(currencyCode("jpy")).toBe("JPY");
    expect(currencyCode("XYZ")).toBeNull();
    expect(currencyCode("dollars")).toBeNull();
  });
  it("dates in words, never unix seconds", () => {
    expect(formatDate(1797049034)).toBe("Dec 12, 2026");
    expect(formatDateTime(1797049034)).toMatch(/^Dec 12, 2026, \d\d:\d\d UTC$/);
    expect(formatDistance(1000 + 36 * 3600, 1000)).toBe("in 36 hours");
    expect(formatDistance(1000 - 3 * 86400, 1000)).toBe("3 days ago");
  });
});
