// The policy file: every setting of the schema can be set (walked off the schema, so settings added later are covered),
// JSON and YAML read alike, a bad key or value names itself, and AUTO_REFUND_LIMIT may not contradict the file.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { DEFAULT_POLICY_CONFIG, PolicyConfigSchema, policyLeaves } from "../domain/policy-config.js";
import { thresholdFor } from "../domain/money-threshold.js";
import { loadPolicy, mergePolicyInput, PolicyFileError, readPolicyFile } from "./policy-file.js";
import { ConfigError, loadConfig } from "./config.js";

const dir = mkdtempSync(join(tmpdir(), "billops-policy-"));
let n = 0;
function file(name: string, text: string): string {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, text);
  return path;
}

function errorOf(f: () => unknown): PolicyFileError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyFileError);
    return err as PolicyFileError;
  }
  throw new Error("expected a PolicyFileError");
}

/** Sets `path` (dotted) in a nested object. */
function setAt(obj: Record<string, any>, path: string, value: unknown) {
  const keys = path.split(".");
  let o = obj;
  for (const k of keys.slice(0, -1)) o = o[k] ??= {};
  o[keys.at(-1)!] = value;
}

/** Another value the schema accepts for a number setting: one up, else one down, else half. */
function another(path: string, value: number): number {
  for (const candidate of Number.isInteger(value) ? [value + 1, value - 1] : [value / 2, Math.min(1, value + 0.1)]) {
    const input = {};
    setAt(input, path, candidate);
    if (PolicyConfigSchema.safeParse(input).success) return candidate;
  }
  throw new Error(`no other value for ${path}`);
}

describe("every policy setting from a file", () => {
  const numeric = Object.entries(policyLeaves(DEFAULT_POLICY_CONFIG)).filter(([, v]) => typeof v === "number") as [string, number][];

  it("covers the schema's settings", () => {
    expect(numeric.map(([k]) => k)).toEqual(expect.arrayContaining(["grace_days", "good_customer.min_tenure_days", "network_retry_limits.visa", "min_auto_confidence"]));
  });

  it.each(numeric)("%s, in YAML and in JSON", (path, value) => {
    const changed = another(path, value);
    const input = {};
    setAt(input, path, changed);
    for (const f of [file("p.yaml", stringify(input)), file("p.json", JSON.stringify(input))]) {
      const loaded = loadPolicy({ file: f });
      expect(policyLeaves(loaded.policy)[path]).toBe(changed);
      expect(loaded.origins[path]).toBe("file");
      // Everything else keeps its default.
      for (const [other, v] of numeric) if (other !== path) expect(policyLeaves(loaded.policy)[other]).toBe(v);
    }
  });

  it("reads a whole operator's file, the catalog included", () => {
    const f = file(
      "ops.yaml",
      `# refunds up to $75 run alone
auto_refund_limit: 7500
good_customer:
  min_tenure_days: 365
network_retry_limits:
  amex: 8
catalog:
  basic: price_basic_m
  pro: price_pro_m
approval_timeout_hours: 24
`,
    );
    const loaded = loadPolicy({ file: f });
    expect(loaded.policy).toMatchObject({ auto_refund_limit: { kind: "minor_any", minor: 7500 }, good_customer: { min_tenure_days: 365, min_paid_invoices: 3 }, network_retry_limits: { amex: 8, visa: 15 }, catalog: { basic: "price_basic_m", pro: "price_pro_m" }, approval_timeout_hours: 24 });
    expect(loaded.origins).toMatchObject({ auto_refund_limit: "file", "good_customer.min_tenure_days": "file", "good_customer.min_paid_invoices": "default", "catalog.pro": "file", grace_days: "default" });
    expect(loaded.file).toBe(f);
  });

  it.each(["auto_refund_limit", "escalate_amount", "customer_refund_limit", "dispute_fee"])("%s per currency, in YAML and in JSON", (key) => {
    const input = { [key]: { usd: 75, jpy: 9000, kwd: "12.5", default: 20 } };
    for (const f of [file("t.yaml", stringify(input)), file("t.json", JSON.stringify(input))]) {
      const loaded = loadPolicy({ file: f });
      const t = (loaded.policy as Record<string, any>)[key];
      expect([thresholdFor(t, "usd"), thresholdFor(t, "jpy"), thresholdFor(t, "kwd"), thresholdFor(t, "eur")]).toEqual([7500, 9000, 12500, 2000]);
      expect(loaded.origins[key]).toBe("file");
      expect(policyLeaves(loaded.policy)[key]).toEqual({ usd: "75.00", jpy: "9000", kwd: "12.500", default: "20" });
    }
  });

  it("a threshold in a currency with too many decimals names the currency", () => {
    const e = errorOf(() => readPolicyFile(file("jpy.yaml", "auto_refund_limit:\n  jpy: 10.5\n")));
    expect(e.key).toBe("auto_refund_limit.jpy");
  });

  it("an empty file means the defaults", () => {
    expect(loadPolicy({ file: file("empty.yaml", "# nothing yet\n") }).policy).toEqual(DEFAULT_POLICY_CONFIG);
  });
});

