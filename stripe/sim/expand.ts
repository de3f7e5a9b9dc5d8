// `expand[]`: replaces ids along dotted paths (`latest_charge`, `data.product`, `payment.payment_intent`) with objects.
import type { SimCore } from "./core.js";

function resolve(sim: SimCore, v: unknown): unknown {
  if (typeof v !== "string") return v;
  const obj = sim.store.get(v);
  return obj ? structuredClone(obj) : v;
}

function walk(sim: SimCore, node: any, segs: string[]): void {
  if (!node || typeof node !== "object" || segs.length === 0) return;
  if (Array.isArray(node)) {
    for (const el of node) walk(sim, el, segs);
    return;
  }
  const [head, ...rest] = segs as [string, ...string[]];
  if (!(head in node)) return;
  let value = resolve(sim, node[head]);
  // An invoice_payment's `payment` is an object naming its PaymentIntent or Charge: expanding it expands those.
  if (rest.length === 0 && value && typeof value === "object" && !Array.isArray(value) && !("object" in value)) {
    const inner = value as Record<string, unknown>;
    value = { ...inner, ...(inner.payment_intent ? { payment_intent: resolve(sim, inner.payment_intent) } : {}), ...(inner.charge ? { charge: resolve(sim, inner.charge) } : {}) };
  }
  node[head] = value;
  if (rest.length) walk(sim, value, rest);
}

export function applyExpand(sim: SimCore, body: Record<string, any>, paths: string[]): Record<string, any> {
  if (paths.length === 0) return body;
  const out = structuredClone(body);
  for (const p of paths) walk(sim, out, p.split("."));
  return out;
}
