import { setImmediate as nextTurn } from "node:timers/promises";
import express, { type Router } from "express";
import * as Y from "yjs";
import {
  CreateLinkBodySchema,
  CreateSheetBodySchema,
  CreateTabBodySchema,
  UpdateTabBodySchema,
  CSV_TYPES,
  ErrorCode,
  isSheetId,
  LIMITS,
  PatchCellsBodySchema,
  NameVersionBodySchema,
  PlainAddressBodySchema,
  ProtocolError,
  RestoreBodySchema,
  roleAtLeast,
  sheetLink,
  XLSX_TYPE,
  type NewLink,
  type Role,
  type SheetLinks,
  type TabInfo,
  type ThreadInfo,
} from "@cosheet/protocol";
import {
  A1Error,
  cellText,
  CONTENT_LIMITS,
  DEFAULT_COLS,
  DEFAULT_ROWS,
  formatCell,
  fitsGrid,
  formatRange,
  parseCell,
  parseRange,
  resolveRange,
  FormulaEngine,
  shownFormat,
  Sheet,
  SheetLimitError,
  TabError,
  Workbook,
  type CellRef,
  type Range,
  type RangeSpec,
  type TabLookup,
} from "@cosheet/sheet";
import type { z } from "zod";
import { linkInfo, type Access, type Grant } from "../access/access.js";
import { cellHistory, documentAt, listVersions, nameVersion, restoreVersion, versionSeq, type Version } from "../history/history.js";
import type { Storage } from "../storage/storage.js";
import { httpOrigin } from "../registry/origin.js";
import type { SheetRegistry } from "../registry/registry.js";
import type { Room } from "../registry/room.js";
import type { FileWorkers } from "../files/pool.js";
import type { ImportBand, UploadInput, UploadResult, UploadSheet } from "../files/tasks.js";
import { importXlsx } from "@cosheet/sheet/xlsx";
import { RateLimiter, socketAddress } from "../transport/rate-limit.js";
import { queryParam } from "./query.js";

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ProtocolError(ErrorCode.BadRequest, `${issue?.path.join(".") || "body"}: ${issue?.message}`);
  }
  return result.data;
}

/** A1 text into a position or range (or a write past the sheet's size limits) as a 400 on failure. */
function a1<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof A1Error || err instanceof SheetLimitError) throw new ProtocolError(ErrorCode.InvalidRange, err.message);
    throw err;
  }
}

/** A download's file name (without extension) from a sheet title. */
function fileName(title: string): string {
  return title.replace(/[^\w .-]+/g, "_").trim() || "sheet";
}

/** What a worker needs of a sheet: its whole state, as one update (a copy, so edits go on). */
function snapshot(room: Room): { title: string; state: Uint8Array } {
  return { title: room.sheet.title, state: Y.encodeStateAsUpdate(room.doc) };
}

/** The tab a request names with `?tab=` (an id, or a name as shown), or the first one. */
function tabOf(room: Room, req: express.Request): Sheet {
  return room.tab(queryParam(req, "tab"));
}

/** A tab change refused by the workbook, as the typed error it is. */
function tabChange<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TabError) throw new ProtocolError(ErrorCode.InvalidTab, err.message);
    throw err;
  }
}

function tabInfo(room: Room, id: string): TabInfo {
  const tab = Workbook.of(room.doc).byId(id)!;
  const sheet = Sheet.of(room.doc, id);
  return { id, name: tab.name, rowCount: sheet.rowCount, colCount: sheet.colCount };
}

function cellsIn(range: Range): number {
  return (range.end.row - range.start.row + 1) * (range.end.col - range.start.col + 1);
}

/** An upload's body for a worker: XLSX bytes or CSV text, checked for its type only. */
function uploadBody(req: express.Request): Omit<UploadInput, "maxCells"> {
  if (req.is(XLSX_TYPE)) {
    if (!Buffer.isBuffer(req.body)) throw new ProtocolError(ErrorCode.BadRequest, "send the XLSX file as the body");
    return { kind: "xlsx", body: req.body };
  }
  if (typeof req.body !== "string") {
    throw new ProtocolError(ErrorCode.BadRequest, `send a CSV (Content-Type: text/csv) or XLSX (${XLSX_TYPE}) file as the body`);
  }
  return { kind: "csv", body: req.body };
}

