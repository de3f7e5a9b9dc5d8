// The control API signs and delivers webhooks: a web page must not be able to drive it. Cross-origin and non-JSON
// requests are refused (they used to be accepted, text/plain included, so any page could forge a signed webhook).
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "./index.js";

let sim: Awaited<ReturnType<typeof startSimulator>>;
beforeAll(async () => {
  sim = await startSimulator({ now: 1796300000 });
});
afterAll(() => sim?.stop());

const forged = JSON.stringify({ event: { id: "evt_forged", object: "event", type: "charge.dispute.closed", created: 1796300000, data: { object: { id: "dp_1", object: "dispute", status: "won" } } } });

/** A raw request (fetch would not let a test set Host or Origin freely). */
function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: any }> {
  const u = new URL(sim.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path, headers: { ...headers, ...(body ? { "content-length": String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : null }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("the simulator's control API", () => {
  const host = () => new URL(sim.url).host;

  it.each([
    ["a text/plain post from another site (no preflight needed)", { origin: "https://evil.example", "content-type": "text/plain" }, 403],
    ["a JSON post from another site", { origin: "https://evil.example", "content-type": "application/json" }, 403],
    ["a post a browser marks cross-site", { "sec-fetch-site": "cross-site", "content-type": "application/json" }, 403],
    ["a post a browser marks same-site (another port)", { "sec-fetch-site": "same-site", "content-type": "application/json" }, 403],
    ["an opaque origin (sandboxed page)", { origin: "null", "content-type": "application/json" }, 403],
    ["a text/plain post without an origin", { "content-type": "text/plain" }, 415],
    ["a form post without an origin", { "content-type": "application/x-www-form-urlencoded" }, 415],
    ["a post without a content type", {}, 415],
  ])("refuses %s and delivers nothing", async (_what, headers, status) => {
    const res = await send("POST", "/_sim/webhooks/deliver", headers as Record<string, string>, forged);
    expect(res.status).toBe(status);
    expect(sim.webhooks.deliveries()).toHaveLength(0);
    expect(sim.store.get("evt_forged")).toBeUndefined();
  });

  it("refuses a DNS-rebound name: same origin as its Host, but not a loopback address", async () => {
    const port = new URL(sim.url).port;
    const res = await send("POST", "/_sim/clock", { host: `evil.example:${port}`, origin: `http://evil.example:${port}`, "content-type": "application/json" }, JSON.stringify({ advance: 60 }));
    expect(res.status).toBe(403);
    expect(sim.clock.now()).toBe(1796300000);
  });

  it("answers JSON from tools (no Origin) and from its own loopback origin; GET and DELETE need no body", async () => {
    expect((await send("POST", "/_sim/clock", { "content-type": "application/json" }, JSON.stringify({ advance: 60 }))).body.now).toBe(1796300060);
    expect((await send("POST", "/_sim/clock", { "content-type": "application/json; charset=utf-8", origin: `http://${host()}`, "sec-fetch-site": "same-origin" }, JSON.stringify({ advance: 60 }))).status).toBe(200);
    expect((await send("GET", "/_sim/health", {})).body.ok).toBe(true);
    expect((await send("DELETE", "/_sim/faults", {})).status).toBe(200);
    // The same check does not touch the Stripe API itself: the SDK posts forms there.
    const sdkLike = await send("POST", "/v1/customers", { authorization: "Bearer sk_test_x", "content-type": "application/x-www-form-urlencoded" }, "email=a%40example.com");
    expect(sdkLike.status).toBe(200);
  });
});
