// Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3).

const MAX_SECONDS = 24 * 60 * 60

/** Seconds to wait, or undefined when the header is absent or unreadable. Never negative, capped at a day. */
export function parseRetryAfter (value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim()
  if (text === undefined || text === '') return undefined
  if (/^\d+$/.test(text)) return Math.min(Number(text), MAX_SECONDS)
  // Date.parse accepts too much (e.g. "1"), so only text that looks like a date is read as one.
  if (!/[a-z]/i.test(text)) return undefined
  const at = Date.parse(text)
  if (Number.isNaN(at)) return undefined
  return Math.min(Math.max(0, Math.ceil((at - now) / 1000)), MAX_SECONDS)
}