/** An upload as read by a worker, or its refusal as the typed error it is. */
function readOrRefuse(result: UploadResult): Extract<UploadResult, { ok: true }> {
  if (!result.ok) throw new ProtocolError(result.error.code, result.error.message);
  return result;
}

/** Where a worksheet goes at `at` of a tab of `size`, or INVALID_RANGE past the grid's limits. */
function rangeFor(upload: UploadSheet, at: CellRef, size: { rowCount: number; colCount: number }): Range | null {
  if (upload.rows === 0) return null;
  const range = { start: at, end: { row: at.row + upload.rows - 1, col: at.col + upload.cols - 1 } };
  if (!fitsGrid(Math.max(size.rowCount, range.end.row + 1), Math.max(size.colCount, range.end.col + 1))) {
    throw new ProtocolError(ErrorCode.InvalidRange, `${upload.rows} rows and ${upload.cols} columns at ${formatCell(at)} go past the sheet's size limits`);
  }
  return range;
}

/**
 * Writes an upload: its first worksheet into `target` at `at` (and, with `rename`, gives the tab
 * that worksheet's name), every other one into a new tab of its own name (or the next free one),
 * made before any cell is written so that formulas across them find their tabs. Written a band per
 * turn of the event loop so everyone else is served between them, each band one transaction. The
 * sizes are checked first, so nothing is written of a file that does not fit. Answers the range
 * the first worksheet took (null: empty) and the tabs added.
 */
async function writeWorkbook(
  room: Room,
  target: Sheet,
  upload: Extract<UploadResult, { ok: true }>,
  at: CellRef,
  grant: Grant | null,
  rename = false,
): Promise<{ range: string | null; tabs: string[] }> {
  const [first, ...rest] = upload.sheets as [UploadSheet, ...UploadSheet[]];
  const range = rangeFor(first, at, target);
  const sizes = rest.map((s) => ({ rowCount: Math.max(DEFAULT_ROWS, s.rows), colCount: Math.max(DEFAULT_COLS, s.cols) }));
  rest.forEach((s, i) => rangeFor(s, { row: 0, col: 0 }, sizes[i]!));
  // The workbook as it will be, within its limits, before anything is written.
  const now = Workbook.of(room.doc).size();
  if (now.tabs + rest.length > CONTENT_LIMITS.tabs) {
    throw new ProtocolError(ErrorCode.InvalidTab, `the file's ${rest.length + 1} worksheets would give the workbook more than ${CONTENT_LIMITS.tabs} tabs`);
  }
  const grown = range ? Math.max(target.rowCount, range.end.row + 1) * Math.max(target.colCount, range.end.col + 1) - target.rowCount * target.colCount : 0;
  const cells = now.cells + grown + sizes.reduce((n, s) => n + s.rowCount * s.colCount, 0);
  if (cells > CONTENT_LIMITS.gridCells) {
    throw new ProtocolError(ErrorCode.ImportTooLarge, `the file would make the workbook ${cells} cells in all: the limit is ${CONTENT_LIMITS.gridCells}`);
  }
  const origin = httpOrigin(grant?.linkId ?? null);
  const added: Sheet[] = [];
  await room.transact(() => {
    const book = Workbook.of(room.doc);
    if (rename && first.name) {
      const name = book.uniqueName(first.name);
      if (name !== book.byId(target.tab)?.name) book.rename(target.tab, name);
    }
    rest.forEach((s, i) => {
      const id = tabChange(() => book.add({ name: book.uniqueName(s.name ?? ""), rows: sizes[i]!.rowCount, cols: sizes[i]!.colCount }));
      added.push(Sheet.of(room.doc, id));
    });
  }, origin);
  // The file's formulas name its worksheets: each name reads the tab that worksheet became (which
  // may have another name, one being taken), then the workbook's other tabs.
  const own = new Map<string, Sheet>();
  [target, ...added].forEach((sheet, i) => {
    const name = upload.sheets[i]!.name;
    if (name) own.set(name.toLowerCase(), sheet);
  });
  const lookup: TabLookup = {
    named: (name) => {
      const sheet = own.get(name.toLowerCase());
      return sheet ? { id: sheet.tab, name, rows: sheet.rows, cols: sheet.cols } : target.tabLookup.named(name);
    },
    byId: (id) => target.tabLookup.byId(id),
  };
  const write = async (sheet: Sheet, upload: UploadSheet, at: CellRef) => {
    for (const json of upload.bands) {
      const band = JSON.parse(json) as ImportBand;
      await room.transact(() => importXlsx(sheet, band.data, { row: at.row + band.offset, col: at.col }, undefined, lookup), origin);
      await nextTurn();
    }
  };
  await write(target, first, at);
  for (const [i, sheet] of added.entries()) await write(sheet, rest[i]!, { row: 0, col: 0 });
  return { range: range && formatRange(range), tabs: added.map((sheet) => Workbook.of(room.doc).byId(sheet.tab)?.name ?? sheet.tab) };
}

