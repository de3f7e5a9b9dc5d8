// When the newest Stripe event the inbox holds was created (Stripe's clock): where a first reconcile run starts.
import type { Queryable } from "./types.js";

// The last thousand arrivals, not the whole table: cheap on the seq index, and wide enough that an event delivered
// late (older `created`, newer seq) does not hide a newer one.
const SQL = `
  select max(created) as created from (
    select (payload ->> 'created')::bigint as created from stripe_events
     where source = 'stripe' order by seq desc limit 1000
  ) recent`;

export async function newestStripeEventCreated(db: Queryable): Promise<number | null> {
  const { rows } = await db.query<{ created: string | null }>(SQL);
  return rows[0]?.created == null ? null : Number(rows[0].created);
}
