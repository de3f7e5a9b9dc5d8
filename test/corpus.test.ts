// The labelled support-message corpus (evals/scenarios/corpus) through the real pipeline with the rules decider:
// every message from its own customer in one simulator and one billops (so the whole corpus runs in one pass), then
// per message what billops did by itself, what it left to a person and what that person was shown. Fails on any
// automatic action other than the labelled one, on any billing request dropped as "not billing", and when fewer
// than 70% of the messages whose right outcome is automatic were handled automatically.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forbiddenWrites, requestOf, type Corpus, type CorpusMessage } from "../evals/corpus.js";
import { matchesWrite, type WriteEntry } from "../evals/runner.js";
import { startStack, type Stack } from "./support/stack.js";
import { combinedSeed, loadCorpus, suffix } from "./support/corpus-worlds.js";

const corpus: Corpus = loadCorpus();

interface Observed {
  message: CorpusMessage;
  route: string | null;
  action: string | null;
  verdict: string | null;
  outcome: "automatic" | "person" | "record" | "none";
  writes: WriteEntry[];
  /** What a person was shown: the approval's description or the escalation mail. */
  shown: string;
}

describe("the support-message corpus with the rules decider", () => {
  let stack: Stack;
  const observed: Observed[] = [];

  beforeAll(async () => {
    const seed = combinedSeed(corpus.messages.map((m) => corpus.worlds[m.world]!));
    stack = await startStack({ now: corpus.now, seed });
    const requests = corpus.messages.map((m, n) => requestOf(corpus, m, (id) => `${id}${suffix(n)}`));
    for (let i = 0; i < requests.length; i += 25) {
      await Promise.all(requests.slice(i, i + 25).map(async (r) => expect((await stack.api("POST", "/requests", r)).status).toBe(202)));
    }
    await stack.quiet(240_000);

    const writes = stack.sim.log.writes().map((w: any) => ({ method: w.method, path: w.path, body: { ...(w.params ?? {}) } as Record<string, string> }));
    const notes = (await stack.api("GET", "/notifications?limit=1000")).body.data as { case_key?: string; caseKey?: string; template: string; body?: string; subject?: string }[];
    for (const [n, m] of corpus.messages.entries()) {
      const key = `request:${requestOf(corpus, m).id}`;
      const { values } = await stack.billops.cases.snapshot(key);
      const d = values.decisions?.at(-1)?.decision ?? values.decision ?? null;
      const guard = values.decisions?.at(-1)?.guard ?? values.guard ?? null;
      const pending = values.approval?.status === "pending";
      const own = new RegExp(`_W[A-Za-z0-9]*${suffix(n)}\\b`);
      const mine = writes.filter((w) => own.test(w.path) || Object.values(w.body).some((v) => own.test(String(v))));
      const route = values.route ?? null;
      const outcome: Observed["outcome"] =
        route === "ignore" ? "record" : !d ? "none" : pending || d.action === "escalate_to_support" || guard?.verdict === "downgraded" ? "person" : "automatic";
      const mail = notes.filter((x) => (x.caseKey ?? x.case_key) === key && x.template === "ops_escalation").map((x) => `${x.subject ?? ""}\n${x.body ?? ""}`).join("\n");
      observed.push({ message: m, route, action: d?.action ?? null, verdict: guard?.verdict ?? null, outcome, writes: mine, shown: `${values.approval?.request?.description ?? ""}\n${mail}` });
    }
  }, 600_000);

  afterAll(() => stack?.stop());

  it("has at least 200 messages, 20 in other languages and 30 negations or questions", () => {
    expect(corpus.messages.length).toBeGreaterThanOrEqual(200);
    expect(corpus.messages.filter((m) => m.lang !== "en").length).toBeGreaterThanOrEqual(20);
    expect(corpus.messages.filter((m) => m.kind === "negation" || m.kind === "question").length).toBeGreaterThanOrEqual(30);
  });

  it("takes no automatic action other than the labelled one, and writes nothing else to Stripe", () => {
    const wrong = observed.flatMap((o) => {
      const out: string[] = [];
      if (o.outcome === "automatic" && (o.message.outcome !== "automatic" || o.action !== o.message.action)) out.push(`${o.message.id} ${JSON.stringify(o.message.text)}: did ${o.action} by itself, labelled ${o.message.outcome} ${o.message.action ?? ""}`);
      const forbidden = forbiddenWrites(o.message.outcome === "automatic" ? o.message.action! : null);
      for (const w of o.writes) if (forbidden.some((f) => matchesWrite(f, w))) out.push(`${o.message.id} ${JSON.stringify(o.message.text)}: wrote ${w.method} ${w.path} ${JSON.stringify(w.body)}`);
      return out;
    });
    expect(wrong).toEqual([]);
  });

  it("drops no billing request: everything labelled automatic or person was decided on, nothing was only recorded", () => {
    const dropped = observed.filter((o) => o.message.outcome !== "record" && o.outcome !== "person" && o.outcome !== "automatic").map((o) => `${o.message.id} ${JSON.stringify(o.message.text)} → ${o.outcome} (route ${o.route})`);
    expect(dropped).toEqual([]);
  });

  it("hands every request it does not act on to a person with what it understood", () => {
    const silent = observed.filter((o) => o.outcome === "person" && !/as understood/.test(o.shown)).map((o) => `${o.message.id} ${JSON.stringify(o.message.text)} (${o.action})`);
    expect(silent).toEqual([]);
  });

  it("shows every ask of a message with several: none is dropped", () => {
    const multi = observed.filter((o) => o.message.kind === "multi");
    expect(multi.length).toBeGreaterThan(0);
    for (const o of multi) {
      expect(o.outcome, o.message.text).toBe("person");
      const lines = o.shown.split("\n").filter((l) => /^- (asked to|asked about)/.test(l));
      expect(lines.length, `${o.message.text}\n${o.shown}`).toBeGreaterThanOrEqual(2);
    }
  });

  it("handles at least 70% of the messages whose right outcome is automatic by itself, and records what is not billing", () => {
    const automatic = observed.filter((o) => o.message.outcome === "automatic");
    const done = automatic.filter((o) => o.outcome === "automatic" && o.action === o.message.action);
    const share = done.length / automatic.length;
    const records = observed.filter((o) => o.message.outcome === "record");
    const recorded = records.filter((o) => o.outcome === "record");
    const missed = automatic.filter((o) => !done.includes(o)).map((o) => `${o.message.id} ${JSON.stringify(o.message.text)} → ${o.outcome} ${o.action}`);
    const held = automatic.filter((o) => o.message.set === "holdout");
    const heldDone = held.filter((o) => done.includes(o));
    // The figures the README and docs/deciders.md report.
    process.stdout.write(
      `\ncorpus: ${observed.length} messages; automatic-labelled ${done.length}/${automatic.length} handled automatically (${(share * 100).toFixed(1)}%); ` +
        `not-billing recorded ${recorded.length}/${records.length}; to a person ${observed.filter((o) => o.outcome === "person").length}; ` +
        `held-out part: ${heldDone.length}/${held.length} automatic-labelled handled automatically\n` +
        (missed.length ? `went to a person instead: \n  ${missed.join("\n  ")}\n` : ""),
    );
    expect(share).toBeGreaterThanOrEqual(0.7);
    expect(recorded.length / records.length).toBeGreaterThanOrEqual(0.8);
  });
});
