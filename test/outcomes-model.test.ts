// Model calls and tokens per day in llm mode, against the local OpenAI-compatible fake: every request the fake answered
// is a call in GET /outcomes and in /metrics (classifications included, with the server's token counts), and a bad
// answer the rules replaced is a fallback on its day.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { startStack, APPROVER_TOKEN, type Stack } from "./support/stack.js";
import { startFakeOpenAI, outputName, USAGE, type FakeOpenAI } from "./support/fake-openai.js";
import { T0, operatorSeed } from "./support/operator-batch.js";
import { createChatModel } from "../deciders/index.js";
import { createLlmDecider } from "../deciders/llm.js";
import { createRulesDecider } from "../deciders/rules.js";
import { DOMAIN_SPECS } from "../nodes/domains.js";
import { silentLogger } from "../telemetry/log.js";

const DAY = 86400;
let ai: FakeOpenAI;
let stack: Stack;

beforeAll(async () => {
  ai = await startFakeOpenAI();
  const decider = createLlmDecider({
    model: createChatModel({ openai: { baseUrl: ai.url, model: "fake-model" }, timeoutMs: 2000 }),
    rules: createRulesDecider(DOMAIN_SPECS),
    timeoutMs: 2000,
    maxRetries: 0,
    retryBaseMs: 5,
    logger: silentLogger,
  });
  stack = await startStack({ now: T0, seed: operatorSeed(), decider });
});
afterAll(async () => {
  await stack?.stop();
  await ai?.stop();
});

// Good answers: a refund for the request's charge; for the demo's failing invoice (Stripe retries it as the clock
// moves), nothing to do while Stripe's own schedule runs.
const good = (charge: string, amount: number) => (req: any) =>
  outputName(req) === "support_request_classification"
    ? ({ kind: "answer", value: { route: "refund", intent: "refund", rationale: "wants the money back" } } as const)
    : outputName(req) === "dunning_decision"
      ? ({ kind: "answer", value: { action: "no_action", params: { reason: "Stripe retries on its own schedule" }, rationale: "Stripe retries soon", confidence: 0.9 } } as const)
      : ({ kind: "answer", value: { action: "refund_full", params: { charge, amount, reason: "requested_by_customer" }, rationale: "bought by mistake", confidence: 0.95 } } as const);

async function ask(id: string, x: string) {
  const res = await stack.api("POST", "/requests", { id, customer: `cus_ops_${x}`, charge: `ch_ops_${x}`, message: "I bought this by mistake yesterday, please refund it." });
  expect(res.status).toBe(202);
  await stack.quiet();
}

describe("model calls and tokens per day", () => {
  it("counts every call the model server answered, on the day it was made, and the fallbacks", async () => {
    ai.script(good("ch_ops_e", 1500));
    await ask("req_llm_e", "e");
    // The model answers the refund decision with broken JSON: the rules decide, the call still counts.
    ai.script((req) => (outputName(req) === "support_request_classification" ? good("ch_ops_g", 3000)(req) : { kind: "raw", text: "{not json" }));
    await ask("req_llm_g", "g");
    const firstDay = ai.requests.length;
    expect(firstDay).toBe(4);

    await stack.sim.clock.advance(DAY);
    ai.script(good("ch_ops_h", 9800));
    await ask("req_llm_h", "h");
    const secondDay = ai.requests.length - firstDay;

    // The call whose answer did not parse reaches the decider without its usage (LangChain throws before the raw
    // message is returned), so its tokens are not known to billops: the server billed 150 more than is counted here.
    const lost = USAGE.total_tokens;
    const figures = (await stack.api("GET", "/outcomes?days=7")).body;
    const day = (t: number) => figures.model.daily.find((d: any) => d.day === Math.floor(t / DAY) * DAY);
    expect(day(T0)).toMatchObject({ calls: firstDay, tokens: firstDay * USAGE.total_tokens - lost, fallbacks: 1, day_text: "Nov 26, 2026" });
    expect(day(T0 + DAY)).toMatchObject({ calls: secondDay, tokens: secondDay * USAGE.total_tokens, fallbacks: 0 });
    expect(figures.model).toMatchObject({ calls: ai.requests.length, tokens: ai.requests.length * USAGE.total_tokens - lost, fallbacks: 1 });

    const res = await fetch(`${stack.url}/metrics`, { headers: { authorization: `Bearer ${APPROVER_TOKEN}` } });
    const m = new Map(parsePrometheusTextFormat(await res.text()).map((f) => [f.name, f]));
    const sum = (name: string) => m.get(name)!.metrics.reduce((n, s) => n + Number(s.value), 0);
    expect(sum("billops_model_calls_total")).toBe(ai.requests.length);
    expect(sum("billops_model_tokens_total")).toBe(ai.requests.length * USAGE.total_tokens - lost);
    expect(m.get("billops_model_fallbacks_total")!.metrics).toEqual([{ labels: { kind: "decide" }, value: "1" }]);
    expect(m.get("billops_decisions_total")!.metrics.find((s) => s.labels?.source === "llm")?.value).toBe("2");
  });
});
