// The request log: every API request with its encoded parameters, idempotency key, status and object id.
import type { LoggedRequest } from "./types.js";

export class RequestLog {
  private entries: LoggedRequest[] = [];

  add(entry: LoggedRequest): void {
    this.entries.push(entry);
  }

  all(): LoggedRequest[] {
    return this.entries.slice();
  }

  /** POST and DELETE under /v1: what SCENARIOS.md calls writes. */
  writes(): LoggedRequest[] {
    return this.entries.filter((e) => isWrite(e.method, e.path));
  }

  clear(): void {
    this.entries = [];
  }
}

export function isWrite(method: string, path: string): boolean {
  return (method === "POST" || method === "DELETE") && path.startsWith("/v1/");
}
