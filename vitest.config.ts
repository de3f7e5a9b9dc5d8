// Test runner settings: real PostgreSQL and real HTTP, so generous timeouts and few parallel files on 2 cores.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["**/node_modules/**", ".billops/**", "test-output/**"],
    // DATABASE_URL, or the machine's server, or an embedded PostgreSQL on a bare machine.
    globalSetup: ["test/support/global-database.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default"],
  },
});
