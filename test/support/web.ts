// A web-only billops (HTTP, no worker) on a fresh schema, for tests of what the HTTP layer refuses. Its gateway points
// nowhere: the web role only verifies webhook signatures with it.
import { createTestDatabase, type TestDatabase } from "./db.js";
import { createGateway } from "../../stripe/gateway/index.js";
import { parsePolicyConfig } from "../../domain/policy-config.js";
import { manualClock } from "../../domain/clock.js";
import { startBillops, type BillopsOptions } from "../../app/runtime.js";
import { silentLogger, type Logger } from "../../telemetry/log.js";

export const WEB_TOKEN = "web-approver-token-0123456789";
export const WEB_SECRET = "whsec_web_test_secret";
export const WEB_NOW = 1_900_000_000;

export interface Web {
  db: TestDatabase;
  url: string;
  stop(): Promise<void>;
}

export async function startWeb(o: Partial<Pick<BillopsOptions, "trustedProxies" | "timeouts" | "authThrottle" | "role" | "worker" | "approverTokens">> & { logger?: Logger; db?: TestDatabase } = {}): Promise<Web> {
  const db = o.db ?? (await createTestDatabase());
  const billops = await startBillops({
    pool: db.pool,
    schema: db.schema,
    gateway: createGateway({ secretKey: "sk_test_web", baseUrl: "http://127.0.0.1:9", maxNetworkRetries: 0 }),
    clock: manualClock(WEB_NOW),
    webhookSecret: WEB_SECRET,
    approverTokens: o.approverTokens ?? new Map([[WEB_TOKEN, "ops-web"]]),
    policy: parsePolicyConfig({}),
    role: o.role ?? "web",
    worker: o.worker,
    port: 0,
    logger: o.logger ?? silentLogger,
    schedulerIntervalMs: 3_600_000,
    trustedProxies: o.trustedProxies,
    timeouts: o.timeouts,
    authThrottle: o.authThrottle,
  });
  return {
    db,
    url: billops.url!,
    async stop() {
      await billops.stop();
      if (!o.db) await db.close();
    },
  };
}
