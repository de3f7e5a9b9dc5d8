// The simulator's command lines as a developer runs them: `npm run sim` (a process that prints `listening`, seeded
// from a scenario file and delivering signed webhooks) and `npm run sim:trigger` against it.
import { afterAll, expect, it } from "vitest";
import { spawn, execFile, type ChildProcess } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Stripe from "stripe";
import { SHARED_SCENARIOS } from "../../test/support/shared-scenarios.js";
import { join } from "node:path";

const root = fileURLToPath(new URL("../../", import.meta.url));
const secret = "whsec_cli_test_secret";
const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.kill("SIGTERM")));

it("npm run sim listens, loads a scenario seed, and sim:trigger fires a signed invoice.payment_failed", async () => {
  const received: Stripe.Event[] = [];
  const receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      // Verified as billops verifies: the exact bytes and the Stripe-Signature header.
      received.push(Stripe.webhooks.constructEvent(body, String(req.headers["stripe-signature"]), secret, 300, undefined, JSON.parse(body).created * 1000));
      res.end("{}");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  const seed = join(SHARED_SCENARIOS, "example_refund_small_goodwill.json");
  const sim = spawn(process.execPath, ["--import", "tsx", "stripe/sim/cli.ts", "--port", "0", "--seed", seed, "--webhook-url", hook, "--webhook-secret", secret], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  children.push(sim);
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    sim.stdout!.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/[0-9.:]+)/.exec(out);
      if (m) resolve(m[1]);
    });
    sim.on("exit", (code) => reject(new Error(`sim exited ${code}`)));
  });
  const u = new URL(url);
  const stripe = new Stripe("sk_test_cli", { host: u.hostname, port: Number(u.port), protocol: "http" });
  expect((await stripe.charges.retrieve("ch_X00000z")).amount).toBe(1500);

  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "stripe/sim/trigger.ts", "invoice.payment_failed", "--decline", "insufficient_funds", "--url", url], { cwd: root });
  expect(JSON.parse(stdout).events.length).toBeGreaterThan(0);
  const deadline = Date.now() + 10_000;
  while (!received.some((e) => e.type === "invoice.payment_failed") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const failed = received.find((e) => e.type === "invoice.payment_failed") as Stripe.InvoicePaymentFailedEvent | undefined;
  expect(failed).toBeDefined();
  const invoice = await stripe.invoices.retrieve(failed!.data.object.id!);
  expect(invoice.status).toBe("open");
  expect(invoice.attempt_count).toBeGreaterThan(0);
  const payments = await stripe.invoicePayments.list({ invoice: invoice.id! });
  const pi = await stripe.paymentIntents.retrieve(payments.data[0].payment.payment_intent as string);
  expect(pi.last_payment_error?.decline_code).toBe("insufficient_funds");
  receiver.close();
});

it("sim:trigger names the problem when no simulator answers", async () => {
  const run = promisify(execFile)(process.execPath, ["--import", "tsx", "stripe/sim/trigger.ts", "invoice.payment_failed", "--url", "http://127.0.0.1:9"], { cwd: root });
  await expect(run).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("cannot reach the simulator") });
});
