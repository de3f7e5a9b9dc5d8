// The house's import rule: layers import only downward, and nothing imports in a circle. `npm test` runs it
// (test/layers.test.ts); `npx depcruise --config .dependency-cruiser.cjs .` prints the same verdict by hand.
//
// The layers, top to bottom (README "Layout" says the same). A folder may import its own files and any layer below
// it, never one above; layers on one line are siblings and do not import each other.
//
//   evals, bench, test   run billops whole: scenarios, replay, benchmarks, tests
//   app                  the process: configuration, wiring (runtime), `npm start`, demo data
//   server               HTTP only: routes, webhook ingest, approval / request / case / event APIs, pages, auth
//   engine               runs cases: inbox queue, worker, case lock, scheduler, case service, outbox sender
//   graph                the LangGraph graph: channels, wiring, checkpointer, Studio entry
//   deciders             rules, llm, hybrid: turn a specialist's context into a proposed decision
//   nodes                supervisor, specialists (context, policy, schema, prompt), guard, approval, act, record
//   notifications        message templates
//   store | stripe | db  one module per table | Stripe gateway and simulator | pools, migrations, embedded PostgreSQL
//   domain | telemetry   shared vocabulary (actions, cases, money, clock, policy) | logs
//
// A test file (`*.test.ts`) beside its module counts as the top layer.
// Only the top (app, evals, bench, test) may start the Stripe simulator: billops' own layers talk to Stripe through
// the gateway, whichever Stripe answers.
const LAYERS = [
  ["evals", "bench", "test"],
  ["app"],
  ["server"],
  ["engine"],
  ["graph"],
  ["deciders"],
  ["nodes"],
  ["notifications"],
  ["store", "stripe", "db"],
  ["domain", "telemetry"],
];

// A test beside its module stands at the top, whatever folder it sits in: it may start a simulator or a database.
const TESTS = "\\.test\\.tsx?$";

const folder = (names) => `^(${names.join("|")})/`;

const upward = LAYERS.flatMap((layer, i) => {
  const above = LAYERS.slice(0, i).flat();
  const rules = [];
  if (above.length) {
    rules.push({
      name: `${layer.join("-")}-imports-upward`,
      comment: `${layer.join(", ")} may import only the layers below it (.dependency-cruiser.cjs lists them)`,
      severity: "error",
      from: { path: folder(layer), pathNot: TESTS },
      to: { path: folder(above) },
    });
  }
  for (const name of layer) {
    const siblings = layer.filter((n) => n !== name);
    if (siblings.length && i > 0) {
      rules.push({
        name: `${name}-imports-a-sibling`,
        comment: `${name} and ${siblings.join(", ")} are siblings: neither imports the other`,
        severity: "error",
        from: { path: folder([name]), pathNot: TESTS },
        to: { path: folder(siblings) },
      });
    }
  }
  return rules;
});

module.exports = {
  forbidden: [
    ...upward,
    {
      name: "no-circular",
      comment: "files that import each other in a loop cannot be read, tested or moved one at a time",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "simulator-only-from-the-top",
      comment: "only app, evals, bench and tests start the simulator; the rest talks to Stripe through the gateway",
      severity: "error",
      from: { path: "^(server|engine|graph|deciders|nodes|notifications|store|db|domain|telemetry|stripe/gateway)/", pathNot: TESTS },
      to: { path: "^stripe/sim/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|\\.billops|test-output|migrations)/" },
    // Type-only imports count: a lower layer reaching up for a type is still reaching up.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".tsx", ".js", ".json"] },
  },
};
