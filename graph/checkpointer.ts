// The Postgres checkpointer billops runs on: LangGraph's PostgresSaver, with each checkpoint stored in one statement.
//
// PostgresSaver.put inserts every changed channel's blob with its own query inside a transaction, and putWrites one
// query per write. billops' state has a dozen channels, so a step cost a dozen round trips; with durability "sync"
// (needed for crash safety, see engine/case-service.ts) the worker waited on all of them. This subclass writes the same rows with
// the same conflict rules in one statement each. Reads, listing and setup are PostgresSaver's own.
//
// The worker reads a thread's state before it runs an event (getState: is it waiting on a person, did a run die
// half-way, was this event seen) and LangGraph then reads the same checkpoint again to start the run. Under the case
// lock nobody else writes the thread, so the worker reads the latest checkpoint once, in the round trip that takes
// the lock (latestRead), and hands it over (provide): reads of the thread's latest checkpoint are answered from
// it until anything is written to the thread or the worker lets go (forget).
//
// PostgresSaver never deletes: every step of every run stays, with a blob per changed channel and its pending writes.
// pruneThread deletes the checkpoints a caller no longer needs (engine/retention.ts keeps the latest and the ones
// replay needs), the pending writes a later checkpoint already holds, and the blobs no checkpoint left points at.
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { JsonPlusSerializer, WRITES_IDX_MAP, type ChannelVersions, type Checkpoint, type CheckpointMetadata, type CheckpointTuple, type PendingWrite, type SerializerProtocol } from "@langchain/langgraph-checkpoint";
import type { RunnableConfig } from "@langchain/core/runnables";
import type pg from "pg";
import { createHash } from "node:crypto";

