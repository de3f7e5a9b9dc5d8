// Simulator throughput: SDK round trips per second (create a customer + create-and-confirm a PaymentIntent with
// pm_card_visa) against the simulator, next to the same SDK calls against a bare node:http JSON echo server.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import Stripe from "stripe";
import { startSimulator } from "../stripe/sim/index.js";

import type { BenchResult } from "./result.js";

const CONCURRENCY = 4;

/** Echoes the form body back as JSON with an id, so the SDK does the same work parsing it. */
async function startEcho(): Promise<{ port: number; close(): Promise<void> }> {
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
      res.writeHead(200, { "content-type": "application/json", "request-id": `req_echo${n}` });
      res.end(JSON.stringify({ id: `obj_${++n}`, object: "echo", ...params }));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** Round trips per second over `ms` with CONCURRENCY workers, after a short warm-up. */
async function measure(port: number, ms: number): Promise<number> {
  const stripe = new Stripe("sk_test_bench", { host: "127.0.0.1", port, protocol: "http", maxNetworkRetries: 0 });
  const roundTrip = async () => {
    const c = await stripe.customers.create({ email: "bench@example.com" });
    await stripe.paymentIntents.create({ amount: 2000, currency: "usd", customer: c.id, payment_method: "pm_card_visa", confirm: true });
  };
  for (let i = 0; i < 50; i++) await roundTrip();
  let done = 0;
  const start = performance.now();
  const deadline = start + ms;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        await roundTrip();
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

export async function benchSimulator(opts: { seconds: number }): Promise<BenchResult> {
  const half = Math.max(250, (opts.seconds * 1000) / 2);
  const echo = await startEcho();
  let baseline: number;
  try {
    baseline = await measure(echo.port, half);
  } finally {
    await echo.close();
  }
  const sim = await startSimulator({ now: 1796300000 });
  let value: number;
  try {
    value = await measure(sim.port, half);
  } finally {
    await sim.stop();
  }
  return {
    name: "stripe simulator: SDK round trips (customer + confirmed PaymentIntent)",
    value: Math.round(value),
    baseline: Math.round(baseline),
    ratio: Math.round((value / baseline) * 1000) / 1000,
    unit: "round trips/s",
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const seconds = Number(process.env.BENCH_SECONDS ?? 6);
  const r = await benchSimulator({ seconds });
  process.stdout.write(`${r.name}: ${r.value} ${r.unit} vs echo server ${r.baseline} ${r.unit} (ratio ${r.ratio})\n`);
}
