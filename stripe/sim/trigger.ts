// `npm run sim:trigger -- <event> [--decline CODE] [--reason R] [--amount N] [--url URL]`: like `stripe trigger`,
// asks a running simulator to create the objects an event needs and fire it.
import { parseArgs } from "node:util";
import { TRIGGERS } from "./triggers.js";

const ALIASES: Record<string, string> = {
  dispute: "charge.dispute.created",
  early_fraud_warning: "radar.early_fraud_warning.created",
  efw: "radar.early_fraud_warning.created",
  subscription_change: "customer.subscription.updated",
  "subscription.updated": "customer.subscription.updated",
  "subscription.deleted": "customer.subscription.deleted",
  refund: "charge.refunded",
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: "string", default: process.env.SIM_URL ?? "http://127.0.0.1:12111" },
    decline: { type: "string" },
    reason: { type: "string" },
    amount: { type: "string" },
  },
});

const name = positionals[0];
const type = name ? (ALIASES[name] ?? name) : undefined;
if (!type || !(TRIGGERS as readonly string[]).includes(type)) {
  process.stderr.write(`usage: npm run sim:trigger -- <event> [--decline CODE] [--reason R] [--amount N] [--url URL]\nevents: ${TRIGGERS.join(", ")}\naliases: ${Object.keys(ALIASES).join(", ")}\n`);
  process.exit(2);
}

try {
  const res = await fetch(new URL("/_sim/trigger", values.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type, decline: values.decline, reason: values.reason, amount: values.amount ? Number(values.amount) : undefined }),
  });
  const body = await res.json();
  process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  process.stderr.write(`sim:trigger: cannot reach the simulator at ${values.url}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
