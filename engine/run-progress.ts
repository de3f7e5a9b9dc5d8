// A resumed run's progress, node by node, for clients that watch it (Agent Inbox shows the node a run is in).
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";

/** One node starting or ending, in the shape of LangChain's stream events (`streamMode: "events"`). */
export interface NodeEvent {
  event: "on_chain_start" | "on_chain_end" | "on_chain_error";
  name: string;
  run_id: string;
  tags: string[];
  metadata: Record<string, unknown>;
  data: Record<string, unknown>;
}

export type RunProgress = (event: NodeEvent) => void;

/** Only the graph's own nodes: a node's inner runnables (a model call, a parser) carry its metadata too. */
function nodeOf(runName: string | undefined, metadata: Record<string, unknown> | undefined): string | null {
  const node = metadata?.langgraph_node;
  return typeof node === "string" && node === runName ? node : null;
}

function pick(metadata: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // What identifies the step; the rest of the metadata (checkpoint namespaces, the run config) is no client's business.
  for (const k of ["thread_id", "langgraph_step", "langgraph_node", "langgraph_triggers", "langgraph_path"]) if (metadata?.[k] !== undefined) out[k] = metadata[k];
  return out;
}

class ProgressHandler extends BaseCallbackHandler {
  name = "billops_run_progress";
  // Delivered before invoke returns, so a stream never closes ahead of its last node.
  override awaitHandlers = true;
  private readonly nodes = new Map<string, { name: string; tags: string[]; metadata: Record<string, unknown> }>();

  constructor(private readonly report: RunProgress) {
    super();
  }

  // LangChain's manager passes (chain, inputs, runId, parentRunId, tags, metadata, runType, runName).
  override handleChainStart(_chain: unknown, _inputs: unknown, runId: string, _parent?: string, tags?: string[], metadata?: Record<string, unknown>, _runType?: string, runName?: string): void {
    const node = nodeOf(runName, metadata);
    if (!node) return;
    const seen = { name: node, tags: tags ?? [], metadata: pick(metadata) };
    this.nodes.set(runId, seen);
    this.report({ event: "on_chain_start", name: node, run_id: runId, tags: seen.tags, metadata: seen.metadata, data: {} });
  }

  override handleChainEnd(_outputs: unknown, runId: string): void {
    const seen = this.nodes.get(runId);
    if (!seen) return;
    this.nodes.delete(runId);
    this.report({ event: "on_chain_end", name: seen.name, run_id: runId, tags: seen.tags, metadata: seen.metadata, data: {} });
  }

  override handleChainError(err: Error, runId: string): void {
    const seen = this.nodes.get(runId);
    if (!seen) return;
    this.nodes.delete(runId);
    // An interrupt is how a node waits for a person, not a failure; LangGraph raises it as an error.
    const interrupted = err?.name === "GraphInterrupt" || err?.name === "NodeInterrupt";
    this.report({ event: interrupted ? "on_chain_end" : "on_chain_error", name: seen.name, run_id: runId, tags: seen.tags, metadata: seen.metadata, data: interrupted ? { interrupted: true } : {} });
  }
}

/** A LangChain callback handler reporting each graph node's start and end to `report`. */
export function progressHandler(report: RunProgress): BaseCallbackHandler {
  return new ProgressHandler(report);
}
