// The file tasks loaded from TypeScript source on a worker thread (tests, `pnpm dev`): a worker
// does not inherit tsx from the command line, so it registers tsx itself. The build bundles
// tasks.ts as dist/files-worker.js instead, and never loads this file.
import { register } from "tsx/esm/api";

register();
export const { xlsxExport, csvExport, readUpload } = await import("./tasks.ts");
