/**
 * A bot that joins a sheet, writes the time into A1:B1 every second, and shows who is here.
 * Usage: tsx examples/bot.ts http://localhost:3000 <sheetId>
 */
import * as Y from "yjs";
import { connectSocket, SheetProvider } from "@cosheet/protocol";
import { Sheet } from "@cosheet/sheet";

const [url = "http://localhost:3000", sheetId] = process.argv.slice(2);
if (!sheetId) {
  console.error("usage: bot.ts <server url> <sheet id>");
  process.exit(2);
}

const socket = connectSocket(url);
const doc = new Y.Doc();
const provider = new SheetProvider({ socket, sheetId, doc });
provider.on("status", (status) => console.log(`status: ${status}`));
provider.on("error", (error) => {
  console.error(`${error.code}: ${error.message}`);
  process.exit(1);
});
provider.awareness.setLocalState({ user: { name: "Clock bot", color: "#1a7f5a" } });

await provider.whenSynced();
const sheet = Sheet.of(doc);
console.log(`joined "${sheet.title}" (${sheet.rowCount} x ${sheet.colCount})`);

const timer = setInterval(() => {
  sheet.setCellsA1({ A1: "Time", B1: new Date().toISOString() }, "bot");
  console.log(`here: ${provider.awareness.getStates().size}, unsaved: ${provider.unsyncedChanges}`);
}, 1000);

process.on("SIGINT", async () => {
  clearInterval(timer);
  await provider.whenSaved();
  provider.destroy();
  socket.disconnect();
  process.exit(0);
});
