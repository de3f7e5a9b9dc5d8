// Text every table and Stripe can take. PostgreSQL refuses U+0000 in text and jsonb, and a lone UTF-16 surrogate in
// jsonb; stripe-node's form encoding throws on a lone surrogate. Customer-controlled text (a name, a description, a
// support message, a model's rationale) carries either now and then, and a case whose state holds one fails on
// every retry. Case data goes through `storable` once, on its way into the case thread: both become U+FFFD.

const REPLACEMENT = "\ufffd";
const NUL = /\u0000/g;

/** No lone UTF-16 surrogate (String.prototype.isWellFormed: Node 20 has it, the ES2022 lib this project compiles against does not). */
export const isWellFormed = (s: string) => (s as string & { isWellFormed(): boolean }).isWellFormed();
const toWellFormed = (s: string) => (s as string & { toWellFormed(): string }).toWellFormed();

/** True when the string needs no change to be stored. */
export function isStorableText(s: string): boolean {
  return !s.includes("\u0000") && isWellFormed(s);
}

/** The string with NUL and lone surrogates replaced by U+FFFD (the same string when there were none). */
export function storableText(s: string): string {
  if (isStorableText(s)) return s;
  return toWellFormed(s.replace(NUL, REPLACEMENT));
}

export interface Storable<T> {
  value: T;
  /** Where something was replaced (`trigger.object.customer`), at most MAX_REPORTED; empty when nothing was. */
  replaced: string[];
}

const MAX_REPORTED = 20;
const MAX_DEPTH = 200;

const isPlainObject = (v: object) => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/**
 * `value` with every string (and object key) made storable. Copies only the arrays and plain objects on the way to a
 * replaced string; the rest is shared, and a value with nothing to replace comes back as it is. Class instances
 * (a Date, stripe-node's Decimal) are left alone: they serialise themselves.
 */
export function storable<T>(value: T, root = ""): Storable<T> {
  const replaced: string[] = [];
  const note = (path: string) => {
    if (replaced.length < MAX_REPORTED) replaced.push(path || "(value)");
  };
  const join = (path: string, key: string | number) => (typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key);

  function visit(v: unknown, path: string, depth: number): unknown {
    if (typeof v === "string") {
      if (isStorableText(v)) return v;
      note(path);
      return storableText(v);
    }
    if (v === null || typeof v !== "object" || depth > MAX_DEPTH) return v;
    if (Array.isArray(v)) {
      let out: unknown[] | null = null;
      for (let i = 0; i < v.length; i++) {
        const x = visit(v[i], join(path, i), depth + 1);
        if (x !== v[i]) (out ??= v.slice())[i] = x;
      }
      return out ?? v;
    }
    if (!isPlainObject(v)) return v;
    let out: Record<string, unknown> | null = null;
    for (const key of Object.keys(v)) {
      const x = visit((v as Record<string, unknown>)[key], join(path, key), depth + 1);
      const k = isStorableText(key) ? key : (note(join(path, key)), storableText(key));
      if (x !== (v as Record<string, unknown>)[key] || k !== key) {
        out ??= { ...(v as Record<string, unknown>) };
        if (k !== key) delete out[key];
        out[k] = x;
      }
    }
    return out ?? v;
  }

  return { value: visit(value, root, 0) as T, replaced };
}
