// The llm decider: an injected chat model proposes each decision and classification with structured output; any failure
// (network, timeout, 429/5xx after bounded retries, invalid JSON, schema violation, an action outside the vocabulary)
// falls back to the rules decision with the reason and the calls/tokens spent. The guard holds whatever it proposes.
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import { z } from "zod";
import { ACTIONS, type Domain } from "../domain/actions.js";
import type { PolicyConfig } from "../domain/policy-config.js";
import type { Classification, Decider, DeciderResult, ProposedDecision } from "../nodes/deps.js";
import type { Logger } from "../telemetry/log.js";
import { disputePrompt } from "../nodes/dispute/prompt.js";
import { disputeParamsSchemas } from "../nodes/dispute/schema.js";
import type { DisputeContext } from "../nodes/dispute/context.js";
import { dunningPrompt } from "../nodes/dunning/prompt.js";
import { dunningParamsSchemas } from "../nodes/dunning/schema.js";
import type { DunningContext } from "../nodes/dunning/context.js";
import type { PromptParts } from "../nodes/prompt-data.js";
import type { RequestClassification, SupportRequest } from "../nodes/proposal.js";
import { refundPrompt } from "../nodes/refund/prompt.js";
import { refundParamsSchemas } from "../nodes/refund/schema.js";
import type { RefundContext } from "../nodes/refund/context.js";
import { subscriptionPrompt } from "../nodes/subscription/prompt.js";
import { subscriptionParamsSchemas } from "../nodes/subscription/schema.js";
import type { SubscriptionContext } from "../nodes/subscription/context.js";
import { classifyPrompt } from "../nodes/supervisor/prompt.js";
import { classificationSchema } from "../nodes/supervisor/schema.js";

export type StructuredOutputMethod = "jsonSchema" | "functionCalling";

export interface LlmDeciderOptions {
  /** A ChatOpenAI in production; any BaseChatModel with structured output in tests. */
  model: BaseChatModel;
  /** The fallback and the model's reference proposal. */
  rules: Decider;
  /** Per model call (each retry gets its own). Default 20 s. */
  timeoutMs?: number;
  /** Retries of a 429 or 5xx answer (or a dropped connection) after the first call. Default 2. */
  maxRetries?: number;
  /** First backoff; doubles per retry, with jitter. Default 500 ms. */
  retryBaseMs?: number;
  method?: StructuredOutputMethod;
  logger: Logger;
}

type PromptOf = (ctx: any, proposal: ProposedDecision, config: PolicyConfig) => PromptParts;

const PROMPTS: Record<Domain, PromptOf> = {
  dunning: (c: DunningContext, p, cfg) => dunningPrompt(c, p, cfg),
  refund: (c: RefundContext, p, cfg) => refundPrompt(c, p, cfg),
  dispute: (c: DisputeContext, p, cfg) => disputePrompt(c, p, cfg),
  subscription: (c: SubscriptionContext, p, cfg) => subscriptionPrompt(c, p, cfg),
};

const PARAMS: Record<Domain, Record<string, z.ZodType>> = {
  dunning: dunningParamsSchemas,
  refund: refundParamsSchemas,
  dispute: disputeParamsSchemas,
  subscription: subscriptionParamsSchemas,
};

/** The decision a model must return for a domain: the vocabulary as an enum, every key required (OpenAI's schema rules). */
export function modelDecisionSchema(domain: Domain) {
  return z.object({
    action: z.enum(ACTIONS[domain] as unknown as [string, ...string[]]),
    params: z.record(z.string(), z.unknown()).describe("the chosen action's params, as listed in the instructions"),
    rationale: z.string().trim().min(1).max(2000),
    confidence: z.number().min(0).max(1),
  });
}

/**
 * A plain JSON Schema, not the zod object: with a zod schema @langchain/openai forces `strict: true` (which rejects
 * the open `params` object on OpenAI) and parses inside the client, where a bad answer throws and its usage is lost.
 * We validate with zod ourselves, so the failure has a name.
 */
function jsonSchemaOf(schema: z.ZodType, description: string): Record<string, unknown> {
  const { $schema: _s, ...js } = z.toJSONSchema(schema, { unrepresentable: "any", io: "input" }) as Record<string, unknown>;
  return { ...js, description };
}

const DECISION_JSON = Object.fromEntries(
  (Object.keys(ACTIONS) as Domain[]).map((d) => [d, jsonSchemaOf(modelDecisionSchema(d), `One proposed ${d} decision.`)]),
) as Record<Domain, Record<string, unknown>>;
const CLASSIFICATION_JSON = jsonSchemaOf(classificationSchema, "The classification of one support request.");

type Outcome<T> = { ok: true; value: T; calls: number; tokens: number } | { ok: false; reason: string; calls: number; tokens: number };

