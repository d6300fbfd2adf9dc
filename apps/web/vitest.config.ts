import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [vue()],
  test: {
    include: ["src/**/*.test.ts", "e2e/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // What a second browser shows arrives through a real server: on a busy 2-core machine that
    // can take longer than the 1 s a poll waits by default.
    expect: { poll: { timeout: 10_000 } },
  },
});
