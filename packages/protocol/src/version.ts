/**
 * The wire version. A client sends it on join; a server that speaks another version answers
 * `UNSUPPORTED_PROTOCOL`, so an old tab is told to reload instead of corrupting a sheet.
 */
export const PROTOCOL_VERSION = 1;
