// The graph as LangGraph Studio and the Agent Server load it (langgraph.json): compiled without a checkpointer,
// because the platform brings its own.
// Its nodes read billops' GraphDeps from the run's `context` (Stripe reads and writes, decider, policy, clock), as in
// engine/case-service.ts; the platform cannot build those from JSON, so Studio is for looking at the wiring and at stored
// threads, while runs with effects go through billops' own worker and approval API.
import { buildGraph, GRAPH_ID } from "./graph.js";

export const graph = buildGraph().compile({ name: GRAPH_ID });
