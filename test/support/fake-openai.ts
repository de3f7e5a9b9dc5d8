// A local OpenAI-compatible server (POST /v1/chat/completions on port 0) whose answers a test scripts: structured
// answers as json_schema content or as a tool call (whichever the request asked for), invalid JSON, slow answers,
// 429/500; `usage` on every answer; every request recorded so tests can read what the model was shown.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: { type: string; json_schema?: { name: string; schema: unknown; strict?: boolean } };
  tools?: { type: string; function: { name: string; parameters: unknown } }[];
  tool_choice?: unknown;
  [key: string]: unknown;
}

export type FakeReply =
  /** A structured answer: JSON content for json_schema, a tool call's arguments for function calling. */
  | { kind: "answer"; value: unknown }
  /** Text as the content (or the tool call's arguments): use it for invalid JSON. */
  | { kind: "raw"; text: string }
  | { kind: "status"; status: number; message?: string }
  /** Waits, then answers `then` (or a default answer) — for timeouts. */
  | { kind: "slow"; ms: number; then?: FakeReply };

export type Script = (req: ChatRequest, index: number) => FakeReply;

export interface FakeOpenAI {
  /** The base URL for OPENAI_BASE_URL (ends in /v1). */
  url: string;
  requests: ChatRequest[];
  /** Replies used first, in order; then the script. */
  queue(...replies: FakeReply[]): void;
  script(fn: Script): void;
  /** The structured-output name of a request (e.g. refund_decision, support_request_classification). */
  stop(): Promise<void>;
}

export const USAGE = { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 };

/** The name the client gave its structured output: json_schema name or the forced tool's name. */
export function outputName(req: ChatRequest): string {
  return req.response_format?.json_schema?.name ?? req.tools?.[0]?.function.name ?? "";
}

/** The JSON inside <tag>…</tag> of the last user message (the prompt's data blocks). */
export function block(req: ChatRequest, tag: string): any {
  const user = [...req.messages].reverse().find((m) => m.role === "user")?.content ?? "";
  const m = new RegExp(`<${tag}>\\n([\\s\\S]*?)\\n</${tag}>`).exec(user);
  return m ? JSON.parse(m[1]!) : null;
}

function completion(req: ChatRequest, text: string) {
  const base = { id: `chatcmpl-fake${Math.random().toString(36).slice(2, 10)}`, object: "chat.completion", created: Math.floor(Date.now() / 1000), model: req.model, usage: USAGE };
  if (req.tools?.length) {
    const name = req.tools[0]!.function.name;
    return {
      ...base,
      choices: [{ index: 0, finish_reason: "tool_calls", logprobs: null, message: { role: "assistant", content: null, refusal: null, tool_calls: [{ id: "call_fake_1", type: "function", function: { name, arguments: text } }] } }],
    };
  }
  return { ...base, choices: [{ index: 0, finish_reason: "stop", logprobs: null, message: { role: "assistant", content: text, refusal: null } }] };
}

export async function startFakeOpenAI(script: Script = () => ({ kind: "status", status: 500, message: "no script" }), listenPort = 0): Promise<FakeOpenAI> {
  const requests: ChatRequest[] = [];
  const queued: FakeReply[] = [];
  let current = script;
  const sockets = new Set<import("node:net").Socket>();

  const send = (res: ServerResponse, status: number, body: unknown) => {
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };

  const reply = async (req: ChatRequest, r: FakeReply, res: ServerResponse): Promise<void> => {
    switch (r.kind) {
      case "answer":
        return send(res, 200, completion(req, JSON.stringify(r.value)));
      case "raw":
        return send(res, 200, completion(req, r.text));
      case "status":
        return send(res, r.status, { error: { message: r.message ?? `fake status ${r.status}`, type: r.status === 429 ? "rate_limit_exceeded" : "server_error", code: null } });
      case "slow":
        await new Promise((resolve) => setTimeout(resolve, r.ms));
        return reply(req, r.then ?? { kind: "status", status: 500, message: "slow answer had no follow-up" }, res);
    }
  };

  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) return send(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
    let body: ChatRequest;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return send(res, 400, { error: { message: "request body is not JSON" } });
    }
    requests.push(body);
    const r = queued.shift() ?? current(body, requests.length - 1);
    await reply(body, r, res);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(listenPort, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    queue: (...r) => void queued.push(...r),
    script: (fn) => void (current = fn),
    async stop() {
      // Slow answers still hold sockets: end them so the test does not wait for their timers.
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
