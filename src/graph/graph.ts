// The whole wiring on one screen, in the order of DESIGN.md's flow:
// supervisor → dunning | subscription | dispute | refund → apply_guard → await_approval? → act → (follow-up approval) → END
// A decision is settled into the thread's history by the node that finishes it (see nodes/record/settle.ts).
// (DESIGN.md calls the nodes guard and approval; LangGraph forbids a node named like a state channel, and the state
// keeps DESIGN.md's channel names.)
import { END, START, StateGraph, type BaseCheckpointSaver } from "@langchain/langgraph";
import { CaseState } from "./state.js";
import { supervisorNode, afterSupervisor } from "../nodes/supervisor/node.js";
import { specialistNode } from "../nodes/specialist/node.js";
import { guardNode, afterGuard } from "../nodes/guard/node.js";
import { approvalNode, afterApproval } from "../nodes/approval/node.js";
import { actNode } from "../nodes/act/node.js";
import { afterAct } from "../nodes/record/settle.js";

export const GRAPH_ID = "billops";

export function buildGraph() {
  return new StateGraph(CaseState)
    .addNode("supervisor", supervisorNode)
    .addNode("dunning", specialistNode("dunning"))
    .addNode("subscription", specialistNode("subscription"))
    .addNode("dispute", specialistNode("dispute"))
    .addNode("refund", specialistNode("refund"))
    .addNode("apply_guard", guardNode)
    .addNode("await_approval", approvalNode)
    .addNode("act", actNode)
    .addEdge(START, "supervisor")
    .addConditionalEdges("supervisor", afterSupervisor, ["dunning", "subscription", "dispute", "refund", END])
    .addEdge("dunning", "apply_guard")
    .addEdge("subscription", "apply_guard")
    .addEdge("dispute", "apply_guard")
    .addEdge("refund", "apply_guard")
    .addConditionalEdges("apply_guard", afterGuard, ["await_approval", "act", END])
    .addConditionalEdges("await_approval", afterApproval, ["act", END])
    .addConditionalEdges("act", afterAct, ["await_approval", END]);
}

export function compileGraph(checkpointer?: BaseCheckpointSaver) {
  return buildGraph().compile({ checkpointer, name: GRAPH_ID });
}

export type CaseGraph = ReturnType<typeof compileGraph>;
