import { pino } from "pino";
import { ErrorCode, isSheetId, ProtocolError, sheetLink } from "@cosheet/protocol";
import { Access } from "./access/access.js";
import { builtWebDir, loadConfig } from "./config.js";
import { openStorage, storagePlace } from "./storage/open.js";

// Commands for the operator, run beside the server on the same data: `npm run cosheet -- <command>`.
const USAGE = `Usage: npm run cosheet -- <command>

Commands:
  owner-link <sheetId>   Make a new owner link for a sheet (for example one made before links
                         existed, reachable only at its plain address) and print it.

Reads the same environment as the server (DATA_DIR or DATABASE_URL, PUBLIC_URL, PORT).`;

async function ownerLink(sheetId: string | undefined): Promise<string> {
  if (!isSheetId(sheetId)) throw new Error(`give a sheet id (22 characters, as in /s/<sheetId>)\n\n${USAGE}`);
  const config = loadConfig(process.env, builtWebDir(import.meta.url));
  const storage = await openStorage(config, { command: true });
  try {
    const access = new Access({ storage, logger: pino({ level: "warn" }, pino.destination(2)), failedSecretsPerMinute: config.failedSecretsPerMinute, relay: null });
    const { secret } = await access.createLink(sheetId, "owner", "Made by the operator");
    return sheetLink(sheetId, secret, config.publicUrl ?? `http://localhost:${config.port}`);
  } catch (err) {
    if (err instanceof ProtocolError && err.code === ErrorCode.NotFound) throw new Error(`there is no sheet ${sheetId} in ${storagePlace(config)}`);
    throw err;
  } finally {
    await storage.close();
  }
}

const [command, ...args] = process.argv.slice(2);
try {
  if (command === "owner-link") {
    console.log(await ownerLink(args[0]));
  } else {
    console.log(USAGE);
    if (command !== undefined && command !== "help" && command !== "--help") process.exitCode = 1;
  }
} catch (err) {
  console.error(`cosheet: ${(err as Error).message}`);
  process.exitCode = 1;
}
