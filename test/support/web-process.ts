// A web-only billops in its own OS process, so its memory can be measured alone: `tsx test/support/web-process.ts`
// with DATABASE_URL and BILLOPS_SCHEMA set. Prints "web ready <url>".
import { createPool } from "../../db/pool.js";
import { createGateway } from "../../stripe/gateway/index.js";
import { manualClock } from "../../domain/clock.js";
import { parsePolicyConfig } from "../../domain/policy-config.js";
import { startBillops } from "../../app/runtime.js";
import { createLogger } from "../../telemetry/log.js";

const schema = process.env.BILLOPS_SCHEMA!;
const logger = createLogger(process.env.LOG_LEVEL ?? "silent", "json");
const pool = createPool(process.env.DATABASE_URL!, { schema, logger });
const billops = await startBillops({
  pool,
  schema,
  gateway: createGateway({ secretKey: "sk_test_web", baseUrl: "http://127.0.0.1:9", maxNetworkRetries: 0 }),
  clock: manualClock(1_900_000_000),
  webhookSecret: "whsec_web_process",
  approverTokens: new Map([["web-process-token-0123456789", "ops-web"]]),
  policy: parsePolicyConfig({}),
  role: "web",
  port: 0,
  logger,
});
process.stdout.write(`web ready ${billops.url}\n`);
process.on("SIGTERM", () => void billops.stop().then(() => pool.end()).then(() => process.exit(0)));
