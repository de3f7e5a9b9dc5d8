// The plan catalog: which prices a subscription may move to, and how a plan name a customer wrote maps to one of them.
import type { PolicyConfig } from "../../domain/policy-config.js";
import type { CatalogEntry, SubscriptionContext } from "./context.js";

const norm = (s: string | null | undefined) => (s ?? "").toLowerCase().replace(/[^a-z0-9]+/g, " ").trim().replace(/^(the|our|my) /, "").replace(/ plan$/, "");

/**
 * With `config.catalog` set, only those prices (and only while Stripe still has them active) are plans; otherwise
 * every active recurring price is. An explicit list lets a team keep legacy or internal prices out of reach.
 */
export function planCatalog(ctx: Pick<SubscriptionContext, "catalog">, config: PolicyConfig): CatalogEntry[] {
  if (!config.catalog) return ctx.catalog;
  const allowed = new Set(Object.values(config.catalog));
  return ctx.catalog.filter((c) => allowed.has(c.price));
}

/**
 * Resolves a plan name to a price: the config's names first, then product name, nickname or lookup_key.
 * Several matches (e.g. monthly and yearly) are narrowed to the current item's interval and currency.
 */
export function matchPlan(
  name: string,
  catalog: CatalogEntry[],
  config: PolicyConfig,
  current?: { interval: string | null; currency: string | null },
): { entry: CatalogEntry | null; candidates: CatalogEntry[] } {
  const n = norm(name);
  if (!n) return { entry: null, candidates: [] };
  if (config.catalog) {
    const hit = Object.entries(config.catalog).find(([k]) => norm(k) === n);
    const entry = hit ? (catalog.find((c) => c.price === hit[1]) ?? null) : null;
    if (entry) return { entry, candidates: [entry] };
  }
  let candidates = catalog.filter((c) => [c.productName, c.nickname, c.lookupKey, c.price].some((v) => norm(v) === n));
  if (candidates.length > 1 && current) {
    const same = candidates.filter((c) => (!current.interval || c.interval === current.interval) && (!current.currency || c.currency === current.currency));
    if (same.length) candidates = same;
  }
  return { entry: candidates.length === 1 ? candidates[0] : null, candidates };
}
