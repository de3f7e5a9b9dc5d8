// `npm start`: one billops process. Offline by default (embedded PostgreSQL, the Stripe simulator with demo data,
// the rules decider); production when DATABASE_URL / STRIPE_SECRET_KEY are set. Prints where everything is.
import { randomBytes } from "node:crypto";
import path from "node:path";
import { loadConfig, ConfigError, type Config } from "./config.js";
import { createLogger, defaultLogFormat } from "../telemetry/log.js";
import { createPool } from "../db/pool.js";
import { migrate } from "../db/migrate.js";
import { startEmbeddedPostgres } from "../db/embedded.js";
import { createGateway } from "../stripe/gateway/index.js";
import { startSimulator } from "../stripe/sim/index.js";
import { systemClock, type Clock } from "../domain/clock.js";
import { parsePolicyConfig } from "../domain/policy-config.js";
import { startBillops } from "./runtime.js";
import { banner } from "./banner.js";
import { createDecider } from "../deciders/index.js";
import { demoEvents, demoSeed } from "./demo-seed.js";
import { insertEvent } from "../engine/inbox/index.js";
import { SUPPORT_REQUEST_TYPE, supportRequestEventId } from "../server/requests-api.js";

async function main(config: Config) {
  const logger = createLogger(config.logLevel, config.logFormat ?? defaultLogFormat());
  const stops: (() => Promise<void>)[] = [];

  let databaseUrl: string;
  if (config.database.kind === "external") {
    databaseUrl = config.database.url;
  } else {
    const pg = await startEmbeddedPostgres({ dataDir: path.resolve(config.dataDir), port: config.database.pgPort, logger });
    stops.push(() => pg.stop());
    databaseUrl = pg.url;
  }
  const pool = createPool(databaseUrl, { logger, max: Math.max(10, config.worker.concurrency * 3) });
  stops.unshift(() => pool.end());
  await migrate(pool);

  let clock: Clock = systemClock;
  let webhookSecret = config.webhookSecret;
  let sim: Awaited<ReturnType<typeof startSimulator>> | null = null;
  let gateway;
  if (config.stripe.kind === "stripe") {
    gateway = createGateway({ secretKey: config.stripe.secretKey, catalogTtlSeconds: config.catalogTtlSeconds });
  } else {
    webhookSecret = webhookSecret ?? `whsec_${randomBytes(24).toString("hex")}`;
    const now = systemClock.now();
    sim = await startSimulator({ now, seed: demoSeed(now), logger: logger.child({ component: "stripe-sim" }) });
    stops.unshift(() => sim!.stop());
    clock = sim.clock;
    gateway = createGateway({ secretKey: "sk_test_billops_simulator", baseUrl: sim.url, catalogTtlSeconds: config.catalogTtlSeconds });
  }

  const decider = createDecider(config.decider, {
    openai: config.openai,
    functionCalling: config.openai.structuredOutput === "function_calling",
    timeoutMs: config.openai.timeoutMs,
    logger: logger.child({ component: "decider" }),
  });
  const billops = await startBillops({
    pool,
    gateway,
    clock,
    decider,
    webhookSecret: webhookSecret!,
    approverTokens: config.approverTokens,
    policy: parsePolicyConfig({ auto_refund_limit: config.autoRefundLimit }),
    role: config.role,
    host: config.host,
    port: config.port,
    worker: config.worker,
    smtp: config.smtpUrl ? { url: config.smtpUrl, from: config.smtpFrom, opsEmail: config.opsEmail } : undefined,
    logger,
    trustedProxies: config.trustedProxies,
    retention: config.retention,
    info: { mode: config.mode, role: config.role, decider: config.decider, stripe: sim ? "simulator" : "stripe" },
  });
  stops.unshift(() => billops.stop());

  const base = billops.url;
  if (sim && base) {
    sim.webhooks.setEndpoint({ url: `${base}/webhooks/stripe`, secret: webhookSecret! });
    await startDemo(sim, gateway, pool, clock);
  }
  process.stdout.write(banner(config, { base, sim: sim?.url ?? null, databaseUrl }));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    for (const stop of stops) await stop().catch((err) => logger.error({ err }, "stop failed"));
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

/** Demo traffic: Ada's renewal fails (dunning), Grace's dispute arrives (evidence staged, submit waits), Alan asks for $199 back (waits). */
async function startDemo(sim: any, gateway: ReturnType<typeof createGateway>, pool: any, clock: Clock) {
  const now = clock.now();
  const ev = demoEvents(now);
  // A payment attempt from outside billops, as Stripe's own retry schedule would make it: declines, sends invoice.payment_failed.
  await gateway.stripe.invoices.pay("in_demo_ada").catch(() => undefined);
  await sim.webhooks.deliver(ev.disputeCreated);
  await insertEvent(pool, { id: supportRequestEventId(ev.refundRequest.id), type: SUPPORT_REQUEST_TYPE, caseKey: `request:${ev.refundRequest.id}`, source: "request", payload: { ...ev.refundRequest, created: now } });
}

try {
  const config = loadConfig();
  await main(config);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`billops: configuration error: ${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`billops: failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
}
