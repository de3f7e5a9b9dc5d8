// Test helpers for the simulator's tests: an SDK client pointed at a simulator and a local webhook receiver.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import type { Simulator } from "./index.js";

/** The error a request that must fail failed with (the test fails when it succeeds). */
export async function caught(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected the request to fail");
}

export function sdk(sim: Simulator, maxNetworkRetries = 0): Stripe {
  return new Stripe("sk_test_sim", { host: "127.0.0.1", port: sim.port, protocol: "http", maxNetworkRetries });
}

export interface Received {
  raw: string;
  signature: string;
}

/** A node:http receiver that answers with `status(raw)` (200 by default) and keeps every raw delivery. */
export async function webhookReceiver(status: (raw: string) => number = () => 200): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      received.push({ raw, signature: String(req.headers["stripe-signature"] ?? "") });
      res.writeHead(status(raw));
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
