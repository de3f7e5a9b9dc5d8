// `npm start`: one billops process. Offline by default (embedded PostgreSQL, the Stripe simulator with demo data,
// the rules decider); production when DATABASE_URL / STRIPE_SECRET_KEY are set. Prints where everything is.
import { randomBytes } from "node:crypto";
import path from "node:path";
import { loadConfig, ConfigError, type Config } from "./config.js";
import { createLogger, defaultLogFormat } from "../telemetry/log.js";
import { redactUrl } from "../telemetry/redact.js";
import { createPool } from "../db/pool.js";
import { migrate } from "../db/migrate.js";
import { startEmbeddedPostgres } from "../db/embedded.js";
import { createGateway } from "../stripe/gateway/index.js";
import { startSimulator } from "../stripe/sim/index.js";
import { systemClock, type Clock } from "../domain/clock.js";
import { startBillops } from "./runtime.js";
import { banner } from "./banner.js";
import { endpointClock } from "./endpoint-clock.js";
import { createDecider } from "../deciders/index.js";
import { demoSeed, runDemo } from "./demo-seed.js";

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
  // The checkpoint tables go where the migrations went: DATABASE_URL may choose a schema (options=-c search_path=…).
  const { schema } = await migrate(pool);

  let clock: Clock = systemClock;
  let webhookSecret = config.webhookSecret;
  let sim: Awaited<ReturnType<typeof startSimulator>> | null = null;
  let gateway;
  if (config.stripe.kind === "stripe") {
    gateway = createGateway({ secretKey: config.stripe.secretKey, catalogTtlSeconds: config.catalogTtlSeconds });
  } else if (config.stripe.kind === "endpoint") {
    // One Stripe for every process (split web/worker offline): its data, its events, and — a simulator — its clock.
    const c = await endpointClock(config.stripe.baseUrl, logger);
    stops.push(async () => c.stop());
    clock = c;
    gateway = createGateway({ secretKey: config.stripe.secretKey, baseUrl: config.stripe.baseUrl, catalogTtlSeconds: config.catalogTtlSeconds });
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
    schema,
    gateway,
    clock,
    decider,
    webhookSecret: webhookSecret!,
    approverTokens: config.approverTokens,
    policy: config.policy,
    policySource: config.policySource,
    metricsToken: config.metricsToken,
    processMetrics: true,
    dashboard: sim ? { kind: "simulator", baseUrl: sim.url } : { kind: "stripe", livemode: config.stripe.kind === "stripe" && /^(sk|rk)_live_/.test(config.stripe.secretKey) },
    role: config.role,
    host: config.host,
    port: config.port,
    worker: config.worker,
    smtp: config.smtpUrl ? { url: config.smtpUrl, from: config.smtpFrom, opsEmail: config.opsEmail } : undefined,
    logger,
    trustedProxies: config.trustedProxies,
    retention: config.retention,
    reconcileIntervalMs: config.reconcileIntervalSeconds ? config.reconcileIntervalSeconds * 1000 : undefined,
    info: { mode: config.mode, role: config.role, decider: config.decider, stripe: sim ? "simulator" : config.stripe.kind === "endpoint" ? redactUrl(config.stripe.baseUrl) : "stripe" },
  });
  stops.unshift(() => billops.stop());

  const base = billops.url;
  if (sim && base) {
    sim.webhooks.setEndpoint({ url: `${base}/webhooks/stripe`, secret: webhookSecret! });
    await runDemo({ sim, stripe: gateway.stripe, pool, clock });
  }
  process.stdout.write(banner(config, { base, sim: sim?.url ?? (config.stripe.kind === "endpoint" ? config.stripe.baseUrl : null), databaseUrl }));

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
