import { CONTENT_LIMITS } from "@cosheet/sheet";

/**
 * Limits shared by clients and servers. A payload past a limit is refused with a typed error.
 * What a document may hold (cell, title and name lengths, the sheet's size) is the sheet
 * package's {@link CONTENT_LIMITS}; the wire's limits that say the same refer to them.
 */
export const LIMITS = {
  /**
   * Largest Yjs update or sync message a client may send. 10 MiB holds a 100k-cell paste with
   * room to spare; larger writes go through the HTTP import.
   */
  maxUpdateBytes: 10 * 1024 * 1024,
  /**
   * Socket.IO's `maxHttpBufferSize`: above `maxUpdateBytes` so an oversize update reaches the
   * handler and gets a typed error instead of a dropped connection.
   */
  maxMessageBytes: 12 * 1024 * 1024,
  /**
   * Largest state vector a sync step 1 may carry: about 10 bytes per client that ever wrote to the
   * sheet (one per browser tab's session), so 100,000 of them.
   */
  maxStateVectorBytes: 1024 * 1024,
  /** Sheet ids are exactly this long (22 URL-safe characters, 132 random bits). */
  sheetIdLength: 22,
  /** Events a socket may send per second on average (token bucket refill rate). */
  eventsPerSecond: 100,
  /**
   * Burst a socket may send at once. What queues up while the server's event loop is blocked does
   * not use it up: the server credits the time of the stall.
   */
  eventsBurst: 300,
  /**
   * Events all sockets from one address (an IPv6 address: its /64) may send per second together.
   * Several people behind one office NAT share it, so it is a few sockets' worth; ten sockets of
   * one attacker are not. Behind a reverse proxy every client has the proxy's address, unless the
   * server is told to trust the proxy's X-Forwarded-For (`TRUST_PROXY`).
   */
  eventsPerSecondPerAddress: 300,
  /** Burst all sockets from one address may send at once. */
  eventsBurstPerAddress: 900,
  /** Longest display name in presence and chat. */
  maxNameLength: CONTENT_LIMITS.name,
  /** Largest presence state of one client (name, colour, cursor), as JSON. */
  maxPresenceStateBytes: 4096,
  /**
   * Sheets one address may create per minute (a burst of as many, then one every two seconds):
   * plenty for a class behind one NAT, too few to fill a disk.
   */
  sheetsPerMinutePerAddress: 30,
  /**
   * Comment events (a thread, a reply, an edit, a resolve) one socket may post per second on
   * average, and at once: a discussion's pace, far below what would fill a sheet's comment log.
   */
  commentsPerSecond: 1,
  commentsBurst: 30,
  /**
   * Comment events all sockets of one address may post per second, and at once, together: more
   * sockets (or reconnecting) buy no more, and filling a sheet's log from one address takes hours.
   */
  commentsPerSecondPerAddress: 3,
  commentsBurstPerAddress: 90,
  /** Most cells one import may write. */
  maxImportCells: 1_000_000,
  /**
   * Most cells one PATCH may write. A PATCH is JSON read whole before it is checked; larger writes
   * go through the import, which reads CSV and XLSX with the cell count checked as it goes.
   */
  maxPatchCells: 100_000,
  /** Largest JSON body of a PATCH: the update-size limit, as a socket writer has. */
  maxJsonBytes: 10 * 1024 * 1024,
  /**
   * Most cells one `GET .../cells` answers: about 5 MB of JSON with values computed. Page through
   * a larger sheet by range, or export it.
   */
  maxReadCells: 100_000,
  /**
   * Most cells with content an XLSX export writes. exceljs builds the whole workbook in memory:
   * a million cells took 1.8 GiB and 30 s; past this, export CSV (streamed from a copy of the
   * sheet, no limit below the sheet's own).
   */
  maxXlsxExportCells: 500_000,
  /** Largest CSV or XLSX body the HTTP import accepts. */
  maxImportBytes: 50 * 1024 * 1024,
  /** Longest raw input of one cell, as in Excel. */
  maxCellInputLength: CONTENT_LIMITS.cellInput,
  /** Longest chat or direct message. */
  maxChatLength: CONTENT_LIMITS.chatText,
  /** Longest sheet title. */
  maxTitleLength: CONTENT_LIMITS.title,
  /** Longest label of a sheet link. */
  maxLinkLabelLength: 100,
  /** Links one sheet may have. */
  maxLinksPerSheet: 100,
  /**
   * Failed secrets (unknown, revoked or expired) one address may try per minute, across sheets;
   * past it, failed attempts are answered RATE_LIMITED. A live secret always works.
   */
  failedSecretsPerMinutePerAddress: 20,
} as const;
