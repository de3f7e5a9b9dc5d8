// A billops worker in its own OS process, for crash tests: `tsx test/support/billops-worker.ts` with
// DATABASE_URL, BILLOPS_SCHEMA, SIM_URL, BILLOPS_NOW and EVENT_LEASE_SECONDS in the environment.
// CRASH_AFTER_WRITES_TO=<channel>: SIGKILL right after LangGraph stored a task's writes to that state channel and
// before the checkpoint of its step (the window between saved writes and the next checkpoint).
import { createPool } from "../../db/pool.js";
import { createGateway } from "../../stripe/gateway/index.js";
import { manualClock } from "../../domain/clock.js";
import { parsePolicyConfig } from "../../domain/policy-config.js";
import { startBillops } from "../../app/runtime.js";
import { createLogger } from "../../telemetry/log.js";
import { BatchedPostgresSaver } from "../../graph/checkpointer.js";

const crashChannel = process.env.CRASH_AFTER_WRITES_TO;
if (crashChannel) {
  // LangGraph stores a task's writes as it finishes and the step's checkpoint after the step; the two may be in
  // flight together. The kill comes when the writes are stored and the checkpoint is about to be.
  const { putWrites, put } = BatchedPostgresSaver.prototype;
  let stored: Promise<void> | null = null;
  BatchedPostgresSaver.prototype.putWrites = function (this: BatchedPostgresSaver, ...args: Parameters<typeof putWrites>) {
    const saving = putWrites.apply(this, args);
    if (!stored && args[1].some(([channel]) => channel === crashChannel)) stored = saving;
    return saving;
  };
  BatchedPostgresSaver.prototype.put = async function (this: BatchedPostgresSaver, ...args: Parameters<typeof put>) {
    if (stored) {
      await stored;
      process.kill(process.pid, "SIGKILL");
    }
    return put.apply(this, args);
  };
}

const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};

const logger = createLogger(process.env.LOG_LEVEL ?? "silent");
const pool = createPool(env("DATABASE_URL"), { schema: env("BILLOPS_SCHEMA"), logger });
// BILLOPS_ROLE=web (with APPROVER_TOKEN): the web role instead, printing "web ready <url>"; AUTO_REFUND_LIMIT
// lowers the refund limit so refunds wait for a person.
const role = process.env.BILLOPS_ROLE === "web" ? "web" : "worker";
const billops = await startBillops({
  pool,
  schema: env("BILLOPS_SCHEMA"),
  gateway: createGateway({ secretKey: "sk_test_worker", baseUrl: env("SIM_URL"), maxNetworkRetries: 2 }),
  clock: manualClock(Number(env("BILLOPS_NOW"))),
  webhookSecret: "whsec_unused_by_workers",
  approverTokens: new Map(process.env.APPROVER_TOKEN ? [[process.env.APPROVER_TOKEN, "ops-child"]] : []),
  policy: parsePolicyConfig(process.env.AUTO_REFUND_LIMIT ? { auto_refund_limit: Number(process.env.AUTO_REFUND_LIMIT) } : {}),
  role,
  port: 0,
  worker: { concurrency: 1, pollIntervalMs: 50, leaseSeconds: Number(process.env.EVENT_LEASE_SECONDS ?? 60) },
  schedulerIntervalMs: 3_600_000,
  logger,
});
process.stdout.write(role === "web" ? `web ready ${billops.url}\n` : "worker ready\n");