const bytes = (u: Uint8Array | undefined | null): Buffer | null => (u == null ? null : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

/**
 * Blobs travel as one binary parameter with their offsets and lengths (-1 for none), cut apart by the statement:
 * node-pg sends a bytea[] parameter as text with every byte in hex, twice the size and built byte by byte in JS.
 */
function packBlobs(blobs: (Uint8Array | undefined | null)[]): { offsets: number[]; lengths: number[]; data: Buffer } {
  const offsets: number[] = [];
  const lengths: number[] = [];
  const parts: Buffer[] = [];
  let at = 0;
  for (const b of blobs) {
    const buf = bytes(b);
    offsets.push(at + 1);
    lengths.push(buf === null ? -1 : buf.length);
    if (buf !== null) {
      parts.push(buf);
      at += buf.length;
    }
  }
  return { offsets, lengths, data: Buffer.concat(parts) };
}

/** LangGraph's reserved task ids (NULL_TASK_ID and its kin): writes made outside any node, e.g. by updateState. */
const RESERVED_TASK_IDS = "00000000-0000-0000-0000-%";

const named = (text: string) => ({ name: `billops_cp_${createHash("sha1").update(text).digest("hex").slice(0, 16)}`, text });

/** The SQL expression that cuts blob `i` out of the packed parameter (see packBlobs). */
const unpacked = (data: string, offset: string, length: string) => `CASE WHEN ${length} < 0 THEN NULL ELSE substring(${data} FROM ${offset} FOR ${length}) END`;

/**
 * Plain JSON data: what JSON.stringify writes exactly as LangGraph's serializer does (no undefined, no classes but
 * those that turn themselves into a JSON primitive).
 */
export function isPlain(v: unknown, depth = 0): boolean {
  if (v === null || typeof v === "string" || typeof v === "boolean") return true;
  if (typeof v === "number") return Number.isFinite(v);
  if (typeof v !== "object" || depth > 64) return false;
  if (Array.isArray(v)) {
    for (const x of v) if (!isPlain(x, depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    // A value that writes itself as a JSON primitive (stripe-node's Decimal for `*_decimal` fields, Date): JSON.stringify
    // calls toJSON before LangGraph's replacer sees the value, so both write the same string.
    // (toJSON runs here and again in JSON.stringify; one that throws goes LangGraph's way, which writes a placeholder.)
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON !== "function") return false;
    let j: unknown;
    try {
      j = toJSON.call(v);
    } catch {
      return false;
    }
    return j === null || typeof j === "string" || typeof j === "boolean" || (typeof j === "number" && Number.isFinite(j));
  }
  for (const k in v) if (!isPlain((v as Record<string, unknown>)[k], depth + 1)) return false;
  return true;
}

/**
 * LangGraph's JSON serializer, with a fast path for plain data: it writes every value through a cycle-safe stringify
 * with a replacer, and reads every value back through an async reviver that visits each node of the tree. For state
 * that is plain JSON (billops' is: Stripe objects, decisions, audit lines) JSON.stringify writes the same bytes and
 * JSON.parse reads the same value; anything else (undefined, Set, Map, LangChain messages, `lc` records, cycles)
 * still goes LangGraph's way. Stored data is unchanged either way.
 */
export class PlainJsonFastSerializer extends JsonPlusSerializer {
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  override async dumpsTyped(obj: unknown): Promise<[string, Uint8Array]> {
    if (!(obj instanceof Uint8Array) && isPlain(obj)) return ["json", this.encoder.encode(JSON.stringify(obj))];
    return super.dumpsTyped(obj);
  }

  override async loadsTyped(type: string, data: Uint8Array | string): Promise<any> {
    if (type === "json") {
      const text = typeof data === "string" ? data : this.decoder.decode(data);
      // `"lc":` outside a string can only be a key: the records the reviver turns back into values.
      if (!text.includes('"lc":')) return JSON.parse(text);
    }
    return super.loadsTyped(type, data);
  }
}

/**
 * A provided tuple as a read from the database would give it: LangGraph changes the checkpoint it is given in place
 * (getState applies pending writes to it: channel versions, versions seen). Handing the same object out twice made
 * the run after a getState see a half-stored step as already applied, and run nothing.
 */
function copyOf(tuple: CheckpointTuple | undefined): CheckpointTuple | undefined {
  if (tuple === undefined) return undefined;
  const c = tuple.checkpoint;
  const versionsSeen = Object.fromEntries(Object.entries(c.versions_seen).map(([k, v]) => [k, { ...v }]));
  return {
    ...tuple,
    checkpoint: { ...c, channel_values: { ...c.channel_values }, channel_versions: { ...c.channel_versions }, versions_seen: versionsSeen },
    pendingWrites: tuple.pendingWrites?.map((w) => [...w] as typeof w),
  };
}

export class BatchedPostgresSaver extends PostgresSaver {
  private readonly db: pg.Pool;
  private readonly table: { blobs: string; checkpoints: string; writes: string };
  // Named statements, built once: each connection parses and plans them once (the text names the schema, so the
  // name hashes the text).
  private readonly sql: Record<"put" | "writes" | "upsertWrites" | "latest" | "prune", { name: string; text: string }>;

  constructor(pool: pg.Pool, serde: SerializerProtocol = new PlainJsonFastSerializer(), options: { schema?: string } = {}) {
    super(pool, serde, options);
    this.db = pool;
    const schema = `"${options.schema ?? "public"}"`;
    this.table = { blobs: `${schema}.checkpoint_blobs`, checkpoints: `${schema}.checkpoints`, writes: `${schema}.checkpoint_writes` };
    const { SELECT_SQL } = (this as unknown as { SQL_STATEMENTS: { SELECT_SQL: string } }).SQL_STATEMENTS;
    const writes = (conflict: string) =>
      named(`INSERT INTO ${this.table.writes} (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob)
       SELECT w.thread_id, w.checkpoint_ns, w.checkpoint_id, w.task_id, w.idx, w.channel, w.type, ${unpacked("$10::bytea", "w.off", "w.len")}
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::int[], $9::int[])
              AS w(thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, off, len)
       ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) ${conflict}`);
    this.sql = {
      put: named(`WITH blobs AS (
         INSERT INTO ${this.table.blobs} (thread_id, checkpoint_ns, channel, version, type, blob)
         SELECT b.thread_id, b.checkpoint_ns, b.channel, b.version, b.type, ${unpacked("$8::bytea", "b.off", "b.len")}
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[])
                AS b(thread_id, checkpoint_ns, channel, version, type, off, len)
         ON CONFLICT (thread_id, checkpoint_ns, channel, version) DO NOTHING
       )
       INSERT INTO ${this.table.checkpoints} (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint, metadata)
       VALUES ($9, $10, $11, $12, $13, $14)
       ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id)
       DO UPDATE SET checkpoint = EXCLUDED.checkpoint, metadata = EXCLUDED.metadata`),
      writes: writes("DO NOTHING"),
      upsertWrites: writes("DO UPDATE SET channel = EXCLUDED.channel, type = EXCLUDED.type, blob = EXCLUDED.blob"),
      latest: named(`${SELECT_SQL} WHERE thread_id = $1 AND checkpoint_ns = '' ORDER BY checkpoint_id DESC LIMIT 1`),
      // One statement, so every part sees the thread as it was: the checkpoints to delete (never the thread's latest,
      // whatever the caller asked); the pending writes of every checkpoint but the latest (a later checkpoint holds
      // what they wrote — only the latest's are still to be applied: an interrupt, a run cut short — but a run's input,
      // LangGraph's null-task writes, stays with the kept checkpoint it shapes); and the blobs no remaining
      // checkpoint's channel versions name.
      prune: named(`WITH latest AS (
         SELECT max(checkpoint_id) AS id FROM ${this.table.checkpoints} WHERE thread_id = $1 AND checkpoint_ns = ''
       ), doomed AS (
         DELETE FROM ${this.table.checkpoints} c
          WHERE c.thread_id = $1 AND c.checkpoint_ns = '' AND NOT (c.checkpoint_id = ANY ($2::text[]))
            AND c.checkpoint_id < (SELECT id FROM latest)
         RETURNING c.checkpoint_id
       ), writes AS (
         DELETE FROM ${this.table.writes} w
          WHERE w.thread_id = $1 AND w.checkpoint_ns = '' AND w.checkpoint_id < (SELECT id FROM latest)
            AND (w.checkpoint_id IN (SELECT checkpoint_id FROM doomed) OR w.task_id NOT LIKE '${RESERVED_TASK_IDS}'
                 -- a run's input written against the empty checkpoint of a new thread, which is never stored
                 OR NOT EXISTS (SELECT 1 FROM ${this.table.checkpoints} c WHERE c.thread_id = $1 AND c.checkpoint_ns = '' AND c.checkpoint_id = w.checkpoint_id))
         RETURNING 1
       ), live AS (
         SELECT DISTINCT v.key AS channel, v.value AS version
           FROM ${this.table.checkpoints} c, jsonb_each_text(c.checkpoint -> 'channel_versions') v
          WHERE c.thread_id = $1 AND c.checkpoint_ns = '' AND c.checkpoint_id NOT IN (SELECT checkpoint_id FROM doomed)
       ), blobs AS (
         DELETE FROM ${this.table.blobs} b
          WHERE b.thread_id = $1 AND b.checkpoint_ns = ''
            AND NOT EXISTS (SELECT 1 FROM live l WHERE l.channel = b.channel AND l.version = b.version)
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM doomed)::int AS checkpoints, (SELECT count(*) FROM writes)::int AS writes, (SELECT count(*) FROM blobs)::int AS blobs`),
    };
  }

  private readonly provided = new Map<string, CheckpointTuple | undefined>();

  /** The read of a thread's latest checkpoint row, to send in another round trip (see provide). */
  latestRead(threadId: string): { name: string; text: string; args: unknown[] } {
    return { ...this.sql.latest, args: [threadId] };
  }

  /**
   * Takes the row latestRead read (none: the thread has no checkpoint yet) as the thread's latest checkpoint.
   * The caller must hold the case lock from before that read until forget.
   */
  async provide(threadId: string, row: Record<string, any> | undefined): Promise<void> {
    const config = { configurable: { thread_id: threadId, checkpoint_ns: "" } };
    // Checkpoints older than format 4 need PostgresSaver's own migration of pending sends: read them its way.
    const tuple = row === undefined ? undefined : row.checkpoint?.v < 4 ? await super.getTuple(config) : await this.tupleOf(threadId, row);
    this.provided.set(threadId, tuple);
  }

  /** True when provide was given "no checkpoint" for the thread and nothing has been written to it since. */
  providedEmpty(threadId: string): boolean {
    return this.provided.has(threadId) && this.provided.get(threadId) === undefined;
  }

  /** Stops answering reads from what provide was given. */
  forget(threadId: string): void {
    this.provided.delete(threadId);
  }

  /** PostgresSaver.getTuple's reading of a row (format 4 and later). */
  private async tupleOf(threadId: string, row: Record<string, any>): Promise<CheckpointTuple> {
    const at = (checkpoint_id: string) => ({ configurable: { thread_id: threadId, checkpoint_ns: "", checkpoint_id } });
    return {
      config: at(row.checkpoint_id),
      checkpoint: await this._loadCheckpoint(row.checkpoint, row.channel_values),
      metadata: await this._loadMetadata(row.metadata),
      parentConfig: row.parent_checkpoint_id ? at(row.parent_checkpoint_id) : undefined,
      pendingWrites: await this._loadWrites(row.pending_writes),
    };
  }

  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = config.configurable?.thread_id as string | undefined;
    const latest = threadId !== undefined && !config.configurable?.checkpoint_id && (config.configurable?.checkpoint_ns ?? "") === "";
    if (latest && this.provided.has(threadId)) return copyOf(this.provided.get(threadId));
    return super.getTuple(config);
  }

  private touched(threadId: string): void {
    this.provided.delete(threadId);
  }

  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    if (config.configurable === undefined) throw new Error(`Missing "configurable" field in "config" param`);
    const { thread_id, checkpoint_ns = "", checkpoint_id } = config.configurable;
    this.touched(thread_id);
    const serializedCheckpoint = this._dumpCheckpoint(checkpoint);
    const [blobs, serializedMetadata] = await Promise.all([
      this._dumpBlobs(thread_id, checkpoint_ns, checkpoint.channel_values, newVersions),
      this._dumpMetadata(metadata),
    ]);
    // One statement is one transaction: the blobs and the checkpoint that points at them commit together.
    const packed = packBlobs(blobs.map((b) => b[5]));
    await this.db.query({
      ...this.sql.put,
      values: [
        blobs.map((b) => b[0]),
        blobs.map((b) => b[1]),
        blobs.map((b) => b[2]),
        blobs.map((b) => b[3]),
        blobs.map((b) => b[4]),
        packed.offsets,
        packed.lengths,
        packed.data,
        thread_id,
        checkpoint_ns,
        checkpoint.id,
        checkpoint_id,
        serializedCheckpoint,
        serializedMetadata,
      ],
    });
    return { configurable: { thread_id, checkpoint_ns, checkpoint_id: checkpoint.id } };
  }

  /**
   * Deletes the thread's checkpoints other than `keep` (and never its latest), every pending write but the latest
   * checkpoint's, and the blobs nothing left points at. Run it where nothing writes the thread meanwhile (under the
   * case lock).
   */
  async pruneThread(db: Pick<pg.Pool, "query"> | Pick<pg.PoolClient, "query">, threadId: string, keep: string[]): Promise<{ checkpoints: number; writes: number; blobs: number }> {
    this.touched(threadId);
    const { rows } = await db.query({ ...this.sql.prune, values: [threadId, keep] });
    return rows[0];
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    if (writes.length === 0) return;
    this.touched(config.configurable?.thread_id);
    // Same rule as PostgresSaver: special channels (errors, interrupts, resumes) replace, ordinary writes never do.
    const upsert = writes.every((w) => w[0] in WRITES_IDX_MAP);
    const dumped = await this._dumpWrites(config.configurable?.thread_id, config.configurable?.checkpoint_ns, config.configurable?.checkpoint_id, taskId, writes);
    // PostgresSaver applies the rows one after another, so with repeated keys the last one wins; one statement may
    // not touch a row twice, so keep only that last one.
    const rows = upsert ? [...new Map(dumped.map((r) => [r[4], r])).values()] : dumped;
    const packed = packBlobs(rows.map((r) => r[7]));
    await this.db.query({
      ...(upsert ? this.sql.upsertWrites : this.sql.writes),
      values: [
        rows.map((r) => r[0]),
        rows.map((r) => r[1] ?? ""),
        rows.map((r) => r[2]),
        rows.map((r) => r[3]),
        rows.map((r) => r[4]),
        rows.map((r) => r[5]),
        rows.map((r) => r[6]),
        packed.offsets,
        packed.lengths,
        packed.data,
      ],
    });
  }
}
