// The HTTP app alone (no worker, no graph), for tests of what it refuses or logs before any case runs.
import Stripe from "stripe";
import { createApp, type AppOptions } from "../../server/app.js";
import { createMetrics } from "../../telemetry/metrics.js";
import { DEFAULT_POLICY_CONFIG } from "../../domain/policy-config.js";

export function bareApp(o: Omit<AppOptions, "stripe" | "cases" | "operator"> & Partial<Pick<AppOptions, "stripe">>) {
  return createApp({
    stripe: new Stripe("sk_test_bare"),
    // The routes under test never reach a case.
    cases: {} as never,
    operator: { policy: DEFAULT_POLICY_CONFIG, metrics: createMetrics(), dashboard: { kind: "stripe", livemode: false } },
    ...o,
  });
}