/** Tokens of one answer: LangChain's usage_metadata, else the OpenAI-shaped tokenUsage. */
export function tokensOf(raw: unknown): number {
  const m = raw as { usage_metadata?: { total_tokens?: number; input_tokens?: number; output_tokens?: number }; response_metadata?: { tokenUsage?: { totalTokens?: number }; usage?: { total_tokens?: number } } } | null;
  const u = m?.usage_metadata;
  if (u) return u.total_tokens ?? (u.input_tokens ?? 0) + (u.output_tokens ?? 0);
  return m?.response_metadata?.tokenUsage?.totalTokens ?? m?.response_metadata?.usage?.total_tokens ?? 0;
}

function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown; response?: { status?: unknown } } | null)?.status ?? (err as any)?.response?.status;
  return typeof s === "number" ? s : undefined;
}

function firstLine(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return (m.split("\n")[0] || (err as Error)?.name || "error").slice(0, 300);
}

/** Whether another attempt can help: rate limits, server errors and dropped connections, not bad requests or bad answers. */
function retryable(err: unknown): boolean {
  const s = statusOf(err);
  if (s !== undefined) return s === 408 || s === 409 || s === 429 || s >= 500;
  const name = (err as Error)?.name ?? "";
  const code = (err as { code?: string })?.code ?? (err as { cause?: { code?: string } })?.cause?.code ?? "";
  return name === "APIConnectionError" || /ECONNRESET|ECONNREFUSED|EPIPE|UND_ERR/.test(code) || /Connection error/i.test(firstLine(err));
}

/** The structured value of an answer, or the name of what is wrong with it. */
function extract(out: unknown): { value: unknown; tokens: number } | { problem: string; tokens: number } {
  // Models without includeRaw support (some fakes) hand back the parsed object itself.
  if (!out || typeof out !== "object" || !("raw" in out)) return out == null ? { problem: "empty answer", tokens: 0 } : { value: out, tokens: 0 };
  const { raw, parsed } = out as { raw: any; parsed: unknown };
  const tokens = tokensOf(raw);
  if (parsed != null) return { value: parsed, tokens };
  const bad = raw?.invalid_tool_calls?.[0];
  if (bad) return { problem: `invalid JSON in the tool call: ${String(bad.error ?? bad.args ?? "").slice(0, 200)}`, tokens };
  const args = raw?.tool_calls?.[0]?.args;
  if (args) return { value: args, tokens };
  const text = typeof raw?.content === "string" ? raw.content : "";
  if (!text.trim()) return { problem: "the answer has no structured output", tokens };
  try {
    return { value: JSON.parse(text), tokens };
  } catch (e) {
    return { problem: `invalid JSON: ${firstLine(e)}`, tokens };
  }
}

