import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Unit tests are fast; the end-to-end tests that build binaries set their own, longer timeouts.
    testTimeout: 10_000,
    hookTimeout: 180_000,
    // Builds inject a 120 MB binary each; two at a time is what the 2-core CI machine handles well.
    maxWorkers: 2,
  },
});
