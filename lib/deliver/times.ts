// Time formats of the Event API. MicroTime (eventTime, series.lastObservedTime) is parsed by the server with
// exactly six fractional digits: JavaScript's toISOString has three and is answered with 400 BadRequest.

/** `2026-11-26T21:18:50.976000Z` */
export function microTime (epochMs: number): string {
  const wholeMs = Math.floor(epochMs)
  const micros = Math.min(999, Math.max(0, Math.round((epochMs - wholeMs) * 1000)))
  const iso = new Date(wholeMs).toISOString()
  return iso.slice(0, -1) + String(micros).padStart(3, '0') + 'Z'
}

/** RFC 3339 for firstTimestamp/lastTimestamp; the server keeps whole seconds */
export function rfc3339 (epochMs: number): string {
  return new Date(Math.floor(epochMs)).toISOString()
}
