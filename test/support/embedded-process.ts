// Starts the embedded PostgreSQL in its own OS process (for the kill-and-recover test); reports its url over IPC.
// Env: BILLOPS_DATA_DIR, BILLOPS_PG_PORT.
import { startEmbeddedPostgres } from "../../db/embedded.js";
import { silentLogger } from "../../telemetry/log.js";

const pg = await startEmbeddedPostgres({
  dataDir: process.env.BILLOPS_DATA_DIR!,
  port: Number(process.env.BILLOPS_PG_PORT),
  logger: silentLogger,
});
process.send?.({ url: pg.url, origin: pg.origin });
// Stay up until killed.
setInterval(() => undefined, 60_000);
