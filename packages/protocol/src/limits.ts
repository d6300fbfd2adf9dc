/** Limits shared by clients and servers. A payload past a limit is refused with a typed error. */
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
  /** Sheet ids are exactly this long (22 URL-safe characters, 132 random bits). */
  sheetIdLength: 22,
  /** Events a socket may send per second on average (token bucket refill rate). */
  eventsPerSecond: 100,
  /** Burst a socket may send at once. */
  eventsBurst: 300,
  /** Most cells one import or PATCH may write. */
  maxImportCells: 1_000_000,
  /** Largest CSV or XLSX body the HTTP import accepts. */
  maxImportBytes: 50 * 1024 * 1024,
  /** Longest raw input of one cell, as in Excel. */
  maxCellInputLength: 32_767,
  /** Longest chat or direct message. */
  maxChatLength: 2000,
  /** Longest sheet title. */
  maxTitleLength: 200,
} as const;
