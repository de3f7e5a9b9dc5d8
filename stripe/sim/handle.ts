// The in-process handle of a running simulator: what tests, evals and the control API drive it with.
import type Stripe from "stripe";
import type { Store } from "./store.js";
import type { TriggerOptions } from "./triggers.js";
import type { Delivery, FaultSpec, LoggedRequest, StripeSeed, WebhookEndpoint } from "./types.js";

export interface Simulator {
  url: string;
  host: string;
  port: number;
  store: Pick<Store, "get" | "list" | "put">;
  clock: { now(): number; set(t: number): Promise<void>; advance(seconds: number): Promise<void> };
  log: { all(): LoggedRequest[]; writes(): LoggedRequest[]; clear(): void };
  faults: { add(f: FaultSpec): string; remove(id: string): void; clear(): void; list(): { id: string; spec: FaultSpec; hits: number; remaining: number | null }[] };
  webhooks: {
    setEndpoint(ep: WebhookEndpoint | null): void;
    deliver(event: Stripe.Event | object): Promise<void>;
    idle(): Promise<void>;
    deliveries(): Delivery[];
  };
  seed(block: StripeSeed): void;
  applyEventObject(event: { created: number; data: { object: any } }): boolean;
  /** Runs a `stripe trigger`-like scenario (see TRIGGERS); returns the ids it made and the events it fired. */
  trigger(type: string, opts?: TriggerOptions): { objects: Record<string, string | null>; events: string[] };
  stop(): Promise<void>;
}
