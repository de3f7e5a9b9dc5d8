// A crash at a chosen point, for crash tests run in a child process: SIGKILL (no cleanup, no rollback sent, exactly
// as a killed worker) once the process's queries have stored CRASH_AFTER_EVENTS inbox rows. Patching pg's Client
// reaches every connection of every pool in the process, whichever module sends the insert.
import pg from "pg";

export function crashAfterStoredEvents(limit: number): void {
  let stored = 0;
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string } | undefined;
    const text = typeof first === "string" ? first : (first?.text ?? "");
    if (!/insert\s+into\s+stripe_events/i.test(text)) return original.apply(this, args);
    const count = (res: pg.QueryResult | undefined) => {
      stored += res?.rowCount ?? 0;
      if (stored >= limit) process.kill(process.pid, "SIGKILL");
    };
    // pg.Pool#query calls the client with a callback; code holding a client awaits the promise.
    const last = args.at(-1);
    if (typeof last === "function") {
      return original.apply(this, [...args.slice(0, -1), (err: Error | null, res: pg.QueryResult) => (err ? last(err) : (count(res), last(err, res)))]);
    }
    return (original.apply(this, args) as Promise<pg.QueryResult>).then((res) => (count(res), res));
  };
}