describe("a bad policy file names what is wrong", () => {
  it.each([
    ["typo.yaml", "auto_refund_limt: 2000\n", "auto_refund_limt", /unknown setting \(did you mean auto_refund_limit\?\)/],
    ["nested.yaml", "good_customer:\n  min_tenure: 30\n", "good_customer.min_tenure", /unknown setting \(did you mean good_customer.min_tenure_days\?\)/],
    ["stranger.json", '{"refund_everything": true}', "refund_everything", /^unknown setting$/],
    ["deep.yaml", "auto_refund_limit: 100\ngood_customer:\n  min_paid_invoices: 2\n  min_tenur_days: 30\n", "good_customer.min_tenur_days", /did you mean good_customer.min_tenure_days/],
    ["decimal.yaml", "auto_refund_limit: 12.5\n", "auto_refund_limit", /expected int/i],
    ["negative.json", '{"auto_refund_limit": -1}', "auto_refund_limit", /0|small/i],
    ["string.yaml", 'grace_days: "seven"\n', "grace_days", /number/],
    ["range.yaml", "min_auto_confidence: 1.5\n", "min_auto_confidence", /1|big/i],
    ["catalog.yaml", "catalog:\n  pro: 3\n", "catalog.pro", /string/],
  ])("%s", (name, text, key, problem) => {
    const e = errorOf(() => readPolicyFile(file(name, text)));
    expect(e.key).toBe(key);
    expect(e.problem).toMatch(problem);
    expect(e.message).toContain(`${key}: `);
  });

  it.each([
    ["dup.yaml", "auto_refund_limit: 100\nauto_refund_limit: 900000\n", /not valid YAML.*unique|duplicate/i],
    ["broken.json", '{"auto_refund_limit": 100,}', /not valid JSON/],
    ["list.yaml", "- auto_refund_limit: 100\n", /must be a mapping/],
    ["scalar.yaml", "5000\n", /must be a mapping/],
  ])("%s", (name, text, problem) => {
    expect(errorOf(() => readPolicyFile(file(name, text))).message).toMatch(problem);
  });

  it("a missing file", () => {
    expect(errorOf(() => readPolicyFile(join(dir, "nope.yaml"))).message).toMatch(/cannot read the file \(ENOENT\)/);
  });
});

describe("AUTO_REFUND_LIMIT and the file", () => {
  const limit = (text: string) => file("limit.yaml", text);
  it("the variable alone still sets the limit", () => {
    const loaded = loadPolicy({ env: { AUTO_REFUND_LIMIT: "2500" } });
    expect(loaded.policy.auto_refund_limit).toEqual({ kind: "minor_any", minor: 2500 });
    expect(loaded.origins.auto_refund_limit).toBe("env:AUTO_REFUND_LIMIT");
  });
  it("agreeing with the file is fine; contradicting it stops", () => {
    expect(loadPolicy({ file: limit("auto_refund_limit: 2500\n"), env: { AUTO_REFUND_LIMIT: "2500" } }).policy.auto_refund_limit).toEqual({ kind: "minor_any", minor: 2500 });
    expect(errorOf(() => loadPolicy({ file: limit("auto_refund_limit: 2500\n"), env: { AUTO_REFUND_LIMIT: "9000" } })).message).toMatch(/AUTO_REFUND_LIMIT=9000 and .* disagree/);
  });
});

describe("loadConfig with BILLOPS_POLICY", () => {
  it("parses the file once at start", () => {
    const c = loadConfig({ BILLOPS_POLICY: file("ok.yaml", "auto_refund_limit: 20000\ngrace_days: 10\n") }, []);
    expect(c.policy).toMatchObject({ auto_refund_limit: { kind: "minor_any", minor: 20000 }, grace_days: 10 });
    expect(c.policySource.origins.grace_days).toBe("file");
  });
  it("a bad key stops start-up naming BILLOPS_POLICY, the file and the key", () => {
    const f = file("bad.yaml", "auto_refund_limit: 20000\nrefund_limit_per_customer_typo: 3\n");
    let err: unknown;
    try {
      loadConfig({ BILLOPS_POLICY: f }, []);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe("BILLOPS_POLICY");
    expect((err as ConfigError).message).toBe(`BILLOPS_POLICY: ${f}: refund_limit_per_customer_typo: unknown setting`);
  });
});

describe("mergePolicyInput", () => {
  it("merges nested settings key by key; the later wins", () => {
    expect(mergePolicyInput({ auto_refund_limit: 1, good_customer: { min_tenure_days: 30, min_paid_invoices: 1 } }, { good_customer: { min_tenure_days: 60 } })).toEqual({
      auto_refund_limit: 1,
      good_customer: { min_tenure_days: 60, min_paid_invoices: 1 },
    });
    expect(mergePolicyInput({ catalog: { a: "price_a" } }, undefined)).toEqual({ catalog: { a: "price_a" } });
  });
});
