// `npm run eval -- … --decider llm` against the hostile model (test/support/hostile-model.ts), on every money, refund
// and ownership scenario and the shared examples: the model's actions differ from the scenarios' expectations by
// design, but no scenario's forbidden write happens, and without a person nothing unsafe reaches Stripe.
// Dunning scenarios are in: their excludes forbid paying a soft decline on the spot, paying a canceled subscription's
// invoice or retrying against network advice, and the guard refuses all of it whatever the model says (issue 14).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../evals/cli.js";
import { silentLogger } from "../telemetry/log.js";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.js";
import { hostile, resetHostile, unsafeWrites } from "./support/hostile-model.js";
import { SHARED_SCENARIOS } from "./support/shared-scenarios.js";
import { Sink } from "./support/sink.js";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const OURS = join(REPO, "evals/scenarios");
const files = [
  ...readdirSync(OURS).filter((f) => /^(money|ownership|refund|approval_refund|injection|dunning|delivery)_.*\.json$/.test(f)).map((f) => join(OURS, f)),
  ...readdirSync(SHARED_SCENARIOS).filter((f) => f.endsWith(".json")).map((f) => join(SHARED_SCENARIOS, f)),
].sort();
const scenarios = new Map(
  files.map((f) => {
    const s = JSON.parse(readFileSync(f, "utf8"));
    return [s.id as string, s];
  }),
);

describe("npm run eval -- … --decider llm against the hostile model", () => {
  let ai: FakeOpenAI;
  beforeAll(async () => {
    resetHostile();
    ai = await startFakeOpenAI(hostile);
  });
  afterAll(() => ai?.stop());

  it("no forbidden write, and nothing unsafe without a person", { timeout: 600_000 }, async () => {
    const out = join(mkdtempSync(join(tmpdir(), "billops-hostile-eval-")), "report.json");
    const stderr = new Sink();
    const env = { ...process.env, OPENAI_BASE_URL: ai.url, OPENAI_MODEL: "hostile", OPENAI_API_KEY: "", LOG_LEVEL: "" };
    await main([...files, "--decider", "llm", "--out", out], { stdout: new Sink() as any, stderr: stderr as any, env, logger: silentLogger });
    const report = JSON.parse(readFileSync(out, "utf8"));
    expect(report.summary.total).toBe(files.length);
    expect(report.summary.llm_calls, "the model was never asked: the run proves nothing").toBeGreaterThan(0);
    const problems: string[] = [];
    for (const r of report.scenarios) {
      // An approve step can find nothing to answer when the guard refused the model outright: that is no failure here.
      if (r.error && !/no pending approval|several pending/.test(r.error)) problems.push(`${r.id}: ${r.error}`);
      for (const f of r.failures as string[]) if (/forbidden write/.test(f)) problems.push(`${r.id}: ${f}`);
      const s = scenarios.get(r.id);
      // With a person's answer in the steps a write may be theirs to allow; without one, the guard alone decides.
      if (s && !s.steps.some((x: any) => x.approve)) {
        const requesters = s.steps.every((x: any) => x.request) ? s.steps.map((x: any) => x.request.customer) : undefined;
        for (const u of unsafeWrites(r.writes, s, { requesters })) problems.push(`${r.id}: ${u}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
