// The `/_sim/` control API (JSON): seed, clock, faults, request log, webhook endpoint and deliveries, scenario
// events, triggers and object inspection. The same operations are on the in-process Simulator handle.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Simulator } from "./handle.js";
import { SeedError } from "./seed.js";
import { TRIGGERS } from "./triggers.js";
import type { FaultSpec } from "./types.js";

class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/**
 * Why a control request is refused, or null. The control API signs and delivers webhooks, so a web page must not be
 * able to call it: browsers name the page's origin (Origin, Sec-Fetch-Site) on cross-site requests and can send a
 * cross-site POST without asking first only as a form or text/plain — so only JSON is taken, and a browser request
 * only from the simulator's own loopback origin (a DNS-rebound name is not loopback). The SDK, curl, the CLIs and
 * the eval runner send no Origin.
 */
export function refusedControlRequest(req: IncomingMessage): { status: number; code: string; message: string } | null {
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") {
    return { status: 403, code: "cross_origin", message: `the control API does not answer ${site} requests from a browser` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let sameLoopback = false;
    try {
      const o = new URL(origin);
      sameLoopback = o.host === req.headers.host && LOOPBACK.has(o.hostname);
    } catch {
      /* "null" or garbage: refused */
    }
    if (!sameLoopback) return { status: 403, code: "cross_origin", message: `the control API does not answer requests from ${origin}` };
  }
  const method = (req.method ?? "GET").toUpperCase();
  const hasBody = (req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0") || req.headers["transfer-encoding"] !== undefined;
  if ((method === "POST" || hasBody) && !/^application\/json\s*(;|$)/i.test(req.headers["content-type"] ?? "")) {
    return { status: 415, code: "json_required", message: "control requests with a body must be Content-Type: application/json" };
  }
  return null;
}

function parseJson(body: string): any {
  if (!body.trim()) return {};
  try {
    return JSON.parse(body);
  } catch {
    throw new ControlError(400, "invalid_json", "request body is not valid JSON");
  }
}

export function createControl(getSim: () => Simulator, runTriggerFor: (type: string, opts: Record<string, any>) => { objects: Record<string, string | null>; events: string[] }) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL, body: string): Promise<void> => {
    const sim = getSim();
    const method = (req.method ?? "GET").toUpperCase();
    const path = url.pathname.replace(/\/+$/, "");
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(payload));
    };
    try {
      const json = method === "GET" || method === "DELETE" ? {} : parseJson(body);
      const route = `${method} ${path}`;
      let m: RegExpExecArray | null;
      switch (true) {
        case route === "GET /_sim/health":
          return send(200, { ok: true, now: sim.clock.now(), url: sim.url });
        case route === "POST /_sim/seed": {
          const block = json && typeof json === "object" && "stripe" in json ? json.stripe : json;
          sim.seed(block);
          return send(200, { ok: true });
        }
        case route === "GET /_sim/clock":
          return send(200, { now: sim.clock.now() });
        case route === "POST /_sim/clock": {
          if (typeof json.set === "number") await sim.clock.set(json.set);
          else if (typeof json.advance === "number") await sim.clock.advance(json.advance);
          else throw new ControlError(400, "invalid_clock", "send {\"set\": unixSeconds} or {\"advance\": seconds}");
          return send(200, { now: sim.clock.now() });
        }
        case route === "GET /_sim/faults":
          return send(200, { data: sim.faults.list() });
        case route === "POST /_sim/faults":
          return send(200, { id: sim.faults.add(json as FaultSpec) });
        case route === "DELETE /_sim/faults":
          sim.faults.clear();
          return send(200, { ok: true });
        case (m = /^DELETE \/_sim\/faults\/([^/]+)$/.exec(route)) !== null:
          sim.faults.remove(m![1]!);
          return send(200, { ok: true });
        case route === "GET /_sim/requests": {
          const writes = url.searchParams.get("writes");
          return send(200, { data: writes === "true" || writes === "1" ? sim.log.writes() : sim.log.all() });
        }
        case route === "DELETE /_sim/requests":
          sim.log.clear();
          return send(200, { ok: true });
        case route === "GET /_sim/webhooks/deliveries":
          return send(200, { data: sim.webhooks.deliveries() });
        case route === "POST /_sim/webhooks/endpoint":
          sim.webhooks.setEndpoint(json && json.url ? { url: String(json.url), secret: String(json.secret ?? "") } : null);
          return send(200, { ok: true });
        case route === "POST /_sim/webhooks/deliver":
          await sim.webhooks.deliver(json.event ?? json);
          return send(200, { ok: true });
        case route === "GET /_sim/webhooks/idle":
          await sim.webhooks.idle();
          return send(200, { ok: true });
        case route === "POST /_sim/events/apply":
          return send(200, { written: sim.applyEventObject(json.event ?? json) });
        case route === "POST /_sim/trigger": {
          if (typeof json.type !== "string") throw new ControlError(400, "invalid_trigger", `send {"type": one of ${TRIGGERS.join(", ")}}`);
          return send(200, runTriggerFor(json.type, json));
        }
        case route === "GET /_sim/objects": {
          const type = url.searchParams.get("type");
          if (!type) throw new ControlError(400, "missing_type", "GET /_sim/objects?type=customer");
          return send(200, { data: sim.store.list(type) });
        }
        case (m = /^GET \/_sim\/objects\/([^/]+)$/.exec(route)) !== null: {
          const obj = sim.store.get(decodeURIComponent(m![1]!));
          if (!obj) throw new ControlError(404, "not_found", `no object ${m![1]}`);
          return send(200, obj);
        }
        default:
          throw new ControlError(404, "not_found", `no control route ${route}`);
      }
    } catch (err) {
      if (err instanceof ControlError) return send(err.status, { error: { code: err.code, message: err.message } });
      const message = err instanceof Error ? err.message : String(err);
      return send(400, { error: { code: err instanceof SeedError ? "invalid_seed" : "invalid_request", message } });
    }
  };
}

