// Idempotency keys: the stored response of the first execution, replayed for the same parameters for 24 h of sim time.
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

export interface StoredResponse {
  fingerprint: string;
  status: number;
  body: unknown;
  objectId: string | null;
  requestId: string;
  expiresAt: number;
}

export type IdempotencyLookup =
  | { kind: "new" }
  | { kind: "replay"; stored: StoredResponse }
  | { kind: "mismatch"; stored: StoredResponse };

/** What must match for a replay: the endpoint and every parameter as sent (order-insensitive). */
export function fingerprint(method: string, path: string, params: Record<string, string>): string {
  const keys = Object.keys(params).sort();
  return JSON.stringify([method, path, keys.map((k) => [k, params[k]])]);
}

export class IdempotencyStore {
  private readonly keys = new Map<string, StoredResponse>();

  lookup(key: string, fp: string, now: number): IdempotencyLookup {
    const stored = this.keys.get(key);
    if (!stored || stored.expiresAt <= now) return { kind: "new" };
    return stored.fingerprint === fp ? { kind: "replay", stored } : { kind: "mismatch", stored };
  }

  save(key: string, stored: Omit<StoredResponse, "expiresAt">, now: number): void {
    this.keys.set(key, { ...stored, expiresAt: now + IDEMPOTENCY_TTL_SECONDS });
  }

  /** Drops expired keys (run when the clock moves) so memory follows the live window, not history. */
  prune(now: number): void {
    for (const [k, v] of this.keys) if (v.expiresAt <= now) this.keys.delete(k);
  }

  size(): number {
    return this.keys.size;
  }
}
