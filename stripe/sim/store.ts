// The in-memory object store: objects by id, per-type sorted indexes for newest-first pages, and object versions.
import type { StripeObject } from "./types.js";
import { completeShape } from "./endive.js";

interface Entry {
  id: string;
  created: number;
  seq: number;
}

export interface PageQuery {
  limit?: number;
  startingAfter?: string;
  endingBefore?: string;
  filter?: (obj: StripeObject) => boolean;
}

export interface Page {
  data: StripeObject[];
  hasMore: boolean;
}

/** When an object was last written, and by whom: a scenario event or the simulator itself (API call, clock). */
export interface Version {
  t: number;
  source: "event" | "sim";
}

export class Store {
  private readonly byId = new Map<string, StripeObject>();
  private readonly entries = new Map<string, Entry>();
  private readonly byType = new Map<string, Entry[]>();
  private readonly deleted = new Set<string>();
  private readonly versions = new Map<string, Version>();
  private seq = 0;

  constructor(private readonly now: () => number) {}

  get(id: string): StripeObject | undefined {
    return this.deleted.has(id) ? undefined : this.byId.get(id);
  }

  isDeleted(id: string): boolean {
    return this.deleted.has(id);
  }

  /** Newest first. */
  list(type: string): StripeObject[] {
    const arr = this.byType.get(type) ?? [];
    const out: StripeObject[] = [];
    for (let i = arr.length - 1; i >= 0; i--) {
      const id = arr[i]!.id;
      if (!this.deleted.has(id)) out.push(this.byId.get(id)!);
    }
    return out;
  }

  /** Writes an object. A simulator write records a version at the simulator clock unless `version` says otherwise. */
  put(obj: StripeObject, version: Version | null = { t: this.now(), source: "sim" }): StripeObject {
    if (!obj || typeof obj.id !== "string" || typeof obj.object !== "string") {
      throw new Error("store.put needs an object with string `id` and `object`");
    }
    this.byId.set(obj.id, completeShape(obj, this.now()));
    this.deleted.delete(obj.id);
    if (version) this.versions.set(obj.id, version);
    if (!this.entries.has(obj.id)) this.index(obj);
    return obj;
  }

  remove(id: string): void {
    if (this.byId.has(id)) this.deleted.add(id);
    this.versions.set(id, { t: this.now(), source: "sim" });
  }

  version(id: string): Version | undefined {
    return this.versions.get(id);
  }

  size(): number {
    return this.byId.size;
  }

  private index(obj: StripeObject): void {
    const created = typeof obj.created === "number" ? obj.created : this.now();
    const entry: Entry = { id: obj.id, created, seq: this.seq++ };
    this.entries.set(obj.id, entry);
    let arr = this.byType.get(obj.object);
    if (!arr) this.byType.set(obj.object, (arr = []));
    const last = arr[arr.length - 1];
    if (!last || compare(last, entry) <= 0) {
      arr.push(entry);
    } else {
      arr.splice(this.lowerBound(arr, entry), 0, entry);
    }
  }

  private lowerBound(arr: Entry[], e: Entry): number {
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(arr[mid]!, e) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A newest-first page of one type, Stripe's cursor semantics; visits only as many objects as it needs. */
  page(type: string, q: PageQuery): Page {
    const arr = this.byType.get(type) ?? [];
    const limit = Math.max(1, Math.min(q.limit ?? 10, 100));
    const keep = (e: Entry) => {
      if (this.deleted.has(e.id)) return false;
      const obj = this.byId.get(e.id)!;
      return !q.filter || q.filter(obj);
    };
    if (q.endingBefore) {
      const cursor = this.entries.get(q.endingBefore);
      let i = cursor ? this.lowerBound(arr, cursor) + 1 : arr.length;
      const found: StripeObject[] = [];
      let hasMore = false;
      for (; i < arr.length; i++) {
        const e = arr[i]!;
        if (!keep(e)) continue;
        if (found.length === limit) {
          hasMore = true;
          break;
        }
        found.push(this.byId.get(e.id)!);
      }
      return { data: found.reverse(), hasMore };
    }
    let i = arr.length - 1;
    if (q.startingAfter) {
      const cursor = this.entries.get(q.startingAfter);
      i = cursor ? this.lowerBound(arr, cursor) - 1 : -1;
    }
    const found: StripeObject[] = [];
    let hasMore = false;
    for (; i >= 0; i--) {
      const e = arr[i]!;
      if (!keep(e)) continue;
      if (found.length === limit) {
        hasMore = true;
        break;
      }
      found.push(this.byId.get(e.id)!);
    }
    return { data: found, hasMore };
  }
}

function compare(a: Entry, b: Entry): number {
  return a.created - b.created || a.seq - b.seq;
}