function issuesText(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.join(".") || "answer"}: ${i.message}`)
    .join("; ");
}

export interface LlmDecider extends Decider {
  readonly name: "llm";
}

export function createLlmDecider(o: LlmDeciderOptions): LlmDecider {
  const timeoutMs = o.timeoutMs ?? 20_000;
  const maxRetries = Math.max(0, o.maxRetries ?? 2);
  const retryBaseMs = o.retryBaseMs ?? 500;
  const method = o.method ?? "jsonSchema";
  const runnables = new Map<string, { invoke(messages: BaseMessage[], options: { signal: AbortSignal }): Promise<unknown> }>();
  const runnableFor = (name: string, schema: Record<string, unknown>) => {
    let r = runnables.get(name);
    if (!r) {
      r = o.model.withStructuredOutput(schema, { name, method, includeRaw: true }) as any;
      runnables.set(name, r!);
    }
    return r!;
  };

  /** One structured question with timeout and bounded retries; never throws for a model problem. */
  async function ask<T>(name: string, schema: Record<string, unknown>, prompt: PromptParts, validate: (v: unknown) => { ok: true; value: T } | { ok: false; reason: string }): Promise<Outcome<T>> {
    const runnable = runnableFor(name, schema);
    let calls = 0;
    let tokens = 0;
    for (let attempt = 0; ; attempt++) {
      calls++;
      const signal = AbortSignal.timeout(timeoutMs);
      let out: unknown;
      try {
        out = await runnable.invoke([new SystemMessage(prompt.system), new HumanMessage(prompt.user)], { signal });
      } catch (err) {
        if (signal.aborted) return { ok: false, reason: `model timed out after ${timeoutMs} ms`, calls, tokens };
        if (err instanceof SyntaxError) return { ok: false, reason: `invalid JSON: ${firstLine(err)}`, calls, tokens };
        const status = statusOf(err);
        const what = status !== undefined ? `model answered HTTP ${status}: ${firstLine(err)}` : `model call failed: ${firstLine(err)}`;
        if (retryable(err) && attempt < maxRetries) {
          const wait = retryBaseMs * 2 ** attempt * (0.75 + Math.random() * 0.5);
          o.logger.warn({ attempt: attempt + 1, status, wait_ms: Math.round(wait) }, "model call failed; retrying");
          await new Promise((r) => setTimeout(r, wait));
          continue;
        }
        return { ok: false, reason: retryable(err) && maxRetries > 0 ? `${what} (after ${calls} calls)` : what, calls, tokens };
      }
      const e = extract(out);
      tokens += e.tokens;
      if ("problem" in e) return { ok: false, reason: e.problem, calls, tokens };
      const v = validate(e.value);
      return v.ok ? { ok: true, value: v.value, calls, tokens } : { ok: false, reason: v.reason, calls, tokens };
    }
  }

  const fellBack = <R extends { source: string }>(base: R, reason: string, calls: number, tokens: number, what: string): R & { fallbackReason: string; llm: { calls: number; tokens: number } } => {
    o.logger.warn({ reason, calls, tokens }, `${what}: model failed, the rules decide`);
    return { ...base, source: "rules", fallbackReason: reason, llm: { calls, tokens } };
  };

  return {
    name: "llm",

    async decide(domain, context, opts): Promise<DeciderResult> {
      const base = await o.rules.decide(domain, context, opts);
      const prompt = PROMPTS[domain](context, base, opts.config);
      const shape = modelDecisionSchema(domain);
      const r = await ask(`${domain}_decision`, DECISION_JSON[domain], prompt, (v) => {
        const action = (v as { action?: unknown } | null)?.action;
        if (typeof action === "string" && !(ACTIONS[domain] as readonly string[]).includes(action)) {
          return { ok: false, reason: `schema violation: action "${action.slice(0, 60)}" is not a ${domain} action` };
        }
        const p = shape.safeParse(v);
        if (!p.success) return { ok: false, reason: `schema violation: ${issuesText(p.error)}` };
        const params = PARAMS[domain][p.data.action]!.safeParse(p.data.params);
        if (!params.success) return { ok: false, reason: `schema violation: params of ${p.data.action}: ${issuesText(params.error)}` };
        return { ok: true, value: { ...p.data, params: params.data as Record<string, unknown> } };
      });
      if (!r.ok) return fellBack(base, r.reason, r.calls, r.tokens, `${domain} decision`);
      return {
        action: r.value.action as DeciderResult["action"],
        params: r.value.params,
        rationale: r.value.rationale,
        confidence: r.value.confidence,
        source: "llm",
        // Kept from the rules: the audit log says why this case was one for a model.
        ...(base.ambiguous ? { ambiguous: base.ambiguous } : {}),
        llm: { calls: r.calls, tokens: r.tokens },
      };
    },

    async classify(request: SupportRequest, opts): Promise<Classification> {
      const base = await o.rules.classify(request, opts);
      const rulesView: RequestClassification = { route: base.route as RequestClassification["route"], intent: base.intent, params: base.params, ...(base.ambiguous ? { ambiguous: base.ambiguous } : {}), ...(base.understanding ? { understanding: base.understanding } : {}) };
      const r = await ask("support_request_classification", CLASSIFICATION_JSON, classifyPrompt(request, rulesView), (v) => {
        const p = classificationSchema.safeParse(v);
        return p.success ? { ok: true, value: p.data } : { ok: false, reason: `schema violation: ${issuesText(p.error)}` };
      });
      if (!r.ok) return fellBack(base, r.reason, r.calls, r.tokens, "support request classification");
      const c = r.value;
      const params: Record<string, unknown> = {
        ...(c.target_plan ? { target_plan: c.target_plan } : {}),
        ...(c.amount ? { amount: c.amount } : {}),
        ...(c.charge ? { charge: c.charge } : {}),
        ...(c.subscription ? { subscription: c.subscription } : {}),
        // What the support tool attached is a fact; the model's reading of the text never replaces it.
        ...(request.charge ? { charge: request.charge } : {}),
        ...(request.subscription ? { subscription: request.subscription } : {}),
      };
      // Instruction-like text flagged by the keyword rules stays flagged whatever the model thinks of it.
      // What the rules were unsure of stays said too: the specialists flag the decision from it.
      const rulesDoubt = base.ambiguous && (/instructions/.test(base.ambiguous) || base.understanding?.certain === false) ? base.ambiguous : null;
      const flags = [c.ambiguous, rulesDoubt].filter((x): x is string => !!x);
      // The rules' understanding goes on unchanged: the guard judges the request by it, not by the model's reading.
      return { route: c.route, intent: c.intent, params, source: "llm", ...(flags.length ? { ambiguous: flags.join("; ") } : {}), llm: { calls: r.calls, tokens: r.tokens }, ...(base.understanding ? { understanding: base.understanding } : {}) };
    },
  };
}
