// Bundles the server with the workspace packages it uses (TypeScript source) into dist/index.js,
// its file worker into dist/files-worker.js, and the operator's commands into dist/cli.js.
// The server's own npm dependencies stay external (one copy of yjs, the native SQLite driver);
// anything else a workspace package needs is bundled in.
import fs from "node:fs";
import { build } from "esbuild";

const pkg = JSON.parse(fs.readFileSync(new URL("./package.json", import.meta.url), "utf8"));
const external = Object.keys(pkg.dependencies).filter((name) => !name.startsWith("@cosheet/"));

await build({
  // The server, and the worker threads it runs file work on (src/files/pool.ts finds it there).
  entryPoints: { index: "src/index.ts", "files-worker": "src/files/tasks.ts", cli: "src/cli.ts" },
  outdir: "dist",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
  external: external.flatMap((name) => [name, `${name}/*`]),
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
});
