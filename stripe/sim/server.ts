// The HTTP face: Stripe's protocol (form bodies, Request-Id, error JSON, Idempotency-Key), faults, the request log,
// and dispatch to the route table; `/_sim/*` goes to the control API instead and is never logged.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SimCore } from "./core.js";
import { applyExpand } from "./expand.js";
import { StripeApiError, unrecognizedUrl, type StripeErrorBody } from "./errors.js";
import type { FaultRegistry } from "./faults.js";
import { asArray, parseForm, type ParsedForm } from "./form.js";
import { fingerprint, type IdempotencyStore } from "./idempotency.js";
import { newRequestId } from "./ids.js";
import type { RequestLog } from "./requestLog.js";
import type { CompiledRoute } from "./routes.js";
import { refusedControlRequest } from "./control.js";
import { API_VERSION } from "./types.js";
import { checkRequest } from "./spec/index.js";

const MAX_BODY = 1024 * 1024;

export interface ServerDeps {
  sim: SimCore;
  routes: CompiledRoute[];
  faults: FaultRegistry;
  idempotency: IdempotencyStore;
  log: RequestLog;
  control: (req: IncomingMessage, res: ServerResponse, url: URL, body: string) => Promise<void>;
}

export function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function faultError(status: number, code: string | undefined, message: string | undefined): StripeErrorBody {
  if (status === 429) return { type: "rate_limit_error" as StripeErrorBody["type"], code: code ?? "rate_limit", message: message ?? "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests." };
  if (status === 409) {
    return { type: "invalid_request_error", code: code ?? "lock_timeout", message: message ?? "This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request." };
  }
  if (status >= 500) return { type: "api_error", code: code ?? null, message: message ?? "An unknown error occurred on our end (simulated fault)." };
  return { type: "invalid_request_error", code: code ?? null, message: message ?? `Simulated fault with status ${status}.` };
}

/** Stripe's error JSON: keys without a value are left out, as Stripe leaves them out (no `code: null`). */
function stripeError(body: StripeErrorBody, requestId: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (v !== null && v !== undefined) out[k] = v;
  out.request_log_url = `https://dashboard.stripe.com/test/logs/${requestId}`;
  return out;
}

function objectIdOf(body: any, pathId: string | undefined): string | null {
  if (body && typeof body === "object") {
    if (body.error) return body.error.payment_intent?.id ?? body.error.charge ?? pathId ?? null;
    if (typeof body.id === "string" && body.object !== "list") return body.id;
  }
  return pathId ?? null;
}

