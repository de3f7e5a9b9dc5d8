// Fault injection: per-endpoint or global error statuses, latency and dropped connections (before or after the write).
import type { FaultSpec } from "./types.js";

export interface ActiveFault {
  id: string;
  spec: FaultSpec;
  pattern: RegExp | null;
  remaining: number;
  hits: number;
  /** Matching requests seen, for `rate`. */
  seen: number;
}

export class FaultRegistry {
  private readonly faults: ActiveFault[] = [];
  private next = 1;

  add(spec: FaultSpec): string {
    if (spec.status === undefined && spec.latencyMs === undefined && spec.drop === undefined) {
      throw new Error("a fault needs status, latencyMs or drop");
    }
    if (spec.drop && spec.drop !== "before_write" && spec.drop !== "after_write") {
      throw new Error(`fault drop must be before_write or after_write, not ${String(spec.drop)}`);
    }
    if (spec.rate !== undefined && !(typeof spec.rate === "number" && spec.rate > 0 && spec.rate <= 1)) {
      throw new Error(`fault rate must be a number above 0 and at most 1, not ${String(spec.rate)}`);
    }
    const id = `fault_${this.next++}`;
    this.faults.push({
      id,
      spec: { ...spec },
      pattern: spec.path ? new RegExp(spec.path) : null,
      remaining: spec.times ?? Infinity,
      hits: 0,
      seen: 0,
    });
    return id;
  }

  remove(id: string): void {
    const i = this.faults.findIndex((f) => f.id === id);
    if (i >= 0) this.faults.splice(i, 1);
  }

  clear(): void {
    this.faults.length = 0;
  }

  list(): { id: string; spec: FaultSpec; hits: number; remaining: number | null }[] {
    return this.faults.map((f) => ({
      id: f.id,
      spec: f.spec,
      hits: f.hits,
      remaining: Number.isFinite(f.remaining) ? f.remaining : null,
    }));
  }

  /** The first fault matching this request; consuming one of its `times`. */
  take(method: string, path: string): ActiveFault | null {
    for (const f of this.faults) {
      if (f.remaining <= 0) continue;
      if (f.spec.method && f.spec.method.toUpperCase() !== method) continue;
      if (f.pattern && !f.pattern.test(path)) continue;
      if (f.spec.rate !== undefined) {
        // Deterministic: the n-th matching request is hit when n·rate crosses a whole number (rate 0.15: ~3 in 20).
        f.seen++;
        if (Math.floor(f.seen * f.spec.rate) === Math.floor((f.seen - 1) * f.spec.rate)) continue;
      }
      f.remaining--;
      f.hits++;
      return f;
    }
    return null;
  }
}
