// Stripe's form encoding: `items[0][price]=…&metadata[k]=…&expand[]=…` into nested params, plus the flat encoded map.

export interface ParsedForm {
  /** Nested parameters; integer-indexed groups become arrays (except under `metadata`). */
  nested: Record<string, any>;
  /** Parameters keyed by their encoded names exactly as sent (percent-decoded), e.g. `items[0][price]`. */
  flat: Record<string, string>;
}

const KEY = /^([^[\]]+)((?:\[[^\]]*\])*)$/;

export function parseForm(text: string): ParsedForm {
  const nested: Record<string, any> = {};
  const flat: Record<string, string> = {};
  if (!text) return { nested, flat };
  for (const [name, value] of new URLSearchParams(text)) {
    flat[name] = value;
    const m = KEY.exec(name);
    if (!m) {
      nested[name] = value;
      continue;
    }
    const path = [m[1]!, ...(m[2] ? m[2].slice(1, -1).split("][") : [])];
    let node: any = nested;
    for (let i = 0; i < path.length - 1; i++) {
      let seg = path[i]!;
      if (seg === "") seg = String(Object.keys(node).length);
      if (node[seg] === undefined || typeof node[seg] !== "object") node[seg] = {};
      node = node[seg];
    }
    let last = path[path.length - 1]!;
    if (last === "") last = String(Object.keys(node).length);
    node[last] = value;
  }
  return { nested: arrayify(nested, null) as Record<string, any>, flat };
}

function arrayify(node: any, parentKey: string | null): any {
  if (node === null || typeof node !== "object") return node;
  const keys = Object.keys(node);
  for (const k of keys) node[k] = arrayify(node[k], k);
  if (parentKey !== "metadata" && keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => node[k]);
  }
  return node;
}

/** Stripe sends booleans as the strings "true"/"false". */
export function bool(v: unknown): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === true || v === "true") return true;
  if (v === false || v === "false") return false;
  return undefined;
}

export function int(v: unknown): number | undefined {
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : undefined;
}

export function asArray(v: unknown): any[] {
  if (v === undefined || v === "" || v === null) return [];
  if (Array.isArray(v)) return v;
  if (typeof v === "object") return Object.values(v as object);
  return [v];
}