export function createRequestHandler(deps: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { sim, routes, faults, idempotency, log } = deps;

  return (req, res) => {
    void handle(req, res).catch((err: unknown) => {
      sim.logger.error({ err }, "simulator request failed");
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { type: "api_error", message: "simulator internal error" } }));
      }
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sim.local");
    const control = url.pathname === "/_sim" || url.pathname.startsWith("/_sim/");
    // A control request from a web page is refused before its body is read.
    const refused = control ? refusedControlRequest(req) : null;
    if (refused) {
      res.writeHead(refused.status, { "content-type": "application/json", connection: "close" });
      res.end(JSON.stringify({ error: { code: refused.code, message: refused.message } }));
      return;
    }
    const body = await readBody(req);
    if (control) {
      if (body === null) {
        res.writeHead(413, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "body_too_large", message: "request body over 1 MiB" } }));
        return;
      }
      await deps.control(req, res, url, body);
      return;
    }

    const method = (req.method ?? "GET").toUpperCase();
    const path = url.pathname;
    const requestId = newRequestId();
    const idemHeader = req.headers["idempotency-key"];
    const idempotencyKey = typeof idemHeader === "string" && idemHeader !== "" ? idemHeader : null;
    const time = sim.now();
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "request-id": requestId,
      "stripe-version": API_VERSION,
      "access-control-allow-origin": "*",
    };
    if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;

    let form: ParsedForm;
    if (method === "GET") form = parseForm(url.search.slice(1));
    else {
      const q = parseForm(url.search.slice(1));
      const b = parseForm(body ?? "");
      form = { nested: { ...q.nested, ...b.nested }, flat: { ...q.flat, ...b.flat } };
    }
    let route: CompiledRoute | undefined;
    let m: RegExpExecArray | null = null;
    for (const r of routes) {
      if (r.method !== method) continue;
      m = r.regex.exec(path);
      if (m) {
        route = r;
        break;
      }
    }
    const pathParams: Record<string, string> = {};
    if (route && m) route.names.forEach((n, i) => (pathParams[n] = decodeURIComponent(m![i + 1]!)));

    const record = (status: number, objectId: string | null, extra: { replayed?: boolean; fault?: string | null } = {}) =>
      log.add({
        id: requestId,
        method,
        path,
        params: form.flat,
        idempotencyKey,
        status,
        objectId,
        time,
        replayed: extra.replayed ?? false,
        fault: extra.fault ?? null,
      });
    const send = (status: number, payload: unknown, extraHeaders: Record<string, string> = {}) => {
      res.writeHead(status, { ...headers, ...extraHeaders });
      res.end(JSON.stringify(payload));
    };

    if (body === null) {
      record(413, null);
      send(413, { error: { type: "invalid_request_error", message: "Request body too large (over 1 MiB)." } });
      return;
    }
    const auth = req.headers.authorization ?? "";
    const key = auth.startsWith("Bearer ") ? auth.slice(7) : auth.startsWith("Basic ") ? Buffer.from(auth.slice(6), "base64").toString().split(":")[0] : "";
    if (!key || !/^(sk|rk)_(test|live)_/.test(key)) {
      record(401, null);
      send(401, {
        error: {
          type: "invalid_request_error",
          message: key ? `Invalid API Key provided: ${key.slice(0, 12)}****` : "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
        },
      });
      return;
    }

    const fault = faults.take(method, path);
    if (fault?.spec.latencyMs) await sleep(fault.spec.latencyMs);
    if (fault?.spec.drop === "before_write") {
      record(0, null, { fault: fault.id });
      req.socket.destroy();
      return;
    }
    if (fault?.spec.status) {
      const err = faultError(fault.spec.status, fault.spec.code, fault.spec.message);
      record(fault.spec.status, pathParams.id ?? null, { fault: fault.id });
      send(fault.spec.status, { error: err }, {
        ...(fault.spec.status === 409 ? { "stripe-should-retry": "true" } : {}),
        ...(fault.spec.retryAfter !== undefined ? { "retry-after": String(fault.spec.retryAfter) } : {}),
      });
      return;
    }

    // Stripe checks parameters before it executes anything, and keeps no idempotent result of a request it refused.
    if (route) {
      try {
        checkRequest(method, route.path, form.nested);
      } catch (err) {
        if (!(err instanceof StripeApiError)) throw err;
        record(err.status, null, { fault: fault?.id ?? null });
        send(err.status, { error: stripeError(err.body, requestId) });
        return;
      }
    }

    const useIdempotency = method === "POST" && idempotencyKey !== null && route !== undefined;
    const fp = useIdempotency ? fingerprint(method, path, form.flat) : "";
    if (useIdempotency) {
      const found = idempotency.lookup(idempotencyKey!, fp, sim.now());
      if (found.kind === "replay") {
        record(found.stored.status, found.stored.objectId, { replayed: true, fault: fault?.id ?? null });
        res.writeHead(found.stored.status, { ...headers, "idempotent-replayed": "true", "original-request": found.stored.requestId });
        res.end(found.stored.body as string);
        return;
      }
      if (found.kind === "mismatch") {
        record(400, null, { fault: fault?.id ?? null });
        send(400, {
          error: {
            type: "idempotency_error",
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
          },
        });
        return;
      }
    }

    let status = 200;
    let payload: any;
    let extraHeaders: Record<string, string> = {};
    if (!route) {
      const err = unrecognizedUrl(method, path);
      status = err.status;
      payload = { error: err.body };
    } else {
      sim.request = { id: requestId, idempotency_key: idempotencyKey };
      try {
        payload = route.handler(sim, { method, path, params: form.nested, pathParams });
        const expand = asArray(form.nested.expand).map(String);
        if (expand.length) payload = applyExpand(sim, payload, expand);
      } catch (err) {
        if (err instanceof StripeApiError) {
          status = err.status;
          payload = { error: stripeError(err.body, requestId) };
          extraHeaders = err.headers;
          if (status === 402) extraHeaders = { ...extraHeaders, "stripe-should-retry": "false" };
        } else {
          sim.logger.error({ err, path }, "simulator handler crashed");
          status = 500;
          payload = { error: { type: "api_error", message: `Simulator error: ${err instanceof Error ? err.message : String(err)}` } };
        }
      } finally {
        sim.request = null;
      }
    }
    const objectId = objectIdOf(payload, pathParams.id);
    // Serialise now: the stored idempotent response is the state at execution time, not a live object.
    const text = JSON.stringify(payload);
    if (useIdempotency) idempotency.save(idempotencyKey!, { fingerprint: fp, status, body: text, objectId, requestId }, sim.now());
    record(status, objectId, { fault: fault?.id ?? null });
    if (fault?.spec.drop === "after_write") {
      req.socket.destroy();
      sim.webhooks.release();
      return;
    }
    res.writeHead(status, { ...headers, ...extraHeaders });
    res.end(text, () => sim.webhooks.release());
  }
}
