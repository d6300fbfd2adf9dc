/**
 * A bot that joins a sheet, writes the time into A1:B1 every second, and shows who is here.
 * Usage: tsx examples/bot.ts 'http://localhost:3000/s/<sheetId>#k=<secret>' (a link that can edit)
 */
import * as Y from "yjs";
import { connectSocket, isSheetId, secretOf, SheetProvider } from "@cosheet/protocol";
import { Sheet } from "@cosheet/sheet";

const link = URL.canParse(process.argv[2] ?? "") ? new URL(process.argv[2]!) : null;
const sheetId = link?.pathname.match(/^\/s\/([^/]+)$/)?.[1];
if (!link || !isSheetId(sheetId)) {
  console.error("usage: bot.ts '<sheet link>', such as 'http://localhost:3000/s/<sheetId>#k=<secret>'");
  process.exit(2);
}
const secret = secretOf(link.hash);

const socket = connectSocket(link.origin);
const doc = new Y.Doc();
const provider = new SheetProvider({ socket, sheetId, doc, ...(secret ? { secret } : {}) });
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
