// The checkpointer's serializer writes the bytes LangGraph's own writes and reads back what LangGraph's own reads.
import { expect, it } from "vitest";
import { JsonPlusSerializer } from "@langchain/langgraph-checkpoint";
import { HumanMessage } from "@langchain/core/messages";
import Stripe from "stripe";
import { PlainJsonFastSerializer, isPlain } from "./checkpointer.js";

const fast = new PlainJsonFastSerializer();
const theirs = new JsonPlusSerializer();

const plain = [
  { id: "sub_1", object: "subscription", items: { data: [{ id: "si_1", quantity: 1, price: { unit_amount: 2900 } }] }, cancel_at: null, livemode: false },
  [1, "two", null, true, { nested: ["ünïcödé ✓", "quote \" and \\ backslash", "\u0000 nul"] }],
  "just a string",
  0,
  { key: "has \"lc\": 1 inside a string" },
  // stripe-node turns `*_decimal` fields into Decimal objects; they and dates write themselves as strings.
  { plan: { amount_decimal: Stripe.Decimal.from("2900.125"), zero: Stripe.Decimal.from("0") }, at: new Date(Date.UTC(2026, 10, 26)) },
];

const special: unknown[] = [
  { missing: undefined, kept: 1 },
  new Set(["a", "b"]),
  { when: new Map([["k", 1]]) },
  { lc: 1, type: "not really a record", id: "x" },
  [new HumanMessage("hi")],
  { n: Number.NaN },
  { buffer: Buffer.from("abc") },
  { custom: { toJSON: () => ({ nested: undefined }) } },
  // Classes whose toJSON gives an object, or throws, go LangGraph's way.
  { instance: new (class Wrapped { toJSON() { return { nested: new Set([1]) }; } })() },
  { instance: new (class Broken { toJSON(): string { throw new Error("no"); } })() },
];

it.each(plain.map((v) => [JSON.stringify(v).slice(0, 40), v]))("plain data %s: same bytes, same value back", async (_, v) => {
  const [ta, a] = await fast.dumpsTyped(v);
  const [tb, b] = await theirs.dumpsTyped(v);
  expect(ta).toBe(tb);
  expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  expect(await fast.loadsTyped(ta, a)).toEqual(await theirs.loadsTyped(tb, b));
});

it("takes the fast path exactly for plain data", () => {
  for (const v of plain) expect(isPlain(v)).toBe(true);
  // An `lc` record is plain to write; it is on the way back that it goes LangGraph's way (its reviver).
  for (const v of special) expect(isPlain(v)).toBe(typeof v === "object" && v !== null && "lc" in v);
});

it.each(special.map((v, i) => [i, v]))("anything else goes LangGraph's way (%s)", async (_, v) => {
  const [ta, a] = await fast.dumpsTyped(v);
  const [tb, b] = await theirs.dumpsTyped(v);
  expect(ta).toBe(tb);
  expect(Buffer.from(a).toString()).toBe(Buffer.from(b).toString());
  expect(await fast.loadsTyped(ta, a)).toEqual(await theirs.loadsTyped(tb, b));
});

it("reads bytes and what older versions wrote", async () => {
  const bytes = new Uint8Array([1, 2, 3]);
  expect(await fast.dumpsTyped(bytes)).toEqual(["bytes", bytes]);
  const [t, written] = await theirs.dumpsTyped({ s: new Set([1]) });
  expect(await fast.loadsTyped(t, Buffer.from(written).toString())).toEqual({ s: new Set([1]) });
});
