// Edit coercion, table-first: every action of every domain, each param sent as text the way Agent Inbox sends it.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { coerceEditArgs } from "./edit-args.js";
import { PARAMS_SCHEMAS } from "../params-schemas.js";

const rows = Object.entries(PARAMS_SCHEMAS).flatMap(([domain, actions]) =>
  Object.entries(actions).flatMap(([action, schema]) => {
    const props = (z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as any).properties as Record<string, any>;
    return Object.entries(props).map(([name, p]) => ({ domain, action, name, type: String(p.type) }));
  }),
);

describe("coerceEditArgs", () => {
  it("covers every action's params", () => {
    expect(rows.length).toBeGreaterThan(20);
    expect(new Set(rows.map((r) => r.type))).toEqual(new Set(["string", "integer", "object"]));
  });

  it.each(rows)("$domain.$action.$name ($type): text of the right kind becomes that kind; anything else stays text", ({ domain, action, name, type }) => {
    const read = (v: unknown) => coerceEditArgs(domain, action, { [name]: v })[name];
    if (type === "integer") {
      expect(read("6000")).toBe(6000);
      expect(read(" 6000 ")).toBe(6000);
      expect(read("-5")).toBe(-5); // a number: the schema's positive() refuses it, naming the field
      expect(read("60.5")).toBe(60.5); // a number: int() refuses it
      for (const hostile of ["1e9", "6000abc", "", "0x10", "Infinity", "NaN", "6,000", "١٢٣", "007", "+5", "true"]) expect(read(hostile)).toBe(hostile);
      expect(read(6000)).toBe(6000);
    } else if (type === "object") {
      expect(read('{"uncategorized_text":"x"}')).toEqual({ uncategorized_text: "x" });
      for (const hostile of ["[]", '"x"', "{x: 1}", "null", ""]) expect(read(hostile)).toBe(hostile);
    } else {
      for (const text of ["6000", '{"a":1}', "true", "", "null"]) expect(read(text)).toBe(text);
    }
  });

  it("leaves params the action does not have, and unknown actions, as sent (the guard names them)", () => {
    expect(coerceEditArgs("refund", "refund_partial", { amount: "10", extra: "1" })).toEqual({ amount: 10, extra: "1" });
    expect(coerceEditArgs("refund", "no_such_action", { amount: "10" })).toEqual({ amount: "10" });
    expect(coerceEditArgs("nowhere", "refund_partial", { amount: "10" })).toEqual({ amount: "10" });
  });
});
