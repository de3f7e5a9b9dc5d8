// The corpus format: a labelled message becomes a scenario that fails on any Stripe write its label does not allow;
// a malformed corpus names the file and the field; the loader expands corpus files among scenario files.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { silentLogger } from "../telemetry/log.js";
import { forbiddenWrites } from "./corpus.js";
import { runScenario } from "./runner.js";
import { loadScenarios, parseCorpus, ScenarioLoadError, scenariosOfCorpus } from "./scenario.js";

const FILE = fileURLToPath(new URL("./scenarios/corpus/support_requests.corpus.json", import.meta.url));
const text = readFileSync(FILE, "utf8");

function tempCorpus(edit: (c: any) => void): string {
  const c = JSON.parse(text);
  edit(c);
  const dir = mkdtempSync(join(tmpdir(), "billops-corpus-"));
  const file = join(dir, "x.corpus.json");
  writeFileSync(file, JSON.stringify(c));
  return file;
}

describe("corpus files", () => {
  it("expand into one scenario a message, each with its own world and request", async () => {
    const corpus = parseCorpus(text, FILE);
    const loaded = await loadScenarios([FILE]);
    expect(loaded).toHaveLength(corpus.messages.length);
    const first = loaded[0]!.scenario;
    expect(first.id).toBe(`corpus/${corpus.messages[0]!.id}`);
    expect(first.steps).toEqual([{ request: { id: `req_${corpus.messages[0]!.id.replace(/-/g, "_")}`, customer: "cus_W", message: corpus.messages[0]!.text } }]);
    expect(first.stripe).toEqual(corpus.worlds[corpus.messages[0]!.world]);
  });

  it("name the file and the field of a bad label", async () => {
    const typo = tempCorpus((c) => void (c.messages[3].outcome = "maybe"));
    const e1 = await loadScenarios([typo]).catch((e) => e);
    expect(e1).toBeInstanceOf(ScenarioLoadError);
    expect(e1.message).toContain(`${typo}: messages[3].outcome: expected one of automatic|person|record`);
    const file = tempCorpus((c) => {
      c.messages[5].world = "atlantis";
      delete c.messages[0].action;
    });
    const err = await loadScenarios([file]).catch((e) => e);
    expect(err.message).toContain(`${file}: messages[5].world: no world "atlantis"`);
    expect(err.message).toContain(`${file}: messages[0].action: an automatic outcome names its action`);
  });

  it("allow an automatic message only its own action's writes, a person's message none", () => {
    const paths = (m: ReturnType<typeof forbiddenWrites>) => m.map((w) => `${w.method} ${w.path} ${JSON.stringify(w.body ?? {})}`);
    expect(paths(forbiddenWrites("cancel_at_period_end"))).not.toContainEqual(expect.stringContaining('"cancel_at_period_end":"true"'));
    expect(paths(forbiddenWrites("cancel_at_period_end"))).toContainEqual(expect.stringContaining("DELETE ^/v1/subscriptions/"));
    expect(paths(forbiddenWrites("refund_partial"))).not.toContainEqual(expect.stringContaining("/v1/refunds"));
    expect(forbiddenWrites(null).length).toBe(forbiddenWrites("no_change").length);
    expect(forbiddenWrites(null).length).toBeGreaterThan(forbiddenWrites("upgrade").length);
  });

  it("a message billops acts on against its label fails its scenario; labelled right, it passes", async () => {
    const corpus = parseCorpus(text, FILE);
    const cancel = corpus.messages.find((m) => m.text === "Please cancel my subscription." && m.outcome === "automatic")!;
    const right = scenariosOfCorpus({ ...corpus, messages: [cancel] })[0]!;
    const wrong = scenariosOfCorpus({ ...corpus, messages: [{ ...cancel, outcome: "person", action: undefined }] })[0]!;
    const [ok, bad] = await Promise.all([right, wrong].map((s) => runScenario(s, { logger: silentLogger, timeoutMs: 20_000 })));
    expect(ok!.entry.failures).toEqual([]);
    expect(ok!.entry.passed).toBe(true);
    expect(bad!.entry.passed).toBe(false);
    expect(bad!.entry.failures.join("\n")).toMatch(/forbidden write POST \/v1\/subscriptions\/sub_W/);
  });
});
