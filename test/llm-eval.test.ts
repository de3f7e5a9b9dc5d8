// `npm run eval -- … --decider llm` against an OpenAI-compatible server given by OPENAI_BASE_URL (our fake): the
// scenarios run on the model's decisions and the report counts its calls, tokens and share; without a key or URL, exit 2.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../evals/cli.js";
import { silentLogger } from "../telemetry/log.js";
import { block, outputName, startFakeOpenAI, type ChatRequest, type FakeOpenAI, type FakeReply } from "./support/fake-openai.js";
import { SHARED_SCENARIOS, sharedScenarioPath } from "./support/shared-scenarios.js";
import { Sink } from "./support/sink.js";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const SHARED = SHARED_SCENARIOS;

/** A model that agrees with the policy: it answers with the proposal (or keyword reading) the prompt shows it. */
function agreeing(req: ChatRequest): FakeReply {
  if (outputName(req) === "support_request_classification") {
    const k = block(req, "keyword_classification");
    return { kind: "answer", value: { route: k.route, intent: k.intent, target_plan: k.params.target_plan ?? null, amount: k.params.amount ?? null, charge: k.params.charge ?? null, subscription: k.params.subscription ?? null, ambiguous: k.ambiguous ?? null, rationale: "as the keywords say" } };
  }
  const p = block(req, "policy_proposal");
  return { kind: "answer", value: { action: p.action, params: p.params, rationale: p.rationale, confidence: 1 } };
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("npm", ["run", "--silent", "eval", "--", ...args], { cwd: REPO, env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("npm run eval -- … --decider llm", () => {
  let ai: FakeOpenAI;
  beforeAll(async () => {
    ai = await startFakeOpenAI(agreeing);
  });
  afterAll(() => ai?.stop());

  it("runs the scenarios on the model's decisions and reports calls, tokens and the model's share", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "billops-llm-eval-")), "report.json");
    const files = ["example_refund_small_goodwill.json", "example_subscription_upgrade_to_enterprise.json", "example_dunning_insufficient_funds_second_attempt.json"].map(sharedScenarioPath);
    const env = { ...process.env, OPENAI_BASE_URL: ai.url, OPENAI_MODEL: "fake-model", OPENAI_API_KEY: "", LOG_LEVEL: "" };
    const before = ai.requests.length;
    const r = await run([...files, "--decider", "llm", "--out", out], env);
    expect(r.stderr).not.toMatch(/eval: /);
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(out, "utf8"));
    expect(report.summary).toMatchObject({ total: 3, passed: 3, decider: "llm" });
    expect(report.summary.llm_calls).toBeGreaterThan(0);
    expect(report.summary.llm_tokens).toBeGreaterThan(0);
    expect(report.summary.llm_calls).toBe(ai.requests.length - before);
    expect(report.summary.model_share).toBe(1);
    for (const s of report.scenarios) for (const d of s.decisions) expect(d.source).toBe("llm");
    expect(r.stdout).toMatch(/LLM calls, \d+ tokens, model decided 100%/);
  });

  it("exits 2 with a clear message when neither OPENAI_API_KEY nor OPENAI_BASE_URL is set", async () => {
    const stdout = new Sink();
    const stderr = new Sink();
    const env = { ...process.env, OPENAI_API_KEY: "", OPENAI_BASE_URL: "" };
    for (const decider of ["llm", "hybrid"]) {
      const code = await main([join(SHARED, "example_refund_small_goodwill.json"), "--decider", decider], { stdout: stdout as any, stderr: stderr as any, env, logger: silentLogger });
      expect(code).toBe(2);
    }
    expect(stderr.text).toMatch(/decider "llm" is not available: set OPENAI_API_KEY .* or OPENAI_BASE_URL/);
    expect(stderr.text).toMatch(/decider "hybrid" is not available/);
  });
});