/**
 * The secret of an `Authorization: Bearer <secret>` header; undefined without one. Other schemes
 * (a proxy's Basic credentials) are not the app's and are left alone.
 */
function bearer(req: express.Request): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined || !/^Bearer(\s|$)/i.test(header)) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (!match) throw new ProtocolError(ErrorCode.Unauthorized, "give the link's secret as Authorization: Bearer <secret>");
  return match[1]!;
}

/** A range of a sheet (or its used range) as the API reads cells: inputs, values, shown text, styles. */
function readCells(sheet: Sheet, spec: RangeSpec | null) {
  const range = spec ? resolveRange(spec, { rows: sheet.rowCount, cols: sheet.colCount }) : sheet.usedRange();
  if (!range) return { range: null, cells: [] };
  if (cellsIn(range) > LIMITS.maxReadCells) {
    throw new ProtocolError(
      ErrorCode.InvalidRange,
      `${formatRange(range)} is ${cellsIn(range)} cells: a read is limited to ${LIMITS.maxReadCells}; ask for a smaller range or export the sheet`,
    );
  }
  const inputs = sheet.readRange(range);
  const engine = FormulaEngine.of(sheet);
  // Cells beyond the sheet's current size are empty, so the matrix always has the range's shape.
  const rows = range.end.row - range.start.row + 1;
  const cols = range.end.col - range.start.col + 1;
  const cells = Array.from({ length: rows }, (_, r) =>
    Array.from({ length: cols }, (_, c) => {
      const [row, col] = [range.start.row + r, range.start.col + c];
      const input = inputs[r]?.[c] ?? "";
      // An empty cell's value is what an array spilled into it, if anything.
      const value = engine.valueAt(row, col);
      const style = sheet.styleAt(row, col);
      const cell = { input, value, text: cellText(input, value, shownFormat(sheet, row, col)) };
      return Object.keys(style).length > 0 ? { ...cell, style } : cell;
    }),
  );
  return { range: formatRange(range), cells };
}

/** A version as the API answers it (its log position stays inside). */
function publicVersion({ seq: _seq, ...version }: Version) {
  return version;
}

/** The JSON API under /api (see docs/api.md). */
export interface ApiOptions {
  files: FileWorkers;
  access: Access;
  /** Where history is read from: the storage the registry writes to. */
  storage: Storage;
  /** How long the whole log is kept (see `pruneHistory`). */
  retentionMs: number;
  /** Whose address a request counts against: see `socketAddress`. */
  trustProxy: boolean;
  /** Sheets one address may create per minute (bursts of as many). */
  sheetsPerMinute: number;
}

