// The whole wiring on one screen, in the order of DESIGN.md's flow:
// supervisor → dunning | subscription | dispute | refund → apply_guard → await_approval? → act → (follow-up approval) → END
// A decision is settled into the thread's history by the node that finishes it (see nodes/record/settle.ts).
// The worker starts a routed Stripe event's run at its specialist, with the supervisor's writes in the input
// (engine/case-service.ts startOf); support requests, events routed nowhere and runs from START go through the supervisor node.
// (DESIGN.md calls the nodes guard and approval; LangGraph forbids a node named like a state channel, and the state
// keeps DESIGN.md's channel names.)
import { Command, END, START, StateGraph, type BaseCheckpointSaver, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { CaseState, type CaseStateType, type CaseStateUpdate } from "./state.js";
import { supervisorNode, afterSupervisor } from "../nodes/supervisor/node.js";
import { specialistNode } from "../nodes/specialist/node.js";
import { guardNode, afterGuard } from "../nodes/guard/node.js";
import { approvalNode, afterApproval } from "../nodes/approval/node.js";
import { actNode } from "../nodes/act/node.js";
import { afterAct } from "../nodes/record/settle.js";
import { storable } from "../domain/storable-text.js";
import type { GraphDeps } from "../nodes/deps.js";

export const GRAPH_ID = "billops";

type Node = (s: CaseStateType, c: LangGraphRunnableConfig) => Promise<CaseStateUpdate>;

/**
 * Every node's update goes into the thread through here: text PostgreSQL or Stripe cannot take (a NUL or a lone
 * surrogate in a customer's name, a description, a model's answer) is replaced and the replacement logged, so the
 * case's checkpoints, audit lines, approvals and Stripe writes can always be stored (domain/storable-text.ts).
 */
function storableUpdate(update: CaseStateUpdate, state: CaseStateType, config: LangGraphRunnableConfig): CaseStateUpdate {
  const { value, replaced } = storable(update);
  if (replaced.length > 0) {
    const node = config.metadata?.langgraph_node;
    (config.context as GraphDeps | undefined)?.logger?.warn({ case: state.caseKey, node, fields: replaced }, "replaced NUL or lone surrogates in case data with U+FFFD");
  }
  return value;
}

const storableNode = (node: Node): Node => async (state, config) => storableUpdate(await node(state, config), state, config);

/**
 * A node that picks its successor itself: the routing function sees the state with the node's update applied and
 * the node returns Command({update, goto}). Same routes as a conditional edge, without a separate routing runnable
 * per step. Only for routing functions that read last-value channels (route, guard, decision, approval, followUp),
 * where "state with the update applied" is a plain spread.
 */
function routed(node: Node, next: (s: CaseStateType) => string) {
  return async (state: CaseStateType, config: LangGraphRunnableConfig) => {
    const update = storableUpdate(await node(state, config), state, config);
    return new Command({ update, goto: next({ ...state, ...update } as CaseStateType) });
  };
}

export function buildGraph() {
  return new StateGraph(CaseState)
    .addNode("supervisor", routed(supervisorNode, afterSupervisor), { ends: ["dunning", "subscription", "dispute", "refund", END] })
    .addNode("dunning", storableNode(specialistNode("dunning")))
    .addNode("subscription", storableNode(specialistNode("subscription")))
    .addNode("dispute", storableNode(specialistNode("dispute")))
    .addNode("refund", storableNode(specialistNode("refund")))
    .addNode("apply_guard", routed(guardNode, afterGuard), { ends: ["await_approval", "act", END] })
    .addNode("await_approval", routed(approvalNode, afterApproval), { ends: ["act", "await_approval", END] })
    .addNode("act", routed(actNode, afterAct), { ends: ["await_approval", END] })
    .addEdge(START, "supervisor")
    .addEdge("dunning", "apply_guard")
    .addEdge("subscription", "apply_guard")
    .addEdge("dispute", "apply_guard")
    .addEdge("refund", "apply_guard");
}

export function compileGraph(checkpointer?: BaseCheckpointSaver) {
  return buildGraph().compile({ checkpointer, name: GRAPH_ID });
}

export type CaseGraph = ReturnType<typeof compileGraph>;
