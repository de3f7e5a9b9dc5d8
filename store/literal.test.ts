import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/support/db.js";
import { literal, sql } from "./literal.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
});
afterAll(async () => db.close());

describe("literal", () => {
  // Whatever a customer writes into a name or a support message must come back byte for byte, never as SQL.
  const hostile = ["it's", "back\\slash", "\\'; drop table cases; --", "$$dollar$$", "E'x'", "ünïcödé ✓", "two\nlines\ttab", "'", "\\"];

  it.each(hostile)("round-trips %j as text and inside jsonb", async (s) => {
    const { rows } = await db.pool.query(`select ${literal(s)}::text as t, ${literal({ s, n: [1, null] })} as j`);
    expect(rows[0].t).toBe(s);
    expect(rows[0].j).toEqual({ s, n: [1, null] });
  });

  it("writes null, numbers, booleans and bigints as SQL values", async () => {
    const { rows } = await db.pool.query(sql`select ${null}::int as a, ${42} as b, ${-1.5} as c, ${true} as d, ${12345678901234567890n}::numeric::text as e`);
    expect(rows[0]).toEqual({ a: null, b: 42, c: "-1.5", d: true, e: "12345678901234567890" });
  });

  it("refuses numbers SQL has no literal for", () => {
    expect(() => literal(Number.NaN)).toThrow(/NaN/);
    expect(() => literal(Number.POSITIVE_INFINITY)).toThrow(/Infinity/);
  });
});
