// The corpus's worlds as one simulator seed: each message gets its own copy of its world (every id of the customer's
// objects suffixed), the plan catalog is shared, so a whole list of messages runs in one billops at once.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseCorpus } from "../../evals/scenario.js";
import type { Corpus } from "../../evals/corpus.js";

const FILE = fileURLToPath(new URL("../../evals/scenarios/corpus/support_requests.corpus.json", import.meta.url));

export function loadCorpus(): Corpus {
  return parseCorpus(readFileSync(FILE, "utf8"), FILE);
}

export const suffix = (n: number) => `q${String(n).padStart(3, "0")}`;

/** Copy n of a world: the customer's objects with suffixed ids, without the shared catalog. */
export function instantiate(world: Record<string, unknown[]>, n: number): Record<string, unknown[]> {
  const own = Object.fromEntries(Object.entries(world).filter(([k]) => k !== "prices" && k !== "products"));
  return JSON.parse(JSON.stringify(own).replace(/\b([a-z]+_W[A-Za-z0-9]*)\b/g, `$1${suffix(n)}`));
}

/** One seed for worlds[0..n): world i's objects suffixed with i, one copy of every product and price. */
export function combinedSeed(worlds: Record<string, unknown[]>[]): Record<string, unknown[]> {
  const seed: Record<string, unknown[]> = {};
  const catalog = new Map<string, { id: string; object?: string }>();
  worlds.forEach((world, n) => {
    for (const k of ["products", "prices"]) for (const o of (world[k] ?? []) as { id: string }[]) catalog.set(o.id, o);
    for (const [k, list] of Object.entries(instantiate(world, n))) seed[k] = [...(seed[k] ?? []), ...list];
  });
  seed.products = [...catalog.values()].filter((o) => o.object === "product");
  seed.prices = [...catalog.values()].filter((o) => o.object === "price");
  return seed;
}
