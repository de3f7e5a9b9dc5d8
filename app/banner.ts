// What `npm start` prints: where everything is, and how to try it. Never a password: URLs go through redactUrl.
import type { Config } from "./config.js";
import { redactUrl } from "../telemetry/redact.js";

export function banner(config: Config, where: { base: string | null; sim: string | null; databaseUrl: string }): string {
  const token = [...config.approverTokens.entries()][0];
  const lines = [
    "",
    `billops is running — mode: ${config.mode}, role: ${config.role}, decider: ${config.decider}`,
    config.decider !== "rules" ? `  model          ${config.openai.model} at ${config.openai.baseUrl ? redactUrl(config.openai.baseUrl) : "api.openai.com"} (${config.openai.structuredOutput}, timeout ${config.openai.timeoutMs} ms)` : "",
    where.base ? `  webhook URL    ${where.base}/webhooks/stripe` : "  (worker role: no HTTP server)",
    where.base ? `  approval inbox ${where.base}/inbox        (sign in with the token below; Agent Inbox: ${where.base}, graph billops)` : "",
    where.base ? `  approval API   ${where.base}/approvals   (GET pending, POST /approvals/:id to answer)` : "",
    where.base ? `  cases          ${where.base}/cases/<case key>      health: ${where.base}/health` : "",
    where.base ? `  operators      ${where.base}/inbox/activity  ${where.base}/inbox/outcomes   metrics: ${where.base}/metrics` : "",
    `  policy         ${config.policySource.file ? `${config.policySource.file} (${Object.values(config.policySource.origins).filter((o) => o === "file").length} settings from the file)` : "built-in defaults"}${where.base ? `; effective values at ${where.base}/policy` : ""}`,
    config.stripe.kind === "endpoint"
      ? `  Stripe         ${where.sim ? redactUrl(where.sim) : ""} (STRIPE_API_BASE; its webhooks go to ${where.base ?? "the web process"}/webhooks/stripe)`
      : where.sim
        ? `  Stripe         simulator at ${where.sim} (demo data; control API at ${where.sim}/_sim/)`
        : "  Stripe         api.stripe.com",
    `  database       ${redactUrl(where.databaseUrl)}`,
    config.approverTokensGenerated && token ? `  approver token ${token[0]}   (name: ${token[1]}; send as "Authorization: Bearer <token>")` : "  approver tokens from APPROVER_TOKENS",
    where.base && token ? `  try:           curl -H "Authorization: Bearer ${config.approverTokensGenerated ? token[0] : "<token>"}" ${where.base}/approvals` : "",
    "",
  ].filter((l) => l !== "");
  return lines.join("\n") + "\n\n";
}
