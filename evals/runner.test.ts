// The eval runner on the real pipeline: the shared example scenarios pass, wrong expectations fail readably,
// approvals are answered through the API, malformed files name file and field, and the CLI's exit codes hold.
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { silentLogger } from "../telemetry/log.js";
import { parseScenario, ScenarioFileError, type Scenario } from "./scenario.js";
import { checkExpect, runScenario } from "./runner.js";
import { main } from "./cli.js";
import { SHARED_SCENARIOS } from "../test/support/shared-scenarios.js";
import { Sink } from "../test/support/sink.js";

const SHARED = SHARED_SCENARIOS;
const REPO = fileURLToPath(new URL("../", import.meta.url));
const PUBLIC = fileURLToPath(new URL("./scenarios/", import.meta.url));
const publicFiles = existsSync(PUBLIC) ? readdirSync(PUBLIC).filter((f) => f.endsWith(".json")).sort() : [];
const sharedFiles = existsSync(SHARED) ? readdirSync(SHARED).filter((f) => f.endsWith(".json")).sort() : [];

const load = (file: string): Scenario => parseScenario(readFileSync(join(SHARED, file), "utf8"), file);
const refundExample = () => load("example_refund_small_goodwill.json");
const run = (s: Scenario) => runScenario(s, { logger: silentLogger, timeoutMs: 20_000 });


async function cli(args: string[]) {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await main(args, { stdout: stdout as any, stderr: stderr as any, env: process.env, logger: silentLogger });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

function tempDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "billops-eval-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
  return dir;
}

describe("the shared example scenarios", () => {
  it("are there to run", () => {
    expect(sharedFiles.length, `no scenario files in ${SHARED} (set SHARED_SCENARIOS)`).toBeGreaterThan(0);
  });
  for (const file of sharedFiles) {
    it(`${file} passes end to end`, async () => {
      const { entry } = await run(load(file));
      expect(entry.error).toBeNull();
      expect(entry.failures).toEqual([]);
      expect(entry.passed).toBe(true);
      expect(entry.route).toBe(load(file).expect?.route);
      expect(entry.decisions.length).toBeGreaterThan(0);
    });
  }
});

describe("the public scenario set in evals/scenarios", () => {
  // How long the set takes is measured by `npm run eval` (its summary's duration_ms), never asserted in a test:
  // the machine is shared and timings are noise here.
  for (const file of publicFiles) {
    it(`${file} passes end to end`, async () => {
      const { entry } = await run(parseScenario(readFileSync(join(PUBLIC, file), "utf8"), `evals/scenarios/${file}`));
      expect(entry.error).toBeNull();
      expect(entry.failures).toEqual([]);
      // The report says which decision action_in checked, and what each decision was about.
      expect(entry.decisions.filter((d) => d.final)).toHaveLength(entry.decisions.length > 0 ? 1 : 0);
      for (const d of entry.decisions) expect(["stripe", "request", "schedule"]).toContain(d.trigger.source);
      if (entry.decisions.some((d) => d.final)) expect(entry.decisions.find((d) => d.final)!.trigger.echo).toBe(entry.decisions.every((d) => d.trigger.echo || d.trigger.source === "schedule"));
    });
  }
});

