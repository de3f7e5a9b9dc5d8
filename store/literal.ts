// SQL text with its values written in as literals, for statements sent together in one simple-protocol round trip
// (the extended protocol that carries $1 parameters takes one statement per message). Values are escaped by pg's
// own escapeLiteral; objects become jsonb.
import pg from "pg";

const { escapeLiteral } = pg as unknown as { escapeLiteral(s: string): string };

/** SQL text put in as it is (column lists, names): never a value from outside. */
export class RawSql {
  constructor(readonly text: string) {}
}
export const raw = (text: string) => new RawSql(text);

export function literal(v: unknown): string {
  if (v === null || v === undefined) return "NULL";
  if (v instanceof RawSql) return v.text;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new TypeError(`cannot write ${v} into SQL`);
    return String(v);
  }
  if (typeof v === "bigint") return String(v);
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
  if (typeof v === "string") return escapeLiteral(v);
  if (v instanceof Date) return `${escapeLiteral(v.toISOString())}::timestamptz`;
  return `${escapeLiteral(JSON.stringify(v))}::jsonb`;
}

/** sql`… ${value} …` → the text with every value as a literal. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += literal(values[i]) + strings[i + 1];
  return out;
}
