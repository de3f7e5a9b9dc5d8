// The batched saver writes what PostgresSaver writes: same blobs, same writes, same history, interrupts and resumes.
import { afterAll, beforeAll, expect, it } from "vitest";
import { Annotation, Command, END, START, StateGraph, interrupt, type BaseCheckpointSaver } from "@langchain/langgraph";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { createTestDatabase, type TestDatabase } from "../test/support/db.js";
import { BatchedPostgresSaver } from "./checkpointer.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.close());

const State = Annotation.Root({
  log: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  answer: Annotation<string | null>({ reducer: (_a, b) => b, default: () => null }),
  blob: Annotation<Record<string, unknown> | null>({ reducer: (_a, b) => b, default: () => null }),
});

function graph(saver: BaseCheckpointSaver) {
  return new StateGraph(State)
    .addNode("a", () => ({ log: ["a"], blob: { nested: { n: 1, text: "ünïcödé", list: [1, 2, 3] } } }))
    .addNode("ask", () => ({ answer: interrupt({ question: "ok?" }) as string, log: ["ask"] }))
    .addNode("b", () => ({ log: ["b"] }))
    .addEdge(START, "a").addEdge("a", "ask").addEdge("ask", "b").addEdge("b", END)
    .compile({ checkpointer: saver });
}

async function rows(thread: string) {
  const blobs = await db.pool.query("select channel, type, encode(blob, 'hex') as blob from checkpoint_blobs where thread_id = $1 order by channel, version", [thread]);
  const writes = await db.pool.query("select task_id is not null as t, idx, channel, type, encode(blob, 'hex') as blob from checkpoint_writes where thread_id = $1 order by channel, idx, blob", [thread]);
  const cps = await db.pool.query("select count(*)::int as n from checkpoints where thread_id = $1", [thread]);
  // An interrupt's id is derived from its thread and checkpoint, so only its shape can match across two threads.
  const w = writes.rows.map((r) => (r.channel === "__interrupt__" ? { ...r, blob: Buffer.from(r.blob, "hex").toString().replace(/"id":"[0-9a-f]+"/, '"id":"…"') } : r));
  return { blobs: blobs.rows, writes: w, checkpoints: cps.rows[0].n };
}

it("stores the same rows as PostgresSaver for a run with an interrupt and a resume", async () => {
  const plain = new PostgresSaver(db.pool, undefined, { schema: db.schema });
  await plain.setup();
  const batched = new BatchedPostgresSaver(db.pool, undefined, { schema: db.schema });
  for (const [saver, thread] of [[plain, "plain"], [batched, "batched"]] as const) {
    const g = graph(saver);
    const cfg = { configurable: { thread_id: thread }, durability: "sync" as const };
    const first = await g.invoke({ log: ["start"] }, cfg);
    expect((first as { __interrupt__?: { value: unknown }[] }).__interrupt__?.[0]?.value).toEqual({ question: "ok?" });
    const done = await g.invoke(new Command({ resume: "yes" }), cfg);
    expect(done).toMatchObject({ log: ["start", "a", "ask", "b"], answer: "yes" });
  }
  const a = await rows("plain");
  const b = await rows("batched");
  expect(b.checkpoints).toBe(a.checkpoints);
  expect(b.blobs).toEqual(a.blobs);
  expect(b.writes).toEqual(a.writes);
  expect(b.blobs.length).toBeGreaterThan(3);
  // Channels emptied by a step are stored without a blob: the packed transport keeps those NULL.
  expect(b.blobs.some((r) => r.type === "empty" && r.blob === null)).toBe(true);
  // And the batched thread reads back through PostgresSaver's own reader.
  const state = await graph(batched).getState({ configurable: { thread_id: "batched" } });
  expect(state.values).toMatchObject({ answer: "yes", blob: { nested: { text: "ünïcödé" } } });
  const history = [];
  for await (const s of graph(batched).getStateHistory({ configurable: { thread_id: "batched" } })) history.push(s);
  expect(history.length).toBe(a.checkpoints);
});

it("provide: reads of the latest checkpoint come from the row read with the lock, until the thread is written", async () => {
  const saver = new BatchedPostgresSaver(db.pool, undefined, { schema: db.schema });
  await saver.setup();
  const plain = new PostgresSaver(db.pool, undefined, { schema: db.schema });
  const g = graph(saver);
  const cfg = { configurable: { thread_id: "provided" }, durability: "sync" as const };
  let reads = 0;
  const spy = db.pool.query.bind(db.pool);
  const counting = (...a: Parameters<typeof spy>) => {
    const text = typeof a[0] === "string" ? a[0] : (a[0] as { text?: string })?.text ?? "";
    if (/^\s*select\s+thread_id,\s*checkpoint,/i.test(text)) reads++;
    return spy(...a);
  };
  const latest = saver.latestRead("provided");
  const latestRow = async () => (await spy(latest.text, latest.args)).rows[0];
  (db.pool as unknown as { query: unknown }).query = counting;
  try {
    // A thread that does not exist yet: its absence is provided too.
    await saver.provide("provided", await latestRow());
    expect(saver.providedEmpty("provided")).toBe(true);
    expect((await g.getState(cfg)).values).toEqual({});
    await g.invoke({ log: ["start"] }, cfg);
    expect(reads).toBe(0);
    expect(saver.providedEmpty("provided")).toBe(false);
    saver.forget("provided");

    // The interrupted thread: the row read "with the lock" answers the state read and the resume.
    await saver.provide("provided", await latestRow());
    const mine = await saver.getTuple({ configurable: { thread_id: "provided" } });
    const theirs = await plain.getTuple({ configurable: { thread_id: "provided" } });
    expect(mine).toEqual(theirs);
    reads = 0;
    expect((await g.getState(cfg)).tasks[0].interrupts.length).toBe(1);
    const done = await g.invoke(new Command({ resume: "yes" }), cfg);
    expect(done).toMatchObject({ log: ["start", "a", "ask", "b"], answer: "yes" });
    expect(reads).toBe(0);

    // The run wrote the thread: what was provided is gone, reads go to the database and see the run.
    expect((await g.getState(cfg)).values).toMatchObject({ answer: "yes" });
    expect(reads).toBe(1);
    saver.forget("provided");
    reads = 0;
    await g.getState(cfg);
    await g.getState(cfg);
    expect(reads).toBe(2);
  } finally {
    (db.pool as unknown as { query: unknown }).query = spy;
  }
});