describe("a scenario with a wrong expectation", () => {
  it("fails with readable failures and still reports what happened", async () => {
    const s = refundExample();
    s.expect = {
      route: "dispute",
      action_in: ["deny_refund"],
      approval_requested: true,
      notified: false,
      writes: {
        include: [{ method: "POST", path: "^/v1/refunds$", count: 2 }, { path: "^/v1/refunds$", body: { amount: 999 } }],
        exclude: [{ method: "POST", path: "^/v1/refunds$" }],
      },
    };
    const { entry } = await run(s);
    expect(entry.passed).toBe(false);
    expect(entry.error).toBeNull();
    expect(entry.failures).toEqual([
      "route refund, expected dispute",
      "action refund_full not in [deny_refund]",
      "no approval requested, expected one",
      "1 write match POST ^/v1/refunds$, expected exactly 2",
      expect.stringMatching(/^no write matches any method \^\/v1\/refunds\$ with amount=999 \(closest: POST \/v1\/refunds with .*amount=1500/),
      "forbidden write POST /v1/refunds (matches exclude POST ^/v1/refunds$)",
      "customer notified (refund_issued to grace.h@example.com), expected no notification",
    ]);
    // The report shows the run as it happened, in SCENARIOS.md's shape.
    expect(entry.decisions).toEqual([{ action: "refund_full", source: "rules", approval: "none", guard: "ok", trigger: { id: expect.any(String), source: "request", echo: false }, final: true }]);
    expect(entry.writes).toHaveLength(1);
    expect(entry.writes[0]).toMatchObject({ method: "POST", path: "/v1/refunds", body: { amount: "1500", charge: "ch_X00000z" } });
    expect(entry.notifications).toEqual([{ template: "refund_issued", to: "grace.h@example.com" }]);
  });
});

describe("approve steps go through the approval API", () => {
  it("accept: the refund above the limit waits, then runs once", async () => {
    const s = refundExample();
    s.config = { auto_refund_limit: 1000 };
    s.steps.push({ approve: { type: "accept" } });
    s.expect = { approval_requested: true, action_in: ["refund_full"], writes: { include: [{ method: "POST", path: "^/v1/refunds$", count: 1, body: { amount: 1500 } }] } };
    const { entry } = await run(s);
    expect(entry.failures).toEqual([]);
    expect(entry.passed).toBe(true);
    expect(entry.decisions).toEqual([expect.objectContaining({ action: "refund_full", approval: "accepted" })]);
  });

  it("without a pending approval the scenario errors and names the step", async () => {
    const s = refundExample();
    s.steps.push({ approve: { type: "accept" } });
    const { entry } = await run(s);
    expect(entry.passed).toBe(false);
    expect(entry.error).toBe("steps[1] (approve): no pending approval to accept");
    // The refund itself still happened and is reported.
    expect(entry.writes.map((w) => w.path)).toEqual(["/v1/refunds"]);
  });

  it("a pending approval left unanswered is reported as pending", async () => {
    const s = refundExample();
    s.config = { auto_refund_limit: 1000 };
    s.expect = { approval_requested: true, writes: { exclude: [{ path: "^/v1/refunds" }] } };
    const { entry } = await run(s);
    expect(entry.failures).toEqual([]);
    expect(entry.decisions).toEqual([{ action: "refund_full", source: "rules", approval: "pending", guard: "needs_approval", trigger: { id: expect.any(String), source: "request", echo: false }, final: true }]);
  });

  // One scenario for the refusal cases: the approval API's 422 and 409 are results the scenario lists, or failures.
  const refusedEdit = () => {
    const s = refundExample();
    s.config = { auto_refund_limit: 1000 };
    // Step 1 is refused by the guard (more than the charge), step 2 corrects it (text, as Agent Inbox sends), step 3
    // answers an approval that is already answered.
    s.steps.push({ approve: { type: "edit", action: "refund_partial", args: { amount: 999999 } } }, { approve: { type: "edit", action: "refund_partial", args: { amount: "600" } } });
    return s;
  };

  it("a refused answer listed in expect.answers is a result: recorded with status and code, the scenario goes on", async () => {
    const s = refusedEdit();
    s.expect = { answers: [{ step: 1, status: 422, code: "guard_refused" }, { step: 2, status: 200 }], action_in: ["refund_partial"], writes: { include: [{ method: "POST", path: "^/v1/refunds$", count: 1, body: { amount: 600 } }] } };
    const { entry } = await run(s);
    expect(entry.error).toBeNull();
    expect(entry.failures).toEqual([]);
    expect(entry.answers).toEqual([
      { step: 1, type: "edit", status: 422, code: "guard_refused" },
      { step: 2, type: "edit", status: 200, code: null },
    ]);
    expect(entry.decisions.filter((d) => d.final)).toHaveLength(1);
    expect(entry.decisions.find((d) => d.final)).toMatchObject({ action: "refund_partial", approval: "edited" });
  });

  it("a refused answer nobody listed fails the scenario, and a listed status that did not happen fails it too", async () => {
    const s = refusedEdit();
    s.expect = { answers: [{ step: 2, status: 422 }] };
    const { entry } = await run(s);
    expect(entry.error).toBeNull();
    expect(entry.passed).toBe(false);
    expect(entry.failures).toEqual([
      "steps[2] (edit) answered 200, expected 422",
      "steps[1] (edit) was refused: 422 guard_refused (list it in expect.answers if that is the point)",
    ]);
  });
});

describe("advance and unrouted events", () => {
  it("advance moves the clock and lets due work run (Stripe's own retry pays the invoice)", async () => {
    const s = load("example_dunning_insufficient_funds_second_attempt.json");
    s.steps.push({ advance: 4 * 86400 });
    s.expect = {};
    const { entry } = await run(s);
    expect(entry.error).toBeNull();
    expect(entry.decisions[0]).toMatchObject({ action: "schedule_retry" });
    // The paid invoice came back as webhooks signed at the new time and ran on the same case.
    expect(entry.decisions.length).toBeGreaterThan(1);
  });

  it("an event type outside the routing table is route ignore", async () => {
    const s = refundExample();
    const customer = { id: "cus_X00000w", object: "customer", email: "grace.h@example.com" };
    s.steps = [{ event: { id: "evt_ign", object: "event", type: "customer.updated", created: s.now, data: { object: customer } } }];
    s.expect = { route: "ignore", approval_requested: false, writes: { exclude: [{ path: "." }] }, notified: false };
    const { entry } = await run(s);
    expect(entry.error).toBeNull();
    expect(entry.failures).toEqual([]);
    expect(entry.route).toBe("ignore");
  });
});

describe("checkExpect", () => {
  const observed = {
    route: "refund",
    action: "refund_full",
    approvals: [],
    writes: [{ method: "POST", path: "/v1/refunds", body: { amount: "1500", "metadata[case]": "x" } }],
    notifications: [{ template: "ops_approval_overdue", to: null }],
  };
  it("compares body values as strings and counts exactly", () => {
    expect(checkExpect({ writes: { include: [{ path: "^/v1/refunds$", body: { amount: 1500, "metadata[case]": "x" }, count: 1 }] } }, observed)).toEqual([]);
    expect(checkExpect({ writes: { include: [{ path: "^/v1/refunds$", count: 0 }] } }, observed)).toEqual(["1 write match any method ^/v1/refunds$, expected exactly 0"]);
  });
  it("does not count operations alerts as customer notifications", () => {
    expect(checkExpect({ notified: false }, observed)).toEqual([]);
    expect(checkExpect({ notified: true }, observed)).toEqual(["no customer notification, expected one"]);
  });
  it("reports a missing decision", () => {
    expect(checkExpect({ action_in: ["refund_full"] }, { ...observed, action: null })).toEqual(["action (no decision) not in [refund_full]"]);
  });
});

describe("malformed scenario files", () => {
  const base = { id: "x", now: 1796300000, steps: [{ request: { customer: "cus_1", message: "hi" } }] };
  const problem = (text: string) => {
    try {
      parseScenario(text, "evals/x.json");
    } catch (err) {
      expect(err).toBeInstanceOf(ScenarioFileError);
      return (err as Error).message;
    }
    throw new Error("parsed a malformed file");
  };

  it("bad JSON names the file", () => {
    expect(problem("{ not json")).toMatch(/^evals\/x\.json: not valid JSON: /);
  });
  it("missing steps names the field", () => {
    expect(problem(JSON.stringify({ id: "x", now: 1 }))).toBe("evals/x.json: steps: required (expected array)");
  });
  it("an unknown step type names the step", () => {
    expect(problem(JSON.stringify({ ...base, steps: [...base.steps, { wait: 3 }] }))).toBe(
      "evals/x.json: steps[1].wait: unknown step type (expected one of event|request|approve|advance)",
    );
  });
  it("a bad approve.type names the field and the choices", () => {
    expect(problem(JSON.stringify({ ...base, steps: [...base.steps, {}, { approve: { type: "yes" } }] }))).toContain(
      'evals/x.json: steps[2].approve.type: expected one of accept|edit|response|ignore, got "yes"',
    );
  });
  it("bad config, expect and event fields are named too", () => {
    const msg = problem(
      JSON.stringify({
        ...base,
        config: { auto_refund_limt: 1 },
        steps: [{ event: { id: "evt_1", type: "invoice.paid", created: 1, data: {} } }],
        expect: { route: "billing", writes: { include: [{ path: "(" }] } },
      }),
    );
    expect(msg).toContain('evals/x.json: config.auto_refund_limt: unknown key');
    expect(msg).toContain("evals/x.json: steps[0].event.data.object: required (expected object)");
    expect(msg).toContain("evals/x.json: expect.route: expected one of dunning|subscription|dispute|refund|ignore");
    expect(msg).toContain("evals/x.json: expect.writes.include[0].path: not a regular expression");
  });
  it("extra keys inside Stripe objects are Stripe's and are kept", () => {
    const s = parseScenario(JSON.stringify({ ...base, stripe: { customers: [{ id: "cus_1", shiny_new_field: { a: 1 } }] } }), "f.json");
    expect(s.stripe?.customers?.[0]).toEqual({ id: "cus_1", shiny_new_field: { a: 1 } });
  });
});

describe("the CLI", () => {
  it("exits 2 for a bad file and names file and field", async () => {
    const dir = tempDir({ "bad.json": { id: "x", now: 1, steps: [{ approve: { type: "maybe" } }] } });
    const r = await cli([dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, "bad.json")}: steps[0].approve.type: expected one of accept|edit|response|ignore`);
  });

  it("exits 2 for bad arguments and for an unavailable decider", async () => {
    expect((await cli([])).code).toBe(2);
    expect((await cli(["--decider", "magic", SHARED])).code).toBe(2);
    expect((await cli(["--frobnicate", SHARED])).code).toBe(2);
    expect((await cli(["/no/such/file.json"])).stderr).toContain("/no/such/file.json: no such file or folder");
    const llm = await cli(["--decider", "llm", SHARED]);
    expect(llm.code).toBe(2);
    expect(llm.stderr).toContain('decider "llm" is not available');
  });

  it("exits 1 when a scenario fails, writes the JSON report and prints the table", async () => {
    const failing = refundExample();
    failing.id = "cli/failing";
    failing.expect = { action_in: ["deny_refund"] };
    const dir = tempDir({ "failing.json": failing });
    const out = join(dir, "report.json");
    const r = await cli([dir, "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL\s+cli\/failing\s+refund\s+refund_full/);
    expect(r.stdout).toContain("- action refund_full not in [deny_refund]");
    expect(r.stdout).toMatch(/0\/1 passed, 1 failed \(decider rules\) in \d+\.\d s/);
    expect(r.stderr).toContain("[1/1] FAIL cli/failing");
    const report = JSON.parse(readFileSync(out, "utf8"));
    expect(report.summary).toMatchObject({ total: 1, passed: 0, failed: 1, decider: "rules", llm_calls: 0, llm_tokens: 0 });
    expect(report.scenarios[0]).toMatchObject({ id: "cli/failing", passed: false, failures: ["action refund_full not in [deny_refund]"], error: null });
  });

  it("runs as a process: exit 2 for a bad file", async () => {
    const dir = tempDir({ "broken.json": "{ nope" });
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile("npx", ["tsx", "evals/cli.ts", dir], { cwd: REPO }, (err, _stdout, stderr) => resolve({ code: err ? ((err as any).code ?? null) : 0, stderr }));
    });
    expect(code).toBe(2);
    expect(stderr).toContain(`${join(dir, "broken.json")}: not valid JSON`);
  });
});
