// langgraph.json points LangGraph Studio / `npx @langchain/langgraph-cli dev` at a compiled graph with billops' nodes.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { CompiledStateGraph } from "@langchain/langgraph";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

describe("langgraph.json", () => {
  it("names a Node 20 graph whose path resolves to the compiled billops graph", async () => {
    const config = JSON.parse(readFileSync(resolve(ROOT, "langgraph.json"), "utf8"));
    expect(config.node_version).toBe("20");
    const entries = Object.entries(config.graphs as Record<string, string>);
    expect(entries.map(([id]) => id)).toEqual(["billops"]);
    const [file, exportName] = entries[0]![1].split(":");
    const mod = await import(pathToFileURL(resolve(ROOT, file!)).href);
    const graph = mod[exportName!];
    expect(graph).toBeInstanceOf(CompiledStateGraph);
    // The platform supplies the checkpointer; one compiled in here would be used instead of the platform's.
    expect(graph.checkpointer).toBeUndefined();
    const nodes = Object.keys(graph.nodes).filter((n) => n !== "__start__").sort();
    expect(nodes).toEqual(["act", "apply_guard", "await_approval", "dispute", "dunning", "refund", "subscription", "supervisor"].sort());
    const drawn = (await graph.getGraphAsync()).edges.map((e: { source: string; target: string }) => `${e.source}->${e.target}`);
    expect(drawn).toContain("__start__->supervisor");
    expect(drawn).toContain("refund->apply_guard");
  });
});
