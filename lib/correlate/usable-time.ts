// The server keeps occurrence times as RFC 3339 with a four-digit year; anything outside that range is refused.

const EARLIEST = Date.UTC(1970, 0, 1)
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59)

/** whether the server can take this occurrence time (a four-digit year) */
export function isUsableTime (epochMs: number): boolean {
  return Number.isFinite(epochMs) && epochMs >= EARLIEST && epochMs <= LATEST
}

/** an occurrence time the server can take, else `fallback` */
export function usableTime (epochMs: number, fallback: number): number {
  return isUsableTime(epochMs) ? epochMs : fallback
}