export function apiRouter(
  registry: SheetRegistry,
  { files, access, storage, retentionMs, trustProxy, sheetsPerMinute: perMinute }: ApiOptions,
): Router {
  const router = express.Router();
  const creations = new RateLimiter({ perSecond: perMinute / 60, burst: perMinute });
  const json = express.json({ limit: LIMITS.maxJsonBytes });
  const csv = express.text({ type: [...CSV_TYPES], limit: LIMITS.maxImportBytes });
  const xlsx = express.raw({ type: XLSX_TYPE, limit: LIMITS.maxImportBytes });
  const isFile = (req: express.Request) => Boolean(req.is([...CSV_TYPES, XLSX_TYPE]));

  const addressOf = (req: express.Request) => socketAddress({ address: req.socket.remoteAddress ?? "", headers: req.headers }, trustProxy);

  router.param("id", (_req, _res, next, id: string) => {
    next(isSheetId(id) ? undefined : new ProtocolError(ErrorCode.InvalidSheetId, "malformed sheet id"));
  });

  /**
   * Lets a request through only with at least `needed`, from its bearer secret (or the sheet's
   * plain address); the grant is left in `res.locals.grant`. Checked before any body is read.
   */
  const allow =
    <P extends { id: string }>(needed: Role): express.RequestHandler<P> =>
    async (req, res, next) => {
      try {
        const grant = await access.grant(req.params.id, bearer(req), addressOf(req));
        if (!roleAtLeast(grant.role, needed)) {
          throw new ProtocolError(ErrorCode.Forbidden, `this needs a link that can ${needed}; this one can ${grant.role}`);
        }
        res.locals.grant = grant;
        next();
      } catch (err) {
        next(err);
      }
    };
  const grantOf = (res: express.Response) => res.locals.grant as Grant;

  /** Counted before a body is read: a refused client uploads nothing. */
  const creationLimit: express.RequestHandler = (req, _res, next) => {
    const wait = creations.take(addressOf(req));
    if (wait === 0) return next();
    next(new ProtocolError(ErrorCode.RateLimited, `at most ${perMinute} new sheets a minute from one address`, wait));
  };

  router.post("/sheets", creationLimit, json, csv, xlsx, async (req, res) => {
    // A new sheet from a CSV or XLSX body (checked before the sheet exists), or from JSON.
    if (req.headers["content-type"] !== undefined && !isFile(req) && !req.is("application/json")) {
      throw new ProtocolError(
        ErrorCode.UnsupportedMediaType,
        `send JSON, a CSV (text/csv) or an XLSX (${XLSX_TYPE}) file, not ${req.headers["content-type"].slice(0, 100)}`,
      );
    }
    let owner: { secret: string } | undefined;
    const withOwnerLink = (sheetId: string) => {
      const made = access.newSheet(sheetId);
      owner = made;
      return made.access;
    };
    let id: string;
    if (isFile(req)) {
      const upload = readOrRefuse(await files.run("readUpload", { ...uploadBody(req), maxCells: LIMITS.maxImportCells }));
      const first = upload.sheets[0]!;
      const { title } = parse(CreateSheetBodySchema, { title: queryParam(req, "title") ?? (first.name || undefined) });
      for (const sheet of upload.sheets) {
        if (!fitsGrid(Math.max(sheet.rows, DEFAULT_ROWS), Math.max(sheet.cols, DEFAULT_COLS))) {
          throw new ProtocolError(ErrorCode.ImportTooLarge, `a worksheet of ${sheet.rows} rows and ${sheet.cols} columns is beyond the sheet limits`);
        }
      }
      if (upload.sheets.length > CONTENT_LIMITS.tabs) throw new ProtocolError(ErrorCode.ImportTooLarge, `a workbook has at most ${CONTENT_LIMITS.tabs} tabs`);
      const cells = upload.sheets.reduce((n, sheet) => n + Math.max(sheet.rows, DEFAULT_ROWS) * Math.max(sheet.cols, DEFAULT_COLS), 0);
      if (cells > CONTENT_LIMITS.gridCells) {
        throw new ProtocolError(ErrorCode.ImportTooLarge, `the file would make a workbook of ${cells} cells in all: the limit is ${CONTENT_LIMITS.gridCells}`);
      }
      id = await registry.create(title, withOwnerLink);
      // Every worksheet a tab, with its name.
      await registry.use(id, (room) => writeWorkbook(room, room.sheet, upload, { row: 0, col: 0 }, null, true));
    } else {
      id = await registry.create(parse(CreateSheetBodySchema, req.body).title, withOwnerLink);
    }
    const { secret } = owner!;
    res.status(201).location(`/api/sheets/${id}`).json({ id, url: sheetLink(id, secret), secret });
  });

  router.get("/sheets/:id", allow("view"), async (req, res) => {
    const info = await registry.use(req.params.id, (room) => ({
      id: room.id,
      title: room.sheet.title,
      rowCount: room.sheet.rowCount,
      colCount: room.sheet.colCount,
      updatedAt: new Date(room.updatedAt).toISOString(),
      role: grantOf(res).role,
      tabs: Workbook.of(room.doc)
        .list()
        .map((t) => tabInfo(room, t.id)),
    }));
    res.json(info);
  });

  router.post("/sheets/:id/tabs", allow("edit"), json, async (req, res) => {
    const { name, index } = parse(CreateTabBodySchema, req.body ?? {});
    const tab = await registry.use(req.params.id, async (room) => {
      let id = "";
      await room.transact(() => {
        id = tabChange(() => Workbook.of(room.doc).add({ name, index }));
      }, httpOrigin(grantOf(res).linkId));
      return tabInfo(room, id);
    });
    res.status(201).json(tab);
  });

  router.patch("/sheets/:id/tabs/:tab", allow<{ id: string; tab: string }>("edit"), json, async (req, res) => {
    const { name, index } = parse(UpdateTabBodySchema, req.body);
    const tab = await registry.use(req.params.id, async (room) => {
      const { tab: id } = room.tab(req.params.tab);
      await room.transact(() => {
        const book = Workbook.of(room.doc);
        tabChange(() => {
          if (name !== undefined) book.rename(id, name);
          if (index !== undefined) book.move(id, index);
        });
      }, httpOrigin(grantOf(res).linkId));
      return tabInfo(room, id);
    });
    res.json(tab);
  });

  router.delete("/sheets/:id/tabs/:tab", allow<{ id: string; tab: string }>("edit"), async (req, res) => {
    await registry.use(req.params.id, async (room) => {
      const { tab: id } = room.tab(req.params.tab);
      await room.transact(() => tabChange(() => Workbook.of(room.doc).delete(id)), httpOrigin(grantOf(res).linkId));
    });
    res.status(204).end();
  });

  router.get("/sheets/:id/links", allow("owner"), async (req, res) => {
    const { plainAddress, links } = await access.links(req.params.id);
    const now = Date.now();
    res.json({ plainAddress, links: links.map((link) => linkInfo(link, now)) } satisfies SheetLinks);
  });

  router.post("/sheets/:id/links", allow("owner"), json, async (req, res) => {
    const { role, label, expiresAt } = parse(CreateLinkBodySchema, req.body);
    const { link, secret } = await access.createLink(req.params.id, role, label, expiresAt);
    const made: NewLink = { ...linkInfo(link), url: sheetLink(link.sheetId, secret), secret };
    res.status(201).json(made);
  });

  router.delete("/sheets/:id/links/:linkId", allow<{ id: string; linkId: string }>("owner"), async (req, res) => {
    await access.revoke(req.params.id, req.params.linkId);
    res.status(204).end();
  });

  router.put("/sheets/:id/plain-address", allow("owner"), json, async (req, res) => {
    const { enabled } = parse(PlainAddressBodySchema, req.body);
    await access.setPlainAddress(req.params.id, enabled);
    res.json({ plainAddress: enabled });
  });

  router.get("/sheets/:id/cells", allow("view"), async (req, res) => {
    const text = queryParam(req, "range");
    const spec = text === undefined ? null : a1(() => parseRange(text));
    const versionId = queryParam(req, "version");
    if (versionId === undefined) {
      res.json(await registry.use(req.params.id, (room) => readCells(tabOf(room, req), spec)));
      return;
    }
    // Past versions may hold what was deleted since: for those who may edit (and restore) it.
    if (!roleAtLeast(grantOf(res).role, "edit")) throw new ProtocolError(ErrorCode.Forbidden, "reading a past version needs a link that can edit");
    const doc = await documentAt(storage, req.params.id, await versionSeq(storage, req.params.id, versionId));
    try {
      const param = queryParam(req, "tab");
      const tab = param === undefined ? Workbook.of(doc).list()[0] : Workbook.of(doc).find(param);
      if (!tab) throw new ProtocolError(ErrorCode.UnknownTab, `that version has no tab “${param!.slice(0, 40)}”`);
      res.json(readCells(Sheet.of(doc, tab.id), spec));
    } finally {
      doc.destroy();
    }
  });

  router.get("/sheets/:id/comments", allow("view"), async (req, res) => {
    // Tab by tab, in the order of their cells.
    const threads = await registry.use(req.params.id, (room) =>
      Workbook.of(room.doc)
        .list()
        .flatMap((tab) =>
          Sheet.of(room.doc, tab.id)
            .comments.placed()
            .sort((a, b) => a.row - b.row || a.col - b.col || a.thread.comments[0]!.at - b.thread.comments[0]!.at)
            .map((placed) => ({ ...placed, tabName: tab.name })),
        ),
    );
    const iso = (ms: number) => new Date(ms).toISOString();
    res.json({
      threads: threads.map(
        ({ thread, row, col, tabName }): ThreadInfo => ({
          id: thread.id,
          tab: tabName,
          cell: formatCell({ row, col }),
          resolved: thread.resolved,
          comments: thread.comments.map((c) => ({
            id: c.id,
            author: c.author,
            person: c.person,
            text: c.text,
            at: iso(c.at),
            editedAt: c.editedAt === null ? null : iso(c.editedAt),
          })),
        }),
      ),
    });
  });

  router.get("/sheets/:id/cells/:a1/history", allow<{ id: string; a1: string }>("edit"), async (req, res) => {
    const at = a1(() => parseCell(req.params.a1));
    const { tab, ids } = await registry.use(req.params.id, (room) => {
      const sheet = tabOf(room, req);
      return { tab: sheet.tab, ids: sheet.idsAt(at.row, at.col) };
    });
    if (!ids) throw new ProtocolError(ErrorCode.InvalidRange, `${formatCell(at)} is outside the sheet`);
    res.json({ cell: formatCell(at), history: await cellHistory(storage, req.params.id, tab, ids.rowId, ids.colId) });
  });

  router.get("/sheets/:id/versions", allow("edit"), async (req, res) => {
    const versions = await listVersions(storage, req.params.id, retentionMs);
    res.json({ versions: versions.map(publicVersion) });
  });

  router.get("/sheets/:id/versions/:versionId/state", allow<{ id: string; versionId: string }>("edit"), async (req, res) => {
    // The whole version as one Yjs update, for a client to show it in a document of its own.
    const doc = await documentAt(storage, req.params.id, await versionSeq(storage, req.params.id, req.params.versionId));
    try {
      res.type("application/octet-stream").send(Buffer.from(Y.encodeStateAsUpdate(doc)));
    } finally {
      doc.destroy();
    }
  });

  router.post("/sheets/:id/versions", allow("edit"), json, async (req, res) => {
    const { name, author } = parse(NameVersionBodySchema, req.body);
    const seq = await registry.use(req.params.id, (room) => room.storedSeq());
    res.status(201).json(publicVersion(await nameVersion(storage, req.params.id, seq, name, author ?? "")));
  });

  router.delete("/sheets/:id/versions/:versionId", allow<{ id: string; versionId: string }>("edit"), async (req, res) => {
    if (!(await storage.removeVersion(req.params.id, req.params.versionId))) {
      throw new ProtocolError(ErrorCode.NotFound, "this sheet has no named version with this id");
    }
    res.status(204).end();
  });

  router.post("/sheets/:id/versions/:versionId/restore", allow<{ id: string; versionId: string }>("edit"), json, async (req, res) => {
    const { author } = parse(RestoreBodySchema, req.body);
    const { id, versionId } = req.params;
    const seq = await versionSeq(storage, id, versionId);
    const version = (await listVersions(storage, id, retentionMs)).find((v) => v.seq === seq && (v.id === versionId || !v.name)) ?? {
      id: versionId,
      seq,
      at: new Date().toISOString(),
      authors: [],
      changedCells: 0,
    };
    const before = await registry.use(id, (room) => restoreVersion(room, storage, version, { author: author ?? "", linkId: grantOf(res).linkId }));
    res.json({ restored: publicVersion(version), before: publicVersion(before) });
  });

  router.patch("/sheets/:id/cells", allow("edit"), json, async (req, res) => {
    // Counted before the schema walks every entry: a refused write costs no more than its parse.
    const body: unknown = req.body;
    const given = (body as { cells?: unknown } | null)?.cells;
    if (typeof given === "object" && given !== null && Object.keys(given).length > LIMITS.maxPatchCells) {
      throw new ProtocolError(ErrorCode.ImportTooLarge, `at most ${LIMITS.maxPatchCells} cells per request; import larger data as CSV`);
    }
    const { cells } = parse(PatchCellsBodySchema, body);
    const writes = Object.entries(cells).map(([address, input]) => ({ ...a1(() => parseCell(address)), input }));
    await registry.use(req.params.id, (room) => {
      const sheet = tabOf(room, req);
      return room.transact(() => a1(() => sheet.setCells(writes)), httpOrigin(grantOf(res).linkId));
    });
    res.json({ updated: writes.length });
  });

  router.get("/sheets/:id/export.csv", allow("view"), async (req, res) => {
    // Safe by default: formulas come as typed only with `?neutralize=0` (docs/api.md).
    const neutralize = queryParam(req, "neutralize") ?? "1";
    if (!["1", "true", "0", "false"].includes(neutralize)) {
      throw new ProtocolError(ErrorCode.BadRequest, "neutralize: give 1 (the default) or 0");
    }
    const neutralizeFormulas = neutralize === "1" || neutralize === "true";
    // What people see by default; a script asks for the inputs as typed.
    const values = queryParam(req, "values") ?? "shown";
    if (values !== "shown" && values !== "inputs") {
      throw new ProtocolError(ErrorCode.BadRequest, "values: give shown (the default) or inputs");
    }
    const { title, state, tab } = await registry.use(req.params.id, (room) => ({ ...snapshot(room), tab: tabOf(room, req).tab }));
    const body = await files.run("csvExport", { state, tab, neutralizeFormulas, values });
    res.type("text/csv; charset=utf-8").attachment(`${fileName(title)}.csv`).send(body);
  });

  router.get("/sheets/:id/export.xlsx", allow("view"), async (req, res) => {
    const { title, state } = await registry.use(req.params.id, (room) => {
      // Counted before anything is copied: the workbook is built whole, in memory.
      const cells = Workbook.of(room.doc)
        .list()
        .reduce((n, t) => n + Sheet.of(room.doc, t.id).types.cells.size, 0);
      if (cells > LIMITS.maxXlsxExportCells) {
        throw new ProtocolError(
          ErrorCode.ExportTooLarge,
          `${cells} cells are more than an XLSX export writes (${LIMITS.maxXlsxExportCells}); download the sheet as CSV`,
        );
      }
      return snapshot(room);
    });
    const file = await files.run("xlsxExport", { state });
    res.type(XLSX_TYPE).attachment(`${fileName(title)}.xlsx`).send(Buffer.from(file));
  });

  router.post("/sheets/:id/import", allow("edit"), csv, xlsx, async (req, res) => {
    const at: CellRef = a1(() => parseCell(queryParam(req, "at") ?? "A1"));
    const upload = readOrRefuse(await files.run("readUpload", { ...uploadBody(req), maxCells: LIMITS.maxImportCells }));
    const { rows, cols, name } = upload.sheets[0]!;
    // `newTab=<name>`: into a new tab of that name (or the first worksheet's), at its A1.
    const newTab = queryParam(req, "newTab");
    const { range, tabs } = await registry.use(req.params.id, async (room) => {
      if (newTab === undefined) return writeWorkbook(room, tabOf(room, req), upload, at, grantOf(res));
      let id = "";
      await room.transact(() => {
        const book = Workbook.of(room.doc);
        const size = { rows: Math.max(DEFAULT_ROWS, rows), cols: Math.max(DEFAULT_COLS, cols) };
        if (!fitsGrid(size.rows, size.cols)) throw new ProtocolError(ErrorCode.ImportTooLarge, `a file of ${rows} rows and ${cols} columns is beyond the sheet limits`);
        id = tabChange(() => book.add({ name: book.uniqueName(newTab || name || ""), ...size }));
      }, httpOrigin(grantOf(res).linkId));
      const written = await writeWorkbook(room, Sheet.of(room.doc, id), upload, { row: 0, col: 0 }, grantOf(res));
      return { ...written, tabs: [Workbook.of(room.doc).byId(id)!.name, ...written.tabs] };
    });
    res.json(tabs.length > 0 ? { range, rows, cols, tabs } : { range, rows, cols });
  });

  router.use((_req, _res, next) => next(new ProtocolError(ErrorCode.NotFound, "no such endpoint")));
  return router;
}
