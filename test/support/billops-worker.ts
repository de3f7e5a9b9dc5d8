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
await startBillops({
  pool,
  schema: env("BILLOPS_SCHEMA"),
  gateway: createGateway({ secretKey: "sk_test_worker", baseUrl: env("SIM_URL"), maxNetworkRetries: 2 }),
  clock: manualClock(Number(env("BILLOPS_NOW"))),
  webhookSecret: "whsec_unused_by_workers",
  approverTokens: new Map(),
  policy: parsePolicyConfig({}),
  role: "worker",
  worker: { concurrency: 1, pollIntervalMs: 50, leaseSeconds: Number(env("EVENT_LEASE_SECONDS")) },
  schedulerIntervalMs: 3_600_000,
  logger,
});
process.stdout.write("worker ready\n");
