// The Stripe simulator's face: startSimulator() runs a stateful local Stripe API the official SDK talks to unchanged.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type Stripe from "stripe";
import { silentLogger } from "../../telemetry/log.js";
import { SimClock } from "./clock.js";
import { createControl } from "./control.js";
import type { SimCore } from "./core.js";
import { FaultRegistry } from "./faults.js";
import { IdempotencyStore } from "./idempotency.js";
import { newId } from "./ids.js";
import { RequestLog } from "./requestLog.js";
import { catalogRoutes } from "./resources/catalog.js";
import { customerRoutes } from "./resources/customers.js";
import { disputeRoutes } from "./resources/disputes.js";
import { eventRoutes } from "./resources/events.js";
import { invoiceRoutes } from "./resources/invoices.js";
import { paymentIntentRoutes } from "./resources/paymentIntents.js";
import { paymentMethodRoutes } from "./resources/paymentMethods.js";
import { refundRoutes } from "./resources/refunds.js";
import { subscriptionRoutes } from "./resources/subscriptions.js";
import { subscriptionScheduleRoutes } from "./resources/subscriptionSchedules.js";
import { compile } from "./routes.js";
import { applyEventObject, seedStore } from "./seed.js";
import { createRequestHandler } from "./server.js";
import { Store } from "./store.js";
import { createTransitions } from "./transitions.js";
import { runTrigger, type TriggerOptions } from "./triggers.js";
import { API_VERSION, type Delivery, type FaultSpec, type LoggedRequest, type SimulatorOptions, type StripeObject, type StripeSeed, type WebhookEndpoint } from "./types.js";
import { WebhookDispatcher } from "./webhooks.js";
import type { Simulator } from "./handle.js";

export type { Delivery, FaultSpec, LoggedRequest, SimulatorOptions, StripeObject, StripeSeed, WebhookEndpoint };
export type { Simulator } from "./handle.js";
export { API_VERSION } from "./types.js";
export { signPayload } from "./webhooks.js";
export { TEST_PAYMENT_METHODS, DECLINES } from "./testCards.js";
export { TRIGGERS } from "./triggers.js";

export const ROUTES = [
  ...customerRoutes,
  ...paymentMethodRoutes,
  ...catalogRoutes,
  ...paymentIntentRoutes,
  ...refundRoutes,
  ...disputeRoutes,
  ...invoiceRoutes,
  ...subscriptionRoutes,
  ...subscriptionScheduleRoutes,
  ...eventRoutes,
].map(compile);

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const logger = opts.logger ?? silentLogger;
  let clock: SimClock | null = null;
  const now = () => clock!.now();
  
  const store = new Store(now);
  const webhooks = new WebhookDispatcher(store, now, logger, opts.webhook ?? null, opts.webhookRetry);
  const core: SimCore = {
    store,
    now,
    logger,
    webhooks,
    request: null,
    pmOrigins: new Map(),
    attemptCounts: new Map(),
    pendingItems: new Map(),
    disputeDecisions: new Map(),
    offSessionIntents: new Set(),
  };
  const idempotency = new IdempotencyStore();
  clock = new SimClock(opts.now ?? Math.floor(Date.now() / 1000), createTransitions(core), () => {
    idempotency.prune(clock!.now());
    webhooks.release();
  });
  const faults = new FaultRegistry();
  const log = new RequestLog();

  const trigger = (type: string, o: TriggerOptions = {}) => {
    const before = new Set(store.page("event", { limit: 100 }).data.map((e) => e.id));
    const objects = runTrigger(core, type, o);
    const events = store
      .page("event", { limit: 100 })
      .data.filter((e) => !before.has(e.id))
      .map((e) => e.id)
      .reverse();
    return { objects, events };
  };

  let simulator: Simulator;
  const control = createControl(
    () => simulator,
    (type, o) => trigger(type, { decline: o.decline, reason: o.reason, amount: typeof o.amount === "number" ? o.amount : undefined }),
  );
  const server: Server = createServer(createRequestHandler({ sim: core, routes: ROUTES, faults, idempotency, log, control }));
  server.keepAliveTimeout = 30_000;
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const c = clock;

  simulator = {
    url: `http://${host}:${port}`,
    host,
    port,
    store: {
      get: (id) => store.get(id),
      list: (type) => store.list(type),
      put: (obj) => store.put(obj),
    },
    clock: { now: () => c.now(), set: (t) => c.set(t), advance: (s) => c.advance(s) },
    log: { all: () => log.all(), writes: () => log.writes(), clear: () => log.clear() },
    faults: { add: (f) => faults.add(f), remove: (id) => faults.remove(id), clear: () => faults.clear(), list: () => faults.list() },
    webhooks: {
      setEndpoint: (ep) => webhooks.setEndpoint(ep),
      deliver: (event) => {
        const e = { ...(event as Record<string, any>) };
        if (typeof e.id !== "string") e.id = newId("evt");
        e.object = "event";
        e.api_version ??= API_VERSION;
        e.created ??= c.now();
        e.livemode ??= false;
        e.pending_webhooks ??= 1;
        e.request ??= { id: null, idempotency_key: null };
        return webhooks.deliver(e as StripeObject);
      },
      idle: () => webhooks.idle(),
      deliveries: () => webhooks.deliveries(),
    },
    seed: (block) => seedStore(core, block),
    applyEventObject: (event) => applyEventObject(core, event),
    trigger,
    stop: async () => {
      webhooks.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  if (opts.seed) simulator.seed(opts.seed);
  logger.info({ url: simulator.url }, "stripe simulator listening");
  return simulator;
}
