// One scheduler pass in its own OS process, for the scheduler crash test: `tsx test/support/scheduler-process.ts`
// with DATABASE_URL, BILLOPS_SCHEMA, BILLOPS_NOW and CRASH_AFTER_EVENTS (see crash-hook.ts). Prints "pass done" if
// it lives through the pass.
import { createPool } from "../../db/pool.js";
import { manualClock } from "../../domain/clock.js";
import { runDueWork } from "../../engine/scheduler.js";
import { silentLogger } from "../../telemetry/log.js";
import { crashAfterStoredEvents } from "./crash-hook.js";

crashAfterStoredEvents(Number(process.env.CRASH_AFTER_EVENTS ?? Infinity));
const pool = createPool(process.env.DATABASE_URL!, { schema: process.env.BILLOPS_SCHEMA!, logger: silentLogger });
const r = await runDueWork(pool, manualClock(Number(process.env.BILLOPS_NOW)));
process.stdout.write(`pass done ${r.fired}\n`);
await pool.end();
