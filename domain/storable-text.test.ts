// Text every table and Stripe can take: NUL and lone surrogates become U+FFFD, nothing else changes.
import { describe, expect, it } from "vitest";
import { isStorableText, storable, storableText } from "./storable-text.js";

describe("storableText", () => {
  it.each([
    ["Grace Hopper", "Grace Hopper"],
    ["Gr\u0000ace", "Gr\ufffdace"],
    ["\u0000\u0000", "\ufffd\ufffd"],
    ["half \ud83d emoji", "half \ufffd emoji"],
    ["lone low \ude00", "lone low \ufffd"],
    ["reversed \ude00\ud83d", "reversed \ufffd\ufffd"],
    ["whole 😞 emoji", "whole 😞 emoji"],
    ["Zoë Ünal — ¿qué? 日本語 ﷼", "Zoë Ünal — ¿qué? 日本語 ﷼"],
    ["tabs\tand\r\nbreaks\u0007bell", "tabs\tand\r\nbreaks\u0007bell"],
  ])("%j → %j", (input, output) => {
    expect(storableText(input)).toBe(output);
    expect(isStorableText(storableText(input))).toBe(true);
  });
});

describe("storable", () => {
  it("returns the very same value when nothing needs replacing", () => {
    const v = { a: [1, "x", { b: "😞" }], c: null, d: true };
    const r = storable(v);
    expect(r.value).toBe(v);
    expect(r.replaced).toEqual([]);
  });

  it("replaces deep inside objects and arrays, and in keys, copying only what it changes, naming where", () => {
    const shared = { untouched: "yes" };
    const v = { customer: { name: "Gr\u0000ace", metadata: { "note\u0000": "x" } }, lines: [{ d: "ok" }, { d: "half \ud83d" }], shared };
    const r = storable(v, "context");
    expect(r.value).toEqual({ customer: { name: "Gr\ufffdace", metadata: { "note\ufffd": "x" } }, lines: [{ d: "ok" }, { d: "half \ufffd" }], shared });
    expect(r.value.shared).toBe(shared);
    expect(r.value.lines[0]).toBe(v.lines[0]);
    expect(v.customer.name).toBe("Gr\u0000ace");
    expect(r.replaced.sort()).toEqual(["context.customer.metadata.note\u0000", "context.customer.name", "context.lines[1].d"].sort());
  });

  it("leaves class instances alone and survives what JSON cannot hold", () => {
    const when = new Date(0);
    const r = storable({ when, n: 1, big: 10n, f: () => 1, s: "a\u0000" });
    expect(r.value.when).toBe(when);
    expect(r.value.big).toBe(10n);
    expect(r.value.s).toBe("a\ufffd");
  });

  it("reports at most 20 places", () => {
    const r = storable(Array.from({ length: 50 }, () => "\u0000"));
    expect(r.value.every((s) => s === "\ufffd")).toBe(true);
    expect(r.replaced).toHaveLength(20);
  });
});
