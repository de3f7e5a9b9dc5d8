// The question a person is asked: its deterministic id and the Agent Inbox HumanInterrupt built from a decision.
import type { HumanInterrupt } from "@langchain/langgraph/prebuilt";
import { createHash } from "node:crypto";
import type { DecisionRecord } from "../../domain/case-state.js";

export function approvalId(caseKey: string, decisionId: string, action: string): string {
  return `apr_${createHash("sha256").update(`${caseKey}\n${decisionId}\n${action}`).digest("hex").slice(0, 24)}`;
}

/** `understood`: what billops read in the customer's message, one line an ask (support requests only). */
export function approvalRequest(decision: Pick<DecisionRecord, "action" | "params" | "rationale" | "domain">, reasons: string[], caseKey: string, understood: string[] = []): HumanInterrupt {
  return {
    action_request: { action: decision.action, args: decision.params },
    config: { allow_accept: true, allow_edit: true, allow_respond: true, allow_ignore: true },
    description: [
      `**${caseKey}** — ${decision.domain}: proposed \`${decision.action}\`.`,
      "",
      `Why: ${decision.rationale}`,
      reasons.length ? `Needs a person because: ${reasons.join("; ")}` : "",
      understood.length ? `The customer's message, as understood:\n${understood.map((l) => `- ${l}`).join("\n")}` : "",
      "Accept to run it, edit the arguments, respond to reject with a reason, or ignore to do nothing.",
    ]
      .filter(Boolean)
      .join("\n"),
  };
}
