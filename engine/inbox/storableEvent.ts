// What PostgreSQL would refuse in an incoming event, found before the insert: one such event must be answered on its
// own, never stored in a statement with others (one refused row fails the whole statement).
import { isWellFormed } from "../../domain/storable-text.js";
import type { NewEvent } from "./insertEvent.js";

/** Longer ids than Stripe's or ours never occur; a btree key over ~2.7 KB cannot even be indexed. */
export const MAX_ID_LENGTH = 255;
const MAX_CASE_KEY_LENGTH = 512;
/**
 * Stripe's deepest objects nest a dozen levels; PostgreSQL's json parser runs out of stack a few thousand deep, and
 * every JSON.stringify downstream recurses as deep as the data.
 */
export const MAX_PAYLOAD_DEPTH = 100;

// A Stripe event id (evt_…, letters, digits and _): no ':' or '.', so it can never collide with billops' own
// namespaces (support requests are `request:<id>`, scheduled work `<job>:due`).
const STRIPE_ID = /^[A-Za-z0-9_]+$/;
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
const TYPE = /^[A-Za-z0-9_.]+$/;
const CONTROL = /[\u0000-\u001f\u007f]/;


export interface StorableProblem {
  field: "id" | "type" | "case" | "payload";
  problem: string;
}

/** Depth of JSON text: brackets outside strings, counted in one pass without parsing. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92 /* \ */) i++;
      else if (ch === 34 /* " */) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 123 /* { */ || ch === 91 /* [ */) {
      if (++depth > max) max = depth;
    } else if (ch === 125 /* } */ || ch === 93 /* ] */) depth--;
  }
  return max;
}

/** Depth of a value, walked without recursion (stops counting past `limit`). */
function valueDepth(value: unknown, limit: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (d + 1 > max) max = d + 1;
    if (max > limit) return max;
    for (const x of Array.isArray(v) ? v : Object.values(v)) stack.push([x, d + 1]);
  }
  return max;
}

function textProblem(s: string, max: number): string | null {
  if (s.length === 0) return "is empty";
  if (s.length > max) return `is ${s.length} characters long (at most ${max})`;
  if (CONTROL.test(s)) return "contains a control character (PostgreSQL text cannot hold NUL)";
  if (!isWellFormed(s)) return "contains a lone UTF-16 surrogate (not valid Unicode)";
  return null;
}

/** Why this event cannot be stored, or null when it can. */
export function storableProblem(e: NewEvent): StorableProblem | null {
  const id = textProblem(e.id, MAX_ID_LENGTH) ?? (!(e.source === "stripe" ? STRIPE_ID : PRINTABLE_ASCII).test(e.id) ? `has characters an event id never has: ${JSON.stringify(e.id.slice(0, 40))}` : null);
  if (id) return { field: "id", problem: `the event id ${id}` };
  const type = textProblem(e.type, MAX_ID_LENGTH) ?? (!TYPE.test(e.type) ? "is not an event type (letters, digits, '_' and '.')" : null);
  if (type) return { field: "type", problem: `the event type ${type}` };
  if (e.caseKey !== null) {
    const key = textProblem(e.caseKey, MAX_CASE_KEY_LENGTH);
    if (key) return { field: "case", problem: `the object id the event is about ${key}` };
  }
  const depth = e.payloadJson !== undefined ? jsonDepth(e.payloadJson) : valueDepth(e.payload, MAX_PAYLOAD_DEPTH);
  if (depth > MAX_PAYLOAD_DEPTH) return { field: "payload", problem: `the event nests deeper than ${MAX_PAYLOAD_DEPTH} levels` };
  return null;
}

/**
 * An insert that PostgreSQL refused because of the event's own data (SQLSTATE classes 22 data exception, 23 integrity
 * violation, 54 program limit exceeded): answering it again would fail again. Anything else (a lost connection, a
 * shutdown) is the database's moment, not the event's.
 */
export function refusedForItsData(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^(22|23|54)/.test(code);
}
