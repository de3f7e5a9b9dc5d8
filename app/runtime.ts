// Composes one billops process from its parts: HTTP server, worker, scheduler, graph on the Postgres checkpointer.
// main.ts, the eval runner and the end-to-end tests all start billops through here.
import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import type pg from "pg";
import { BatchedPostgresSaver } from "../graph/checkpointer.js";
import type { Clock } from "../domain/clock.js";
import type { Logger } from "../telemetry/log.js";
import type { Gateway } from "../stripe/gateway/index.js";
import type { Decider, GraphDeps } from "../nodes/deps.js";
import type { PolicyConfig } from "../domain/policy-config.js";
import { compileGraph } from "../graph/graph.js";
import { DOMAIN_SPECS } from "../nodes/domains.js";
import { createRulesDecider } from "../deciders/rules.js";
import { createCaseService } from "../engine/case-service.js";
import { createApp } from "../server/app.js";
import { startWorker, type Worker } from "../engine/worker.js";
import { startScheduler } from "../engine/scheduler.js";
import { startPeriodic, type Periodic } from "../engine/periodic.js";
import { startReconciler } from "../engine/reconcile.js";
import { createEventLister } from "../stripe/gateway/events.js";
import { startNotificationSender } from "../engine/outbox-sender.js";
import { SERVER_TIMEOUTS, type ServerTimeouts } from "../server/limits.js";
import { createAuthThrottle, type AuthThrottleOptions } from "../server/auth-throttle.js";
import { DEFAULT_RETENTION, startRetention, type RetentionPolicy } from "../engine/retention.js";
import { createMetrics, meterStripe, type Metrics } from "../telemetry/metrics.js";
import { meteredDecider } from "../deciders/metered.js";
import type { PolicySource } from "../server/policy-api.js";
import type { DashboardTarget } from "../server/dashboard-links.js";

export interface BillopsOptions {
  pool: pg.Pool;
  /** Schema of billops' and LangGraph's tables (tests and evals isolate themselves in one); default public. */
  schema?: string;
  gateway: Gateway;
  clock: Clock;
  webhookSecret: string;
  approverTokens: Map<string, string>;
  policy: PolicyConfig;
  decider?: Decider;
  role?: "web" | "worker" | "all";
  host?: string;
  /** 0 = any free port. */
  port?: number;
  worker?: { concurrency?: number; maxAttempts?: number; leaseSeconds?: number; pollIntervalMs?: number; backoffBaseMs?: number };
  schedulerIntervalMs?: number;
  /**
   * The worker's sweep of approvals whose answer's run failed or died (engine/case-service.ts resumeTakenAnswers):
   * how often, and how old an unfinished answer must be (a live one holds its case lock; the grace spares waiting on it).
   */
  answerSweep?: { intervalMs?: number; graceSeconds?: number };
  /** Missed-event recovery every this many ms on worker processes (BILLOPS_RECONCILE_INTERVAL_SECONDS); unset: off. */
  reconcileIntervalMs?: number;
  /** Send the outbox by SMTP; without it notifications stay in the outbox. */
  smtp?: { url: string; from: string; opsEmail?: string };
  logger: Logger;
  info?: Record<string, unknown>;
  /** Reverse proxies whose X-Forwarded-* headers are believed (TRUSTED_PROXIES). */
  trustedProxies?: readonly string[];
  /** The HTTP server's timeouts; default server/limits.ts SERVER_TIMEOUTS (tests shorten them). */
  timeouts?: Partial<ServerTimeouts>;
  /** The brake on failed authentication per client address; default 10 failures per 15 minutes. */
  authThrottle?: AuthThrottleOptions;
  /** How long case threads and event payloads are kept whole (engine/retention.ts); the worker role prunes hourly. */
  retention?: RetentionPolicy;
  retentionIntervalMs?: number;
  /** Where `policy` came from, for GET /policy (main.ts knows the file). */
  policySource?: PolicySource | null;
  /** A token that opens GET /metrics and nothing else (approver tokens open it too). */
  metricsToken?: string;
  /** Where links to Stripe objects go; default: the simulator when the gateway talks to one, else the test Dashboard. */
  dashboard?: DashboardTarget;
  /** Node's process metrics (CPU, memory, event loop) in GET /metrics: for a real process, not for tests. */
  processMetrics?: boolean;
}

