// Builds the decider a process runs with (rules, llm or hybrid) and, for the model ones, the ChatOpenAI client.
import { ChatOpenAI } from "@langchain/openai";
import { DOMAIN_SPECS } from "../nodes/domains.js";
import type { Decider } from "../nodes/deps.js";
import type { Logger } from "../telemetry/log.js";
import { createHybridDecider } from "./hybrid.js";
import { createLlmDecider } from "./llm.js";
import { createRulesDecider } from "./rules.js";

export type DeciderName = "rules" | "llm" | "hybrid";

export interface DeciderOptions {
  openai: { apiKey?: string; baseUrl?: string; model: string };
  /** Tool calls instead of json_schema response_format, for servers without structured outputs. */
  functionCalling?: boolean;
  /** Per model call. Default 20 s. */
  timeoutMs?: number;
  maxRetries?: number;
  retryBaseMs?: number;
  logger: Logger;
}

/** The decider needs OPENAI_API_KEY or OPENAI_BASE_URL and has neither. */
export class DeciderConfigError extends Error {
  constructor(readonly decider: DeciderName) {
    super(`decider "${decider}" needs OPENAI_API_KEY or OPENAI_BASE_URL`);
    this.name = "DeciderConfigError";
  }
}

/**
 * ChatOpenAI for OpenAI or any OpenAI-compatible server (vLLM, Ollama, llama.cpp) at `baseUrl`. Its own retries are
 * off: the llm decider retries, so it can count calls and bound the wait.
 */
export function createChatModel(o: Pick<DeciderOptions, "openai" | "timeoutMs">): ChatOpenAI {
  return new ChatOpenAI({
    model: o.openai.model,
    // Local servers ignore the key, but the client refuses to start without one.
    apiKey: o.openai.apiKey ?? "sk-no-key-local-server",
    configuration: o.openai.baseUrl ? { baseURL: o.openai.baseUrl } : undefined,
    temperature: 0,
    maxRetries: 0,
    timeout: o.timeoutMs ?? 20_000,
  });
}

export function createDecider(name: DeciderName, o: DeciderOptions): Decider {
  const rules = createRulesDecider(DOMAIN_SPECS);
  if (name === "rules") return rules;
  if (!o.openai.apiKey && !o.openai.baseUrl) throw new DeciderConfigError(name);
  const llm = createLlmDecider({
    model: createChatModel(o),
    rules,
    timeoutMs: o.timeoutMs,
    maxRetries: o.maxRetries,
    retryBaseMs: o.retryBaseMs,
    method: o.functionCalling ? "functionCalling" : "jsonSchema",
    logger: o.logger,
  });
  return name === "llm" ? llm : createHybridDecider({ rules, llm });
}
