// A whole billops for end-to-end tests: a fresh schema on the real PostgreSQL, a simulator on HTTP, billops on port 0.
import { randomBytes } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "./db.js";
import { startSimulator } from "../../stripe/sim/index.js";
import { createGateway, type Gateway } from "../../stripe/gateway/index.js";
import { parsePolicyConfig, type PolicyConfigInput } from "../../domain/policy-config.js";
import { startBillops, type Billops } from "../../app/runtime.js";
import { silentLogger } from "../../telemetry/log.js";
import { isIdle } from "../../engine/inbox/index.js";
import type { Decider } from "../../nodes/deps.js";

export const APPROVER_TOKEN = "test-approver-token-0123456789";
export const APPROVER = "ops-ann";

type Sim = Awaited<ReturnType<typeof startSimulator>>;

export interface Stack {
  db: TestDatabase;
  sim: Sim;
  gateway: Gateway;
  billops: Billops;
  webhookSecret: string;
  url: string;
  api(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: any }>;
  /** Waits until the inbox is drained and the simulator has delivered everything, twice in a row. */
  quiet(timeoutMs?: number): Promise<void>;
  /** Starts another billops on the same schema and simulator (a second process, in this one). */
  another(): Promise<Billops>;
  stop(): Promise<void>;
}

export async function startStack(opts: { now?: number; seed?: any; policy?: PolicyConfigInput; decider?: Decider; metricsToken?: string } = {}): Promise<Stack> {
  const db = await createTestDatabase();
  const webhookSecret = `whsec_${randomBytes(16).toString("hex")}`;
  const sim = await startSimulator({ now: opts.now ?? 1796300000, seed: opts.seed, logger: silentLogger });
  const gateway = createGateway({ secretKey: "sk_test_stack", baseUrl: sim.url, maxNetworkRetries: 2 });
  const extra: Billops[] = [];
  const start = () =>
    startBillops({
      pool: db.pool,
      schema: db.schema,
      gateway,
      clock: sim.clock,
      webhookSecret,
      approverTokens: new Map([[APPROVER_TOKEN, APPROVER]]),
      policy: parsePolicyConfig(opts.policy ?? {}),
      decider: opts.decider,
      metricsToken: opts.metricsToken,
      port: 0,
      logger: silentLogger,
      worker: { pollIntervalMs: 50, backoffBaseMs: 50 },
      schedulerIntervalMs: 3_600_000,
      // Tests send wrong tokens on purpose, many from one address; the brake on guessing has tests of its own.
      authThrottle: { maxFailures: 10_000 },
    });
  const billops = await start();
  const url = billops.url!;
  sim.webhooks.setEndpoint({ url: `${url}/webhooks/stripe`, secret: webhookSecret });

  const api: Stack["api"] = async (method, path, body, token = APPROVER_TOKEN) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed };
  };

  const quiet = async (timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    let calm = 0;
    while (calm < 2) {
      if (Date.now() > deadline) throw new Error("billops did not become quiet in time");
      await sim.webhooks.idle();
      calm = (await isIdle(db.pool)) ? calm + 1 : 0;
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  return {
    db,
    sim,
    gateway,
    billops,
    webhookSecret,
    url,
    api,
    quiet,
    async another() {
      const b = await start();
      extra.push(b);
      return b;
    },
    async stop() {
      for (const b of [billops, ...extra]) await b.stop().catch(() => undefined);
      await sim.stop();
      await db.close();
    },
  };
}
