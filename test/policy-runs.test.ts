// A policy file changes what `npm run eval --policy` and `npm run replay --policy` decide: a refund limit lowered below
// the shared example's $15 refund turns an automatic refund into a question for a person. A bad file is refused (exit 2)
// naming the key.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../telemetry/log.js";
import { dropSchema } from "../db/pool.js";
import { main as evalMain } from "../evals/cli.js";
import { main as replayMain } from "../evals/replay-cli.js";
import { runScenario } from "../evals/runner.js";
import { parseScenario } from "../evals/scenario.js";
import { SHARED_SCENARIOS } from "./support/shared-scenarios.js";
import { TEST_DATABASE_URL } from "./support/db.js";
import { Sink } from "./support/sink.js";

const SCENARIO = join(SHARED_SCENARIOS, "example_refund_small_goodwill.json");
const dir = mkdtempSync(join(tmpdir(), "billops-policy-runs-"));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
// $15.00 is refunded on its own under the default $50 limit; under $10 it waits for a person.
const LOWER = write("lower.yaml", "# proposed: refunds above $10 need a person\nauto_refund_limit: 1000\n");
const BAD = write("bad.yaml", "auto_refund_limit: 1000\nrefund_window_day: 30\n");
const env = { DATABASE_URL: TEST_DATABASE_URL };

async function run(main: typeof evalMain, args: string[]) {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await main(args, { stdout: stdout as any, stderr: stderr as any, env, logger: silentLogger });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe("npm run eval --policy", () => {
  it("decides with the file's settings, under the scenario's own config", async () => {
    const before = join(dir, "before.json");
    expect((await run(evalMain, [SCENARIO, "--out", before])).code).toBe(0);
    expect(JSON.parse(readFileSync(before, "utf8")).scenarios[0].decisions[0]).toMatchObject({ action: "refund_full", approval: "none", guard: "ok" });

    const after = join(dir, "after.json");
    const changed = await run(evalMain, [SCENARIO, "--policy", LOWER, "--out", after]);
    expect(changed.code).toBe(1);
    const entry = JSON.parse(readFileSync(after, "utf8")).scenarios[0];
    expect(entry.decisions[0]).toMatchObject({ action: "refund_full", approval: "pending", guard: "needs_approval" });
    expect(entry.failures.join("; ")).toMatch(/approval requested/);
    expect(entry.writes.filter((w: any) => w.path === "/v1/refunds")).toEqual([]);
  });

  it("refuses a bad file naming the key", async () => {
    const r = await run(evalMain, [SCENARIO, "--policy", BAD]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`eval: bad --policy ${BAD}: refund_window_day: unknown setting (did you mean refund_window_days?)`);
  });
});

describe("npm run replay --policy", () => {
  const schema = `pr_${randomBytes(5).toString("hex")}`;
  afterAll(() => dropSchema(TEST_DATABASE_URL, schema));

  it("re-decides last month's refund under the proposed limit", async () => {
    const { entry } = await runScenario(parseScenario(readFileSync(SCENARIO, "utf8"), SCENARIO), { logger: silentLogger, keepSchema: schema, databaseUrl: TEST_DATABASE_URL });
    expect(entry.error).toBeNull();

    const same = join(dir, "same.json");
    expect((await run(replayMain, ["--schema", schema, "--out", same])).code).toBe(0);
    expect(JSON.parse(readFileSync(same, "utf8")).summary.guardVerdictChanges).toBe(0);

    const proposed = join(dir, "proposed.json");
    const r = await run(replayMain, ["--schema", schema, "--policy", LOWER, "--out", proposed]);
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(proposed, "utf8"));
    expect(report.summary.guardVerdictChanges).toBe(1);
    const refund = report.decisions.find((d: any) => d.recorded.action === "refund_full");
    expect(refund.recorded.guard).toBe("ok");
    expect(refund.replayed.guard).toBe("needs_approval");

    const bad = await run(replayMain, ["--schema", schema, "--policy", BAD]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("refund_window_day: unknown setting");
  });
});
