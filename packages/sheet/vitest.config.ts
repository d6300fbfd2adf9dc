import { defineConfig } from "vitest/config";

export default defineConfig({
  // Behaviour, not speed: on a busy 2-core machine a test that takes 1 s alone can take 6.
  test: { include: ["src/**/*.test.ts"], testTimeout: 30_000 },
});