export interface Billops {
  url: string | null;
  cases: ReturnType<typeof createCaseService>;
  checkpointer: BatchedPostgresSaver;
  worker: Worker | null;
  deps: GraphDeps;
  metrics: Metrics;
  /** Fires due scheduled work now (evals call it after moving the clock). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export async function createCheckpointer(pool: pg.Pool, schema?: string): Promise<BatchedPostgresSaver> {
  const saver = new BatchedPostgresSaver(pool, undefined, schema ? { schema } : {});
  // PostgresSaver's setup is not safe to run twice at once: web and worker processes starting together on a fresh
  // schema collide on its migrations table. A session advisory lock (as db/migrate.ts takes) makes them take turns.
  const lock = await pool.connect();
  try {
    await lock.query("select pg_advisory_lock(hashtextextended($1, 0))", [`billops:checkpointer:${schema ?? "public"}`]);
    await saver.setup();
  } finally {
    await lock.query("select pg_advisory_unlock(hashtextextended($1, 0))", [`billops:checkpointer:${schema ?? "public"}`]).catch(() => undefined);
    lock.release();
  }
  return saver;
}

export async function startBillops(o: BillopsOptions): Promise<Billops> {
  const role = o.role ?? "all";
  const checkpointer = await createCheckpointer(o.pool, o.schema);
  const graph = compileGraph(checkpointer);
  const metrics = createMetrics({ processMetrics: o.processMetrics });
  const unmeterStripe = meterStripe(o.gateway.stripe, metrics);
  const deps: GraphDeps = {
    reads: o.gateway.reads,
    writes: o.gateway.writes,
    decider: meteredDecider(o.decider ?? createRulesDecider(DOMAIN_SPECS), metrics),
    domains: DOMAIN_SPECS,
    config: o.policy,
    clock: o.clock,
    db: o.pool,
    logger: o.logger,
  };
  const cases = createCaseService({ pool: o.pool, graph, deps });

  let worker: Worker | null = null;
  let scheduler: ReturnType<typeof startScheduler> | null = null;
  let sender: ReturnType<typeof startNotificationSender> | null = null;
  let retention: ReturnType<typeof startRetention> | null = null;
  let answerSweep: Periodic | null = null;
  let reconciler: ReturnType<typeof startReconciler> | null = null;
  if (role !== "web") {
    worker = startWorker({
      pool: o.pool,
      handle: async (event, tx, prefetched) => {
        const done = metrics.runDuration.startTimer({ source: event.source });
        try {
          await cases.handleEvent(event, tx, prefetched);
          metrics.eventsProcessed.inc({ source: event.source });
        } catch (err) {
          metrics.eventAttemptsFailed.inc({ source: event.source });
          throw err;
        } finally {
          done();
        }
      },
      prefetch: (event) => cases.prefetchFor(event),
      concurrency: o.worker?.concurrency ?? 4,
      pollIntervalMs: o.worker?.pollIntervalMs ?? 1000,
      leaseSeconds: o.worker?.leaseSeconds ?? 60,
      maxAttempts: o.worker?.maxAttempts ?? 5,
      backoffBaseMs: o.worker?.backoffBaseMs,
      logger: o.logger,
    });
    if (o.smtp) sender = startNotificationSender({ pool: o.pool, smtpUrl: o.smtp.url, from: o.smtp.from, opsEmail: o.smtp.opsEmail, logger: o.logger });
    scheduler = startScheduler({ pool: o.pool, clock: o.clock, intervalMs: o.schedulerIntervalMs ?? 5000, logger: o.logger, onFired: () => worker?.wake() });
    answerSweep = startPeriodic(
      async () => {
        await cases.resumeTakenAnswers({ olderThanSeconds: o.answerSweep?.graceSeconds ?? 10 });
      },
      { intervalMs: o.answerSweep?.intervalMs ?? 30_000, logger: o.logger, name: "answer sweep" },
    );
    if (o.reconcileIntervalMs) {
      reconciler = startReconciler({ pool: o.pool, listEvents: createEventLister(o.gateway.stripe), clock: o.clock, logger: o.logger, intervalMs: o.reconcileIntervalMs, onEnqueued: () => worker?.wake() });
    }
    retention = startRetention({ pool: o.pool, graph, saver: checkpointer, logger: o.logger, policy: o.retention ?? DEFAULT_RETENTION, intervalMs: o.retentionIntervalMs ?? 3_600_000 });
  }

  let server: ServerType | null = null;
  let url: string | null = null;
  if (role !== "worker") {
    const app = createApp({
      pool: o.pool,
      stripe: o.gateway.stripe,
      webhookSecret: o.webhookSecret,
      clock: o.clock,
      cases,
      approverTokens: o.approverTokens,
      logger: o.logger,
      wake: () => worker?.wake(),
      info: o.info,
      trustedProxies: o.trustedProxies,
      expectedEvents: o.gateway.expectedEvents,
      throttle: createAuthThrottle(o.authThrottle),
      operator: { policy: o.policy, policySource: o.policySource, metrics, metricsToken: o.metricsToken, dashboard: o.dashboard ?? dashboardOf(o.gateway) },
    });
    const host = o.host ?? "127.0.0.1";
    const serverOptions = { ...SERVER_TIMEOUTS, ...o.timeouts };
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: host, port: o.port ?? 0, serverOptions }, () => resolve(s));
    });
    url = `http://${host}:${(server.address() as AddressInfo).port}`;
  }

  return {
    url,
    cases,
    checkpointer,
    worker,
    deps,
    metrics,
    tick: async () => {
      await scheduler?.tick();
    },
    async stop() {
      await scheduler?.stop();
      await answerSweep?.stop();
      await reconciler?.stop();
      await retention?.stop();
      await sender?.stop();
      await worker?.stop();
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      unmeterStripe();
    },
  };
}

/** The simulator (or another Stripe-compatible server) the gateway talks to gets the links; Stripe itself its test Dashboard. */
function dashboardOf(gateway: Gateway): DashboardTarget {
  const field = (k: string) => (gateway.stripe as unknown as { getApiField(k: string): unknown }).getApiField(k);
  const host = String(field("host") ?? "api.stripe.com");
  if (host === "api.stripe.com") return { kind: "stripe", livemode: false };
  return { kind: "simulator", baseUrl: `${String(field("protocol") ?? "https")}://${host}:${String(field("port") ?? 443)}` };
}
