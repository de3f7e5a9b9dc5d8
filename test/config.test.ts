// Configuration: defaults for offline mode, production requirements, and errors that name the bad variable.
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../app/config.js";

function errorOf(env: Record<string, string>, argv: string[] = []): ConfigError {
  try {
    loadConfig(env, argv);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("runs offline with nothing set", () => {
    const c = loadConfig({}, []);
    expect(c).toMatchObject({
      mode: "offline",
      embeddedDatabase: true,
      simulator: true,
      role: "all",
      host: "127.0.0.1",
      port: 4280,
      decider: "rules",
      dataDir: ".billops",
      database: { kind: "embedded", pgPort: 54329 },
      worker: { concurrency: 4, maxAttempts: 5, leaseSeconds: 60 },
      approverTokensGenerated: true,
    });
    // No AUTO_REFUND_LIMIT: the policy's per-currency limits.
    expect(c.policy.auto_refund_limit.kind).toBe("per_currency");
    const [token, name] = [...c.approverTokens][0];
    expect(name).toBe("local");
    expect(token.length).toBeGreaterThanOrEqual(16);
  });

  it("reads production settings and flags", () => {
    const c = loadConfig(
      {
        DATABASE_URL: "postgres://u@db/billops",
        STRIPE_SECRET_KEY: "sk_test_abc",
        STRIPE_WEBHOOK_SECRET: "whsec_abc",
        APPROVER_TOKENS: "alice:aaaaaaaaaaaaaaaa1, bob:bbbbbbbbbbbbbbbb2",
        OPENAI_API_KEY: "sk-x",
        AUTO_REFUND_LIMIT: "0",
        STRIPE_CATALOG_TTL_SECONDS: "0",
      },
      ["--role", "worker", "--port", "9000"],
    );
    expect(c).toMatchObject({ mode: "production", role: "worker", port: 9000, decider: "hybrid", catalogTtlSeconds: 0 });
    // AUTO_REFUND_LIMIT keeps its historical meaning: minor units in any currency.
    expect(c.policy.auto_refund_limit).toEqual({ kind: "minor_any", minor: 0 });
    expect(loadConfig({}, []).catalogTtlSeconds).toBe(60);
    expect(c.approverTokens.get("bbbbbbbbbbbbbbbb2")).toBe("bob");
    expect(loadConfig({ OPENAI_BASE_URL: "http://localhost:11434/v1" }, ["--decider", "llm"]).decider).toBe("llm");
  });

  it("missed-event recovery: off offline, hourly against Stripe, BILLOPS_RECONCILE_INTERVAL_SECONDS sets or stops it", () => {
    const prod = { STRIPE_SECRET_KEY: "sk_test_abc", STRIPE_WEBHOOK_SECRET: "whsec_abc", APPROVER_TOKENS: "alice:aaaaaaaaaaaaaaaa1" };
    const endpoint = { STRIPE_API_BASE: "http://127.0.0.1:12111", STRIPE_WEBHOOK_SECRET: "whsec_local" };
    expect(loadConfig({}, []).reconcileIntervalSeconds).toBeNull();
    expect(loadConfig(endpoint, []).reconcileIntervalSeconds).toBeNull();
    expect(loadConfig(prod, []).reconcileIntervalSeconds).toBe(3600);
    expect(loadConfig({ ...prod, BILLOPS_RECONCILE_INTERVAL_SECONDS: "0" }, []).reconcileIntervalSeconds).toBeNull();
    expect(loadConfig({ ...prod, BILLOPS_RECONCILE_INTERVAL_SECONDS: "900" }, []).reconcileIntervalSeconds).toBe(900);
    expect(loadConfig({ BILLOPS_RECONCILE_INTERVAL_SECONDS: "60" }, []).reconcileIntervalSeconds).toBe(60);
    expect(loadConfig({ BILLOPS_RECONCILE_INTERVAL_SECONDS: "" }, []).reconcileIntervalSeconds).toBeNull();
  });

  it("STRIPE_API_BASE: one Stripe-compatible endpoint for split web and worker processes, offline", () => {
    const env = { STRIPE_API_BASE: "http://127.0.0.1:12111", STRIPE_WEBHOOK_SECRET: "whsec_local" };
    for (const role of ["web", "worker", "all"]) {
      const c = loadConfig(env, ["--role", role]);
      expect(c.stripe).toEqual({ kind: "endpoint", baseUrl: "http://127.0.0.1:12111", secretKey: "sk_test_billops_endpoint", webhookSecret: "whsec_local" });
      expect(c.simulator).toBe(false);
      expect(c.mode).toBe("mixed");
    }
    expect(loadConfig({ ...env, STRIPE_SECRET_KEY: "sk_test_mine" }, []).stripe).toMatchObject({ kind: "endpoint", secretKey: "sk_test_mine" });
    // Without it, split roles offline say what to set.
    expect(errorOf({}, ["--role", "web"]).message).toMatch(/STRIPE_API_BASE/);
  });

  it.each([
    [{ PORT: "eighty" }, [], "PORT"],
    [{ AUTO_REFUND_LIMIT: "-1" }, [], "AUTO_REFUND_LIMIT"],
    [{ WORKER_CONCURRENCY: "1.5" }, [], "WORKER_CONCURRENCY"],
    [{ STRIPE_CATALOG_TTL_SECONDS: "-5" }, [], "STRIPE_CATALOG_TTL_SECONDS"],
    [{ OPENAI_BASE_URL: "not a url" }, [], "OPENAI_BASE_URL"],
    [{ BILLOPS_DECIDER: "magic" }, [], "BILLOPS_DECIDER"],
    [{ BILLOPS_DECIDER: "llm" }, [], "BILLOPS_DECIDER"],
    [{ DATABASE_URL: "mysql://x" }, [], "DATABASE_URL"],
    [{ STRIPE_SECRET_KEY: "sk_test_1", APPROVER_TOKENS: "a:aaaaaaaaaaaaaaaa" }, [], "STRIPE_WEBHOOK_SECRET"],
    [{ STRIPE_SECRET_KEY: "sk_test_1", STRIPE_WEBHOOK_SECRET: "secret" }, [], "STRIPE_WEBHOOK_SECRET"],
    [{ STRIPE_SECRET_KEY: "sk_test_1", STRIPE_WEBHOOK_SECRET: "whsec_1" }, [], "APPROVER_TOKENS"],
    [{ APPROVER_TOKENS: "alice:short" }, [], "APPROVER_TOKENS"],
    [{ LOG_LEVEL: "loud" }, [], "LOG_LEVEL"],
    [{ LOG_FORMAT: "xml" }, [], "LOG_FORMAT"],
    [{}, ["--role", "cook"], "--role"],
    [{}, ["--role", "worker"], "--role"],
    [{ DATABASE_URL: "postgres://x/y" }, ["--role", "web"], "--role"],
    [{}, ["--port", "x"], "--port"],
    [{ STRIPE_API_BASE: "127.0.0.1:12111" }, [], "STRIPE_API_BASE"],
    [{ STRIPE_API_BASE: "ftp://127.0.0.1:12111" }, [], "STRIPE_API_BASE"],
    [{ STRIPE_API_BASE: "http://127.0.0.1:12111" }, ["--role", "worker"], "STRIPE_WEBHOOK_SECRET"],
    [{ BILLOPS_RECONCILE_INTERVAL_SECONDS: "hourly" }, [], "BILLOPS_RECONCILE_INTERVAL_SECONDS"],
    [{ BILLOPS_RECONCILE_INTERVAL_SECONDS: "30" }, [], "BILLOPS_RECONCILE_INTERVAL_SECONDS"],
    [{ BILLOPS_RECONCILE_INTERVAL_SECONDS: "-1" }, [], "BILLOPS_RECONCILE_INTERVAL_SECONDS"],
    [{ BILLOPS_RECONCILE_INTERVAL_SECONDS: "90000" }, [], "BILLOPS_RECONCILE_INTERVAL_SECONDS"],
    [{ BILLOPS_RECONCILE_INTERVAL_SECONDS: "600.5" }, [], "BILLOPS_RECONCILE_INTERVAL_SECONDS"],
  ] as Array<[Record<string, string>, string[], string]>)("%j %j → names %s", (env, argv, variable) => {
    const err = errorOf(env, argv);
    expect(err.variable).toBe(variable);
    expect(err.message.startsWith(`${variable}: `)).toBe(true);
  });
});
