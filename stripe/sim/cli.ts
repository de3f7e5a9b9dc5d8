// `npm run sim -- --port N [--seed FILE] [--webhook-url URL --webhook-secret SECRET] [--now UNIX]`: a standalone
// simulator on 127.0.0.1; prints a line containing `listening`.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createLogger } from "../../telemetry/log.js";
import { startSimulator } from "./index.js";

function fail(message: string): never {
  process.stderr.write(`sim: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "12111" },
    host: { type: "string", default: "127.0.0.1" },
    seed: { type: "string" },
    now: { type: "string" },
    "webhook-url": { type: "string" },
    "webhook-secret": { type: "string" },
  },
  strict: true,
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, not ${values.port}`);
if (Boolean(values["webhook-url"]) !== Boolean(values["webhook-secret"])) fail("--webhook-url and --webhook-secret go together");
let seed: Record<string, any> | undefined;
let now = values.now !== undefined ? Number(values.now) : undefined;
if (values.seed) {
  try {
    const json = JSON.parse(readFileSync(values.seed, "utf8"));
    // A whole scenario file or just its `stripe` block.
    seed = json.stripe ?? json;
    if (now === undefined && typeof json.now === "number") now = json.now;
  } catch (err) {
    fail(`cannot read --seed ${values.seed}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const logger = createLogger(process.env.LOG_LEVEL ?? "warn");
const sim = await startSimulator({
  port,
  host: values.host,
  now,
  seed,
  logger,
  webhook: values["webhook-url"] ? { url: values["webhook-url"], secret: values["webhook-secret"]! } : null,
}).catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));

process.stdout.write(`stripe simulator listening on ${sim.url} (clock ${sim.clock.now()}; control API at ${sim.url}/_sim/)\n`);
const shutdown = () => void sim.stop().then(() => process.exit(0));
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
