// Logs a person can read at a terminal, JSON lines everywhere else: `npm start` in a terminal and in a container.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { defaultLogFormat } from "./log.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

it("picks LOG_FORMAT when set, else pretty at a terminal and JSON elsewhere", () => {
  expect(defaultLogFormat({}, true)).toBe("pretty");
  expect(defaultLogFormat({}, false)).toBe("json");
  expect(defaultLogFormat({ LOG_FORMAT: "json" }, true)).toBe("json");
  expect(defaultLogFormat({ LOG_FORMAT: "pretty" }, false)).toBe("pretty");
});

const logLine = (format: string) => {
  const script = `import { createLogger } from "./telemetry/log.ts"; createLogger("info", "${format}").child({ case: "invoice:in_1" }).info({ event_id: "evt_1" }, "retry scheduled");`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
};

it("pretty lines carry the message and the case, and are not JSON; json lines are", () => {
  const pretty = logLine("pretty");
  expect(pretty).toContain("retry scheduled");
  expect(pretty).toContain("invoice:in_1");
  expect(() => JSON.parse(pretty)).toThrow();
  const json = JSON.parse(logLine("json"));
  expect(json).toMatchObject({ msg: "retry scheduled", case: "invoice:in_1", event_id: "evt_1", level: 30 });
});
