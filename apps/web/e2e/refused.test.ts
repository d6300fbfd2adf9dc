import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { createSheet, e2eSuite, ownerSecret } from "./harness.js";

const env = e2eSuite();

/** An update no sheet may hold (a number as a cell), as an older or broken client could leave. */
function refusedUpdate(): number[] {
  const doc = new Y.Doc();
  doc.getMap("cells").set("aaaaaaaa:bbbbbbbb", 42);
  return [...Y.encodeStateAsUpdate(doc)];
}

describe("changes the server refuses for good", () => {
  it("are named, and the tab can start again from the server's copy", async () => {
    const id = await createSheet(env.server.url, "Refused");
    const page = await (await env.newContext()).newPage();
    // This browser's copy of the sheet holds a change the server will never take.
    await page.goto(env.server.url);
    await page.evaluate(
      async ({ name, update }) => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open(name);
          open.onupgradeneeded = () => {
            open.result.createObjectStore("updates", { autoIncrement: true });
            open.result.createObjectStore("custom");
          };
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction("updates", "readwrite");
          tx.objectStore("updates").add(new Uint8Array(update));
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
        db.close();
      },
      { name: `cosheet:${id}`, update: refusedUpdate() },
    );
    await page.goto(`${env.server.url}/s/${id}#k=${ownerSecret(id)}`);
    const alert = page.getByRole("alert").filter({ hasText: "can never be saved" });
    await alert.waitFor();
    // The refused change is counted as unsaved, and the sheet never shows as saved meanwhile.
    await page.getByRole("status").filter({ hasText: "1 unsaved change" }).waitFor();
    await page.getByRole("button", { name: "Discard this browser's unsaved changes and reload" }).click();
    await page.getByRole("status").filter({ hasText: /^Saved$/ }).waitFor();
    expect(await alert.count()).toBe(0);
    expect(await page.getByLabel("Sheet title").inputValue()).toBe("Refused");
  });
});
