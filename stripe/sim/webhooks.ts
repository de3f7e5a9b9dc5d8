// Webhook delivery: events recorded in /v1/events, signed like Stripe (t=<sim clock>,v1=HMAC), POSTed in order,
// retried with exponential backoff on non-2xx or connection errors, with a delivery log.
import { createHmac } from "node:crypto";
import type { Logger } from "pino";
import { newId } from "./ids.js";
import type { Store } from "./store.js";
import type { Delivery, StripeObject, WebhookEndpoint } from "./types.js";

interface Job {
  event: StripeObject;
  attempt: number;
  done?: () => void;
}

export type DeliveryState = "pending" | "succeeded" | "failed";

export function signPayload(payload: string, secret: string, t: number): string {
  const v1 = createHmac("sha256", secret).update(`${t}.${payload}`, "utf8").digest("hex");
  return `t=${t},v1=${v1}`;
}

export class WebhookDispatcher {
  private endpoint: WebhookEndpoint | null;
  private readonly queue: Job[] = [];
  /** Events caused by an API request wait here until its response is sent: delivery is never inside the request. */
  private held: Job[] = [];
  private running = false;
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiters: (() => void)[] = [];
  private readonly log: Delivery[] = [];
  private readonly states = new Map<string, DeliveryState>();
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
    private readonly logger: Logger,
    endpoint: WebhookEndpoint | null,
    retry: { maxAttempts?: number; baseDelayMs?: number } = {},
  ) {
    this.endpoint = endpoint;
    this.maxAttempts = Math.max(1, retry.maxAttempts ?? 5);
    this.baseDelayMs = Math.max(0, retry.baseDelayMs ?? 500);
  }

  setEndpoint(ep: WebhookEndpoint | null): void {
    this.endpoint = ep;
  }

  getEndpoint(): WebhookEndpoint | null {
    return this.endpoint;
  }

  /** Records an event (once per id) and queues a delivery; `hold` defers it until `release()`. */
  record(event: StripeObject, opts: { hold?: boolean; done?: () => void } = {}): void {
    if (!this.store.get(event.id)) this.store.put(event, null);
    if (!this.endpoint) {
      opts.done?.();
      return;
    }
    event.pending_webhooks = 1;
    this.states.set(event.id, "pending");
    const job: Job = { event, attempt: 1, done: opts.done };
    if (opts.hold) this.held.push(job);
    else {
      this.queue.push(job);
      this.pump();
    }
  }

  /** Delivers what a finished request held back. */
  release(): void {
    if (this.held.length === 0) return;
    this.queue.push(...this.held);
    this.held = [];
    this.pump();
  }

  deliver(event: StripeObject): Promise<void> {
    return new Promise((resolve) => this.record(event, { done: resolve }));
  }

  state(eventId: string): DeliveryState | undefined {
    return this.states.get(eventId);
  }

  deliveries(): Delivery[] {
    return this.log.slice();
  }

  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.queue.length = 0;
    this.held = [];
    this.notifyIdle();
  }

  private isIdle(): boolean {
    return !this.running && this.queue.length === 0 && this.held.length === 0 && this.timers.size === 0;
  }

  private notifyIdle(): void {
    if (!this.isIdle() && !this.stopped) return;
    for (const w of this.waiters.splice(0)) w();
  }

  private pump(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void (async () => {
      try {
        // Let a moving clock finish first: events of due transitions are signed, like Stripe's test clocks deliver
        // them, at the time the clock stopped at (a receiver checking signatures against that clock accepts them).
        await Promise.resolve();
        while (this.queue.length > 0 && !this.stopped) await this.attempt(this.queue.shift()!);
      } finally {
        this.running = false;
        this.notifyIdle();
      }
    })();
  }

  private async attempt(job: Job): Promise<void> {
    const ep = this.endpoint;
    if (!ep) {
      this.states.delete(job.event.id);
      job.done?.();
      return;
    }
    const t = this.now();
    const payload = JSON.stringify(job.event, null, 2);
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(ep.url, {
        method: "POST",
        headers: {
          "content-type": "application/json; charset=utf-8",
          "stripe-signature": signPayload(payload, ep.secret, t),
          "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        },
        body: payload,
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (err) {
      error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    const ok = status !== null && status >= 200 && status < 300;
    if (!ok && error === null) error = `HTTP ${status}`;
    this.log.push({
      id: newId("whdel"),
      eventId: job.event.id,
      eventType: job.event.type,
      attempt: job.attempt,
      url: ep.url,
      status,
      ok,
      error,
      time: t,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    });
    if (ok) {
      this.states.set(job.event.id, "succeeded");
      job.event.pending_webhooks = 0;
    } else if (job.attempt < this.maxAttempts && !this.stopped) {
      const delay = this.baseDelayMs * 2 ** (job.attempt - 1);
      this.logger.debug({ event_id: job.event.id, attempt: job.attempt, status, error, delay }, "webhook retry");
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.queue.push({ event: job.event, attempt: job.attempt + 1 });
        this.pump();
        this.notifyIdle();
      }, delay);
      this.timers.add(timer);
    } else {
      this.states.set(job.event.id, "failed");
      this.logger.warn({ event_id: job.event.id, attempts: job.attempt, status, error }, "webhook delivery gave up");
    }
    job.done?.();
  }
}
