// The one type every table module takes: a pool or a client inside a transaction (e.g. under the case lock).
import type pg from "pg";

export type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;
