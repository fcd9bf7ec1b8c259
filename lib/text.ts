// Text rules for what goes to the API server. It counts every limit in UTF-8 bytes (Go len()), so the cutting
// here is by bytes and never splits a character: a broken character would be rejected or garbled.

/** The API server's limit for message/note once eventTime is set. */
export const MAX_MESSAGE_BYTES = 1024
/** The API server's limit for reason, action and reportingInstance once eventTime is set. */
export const MAX_WORD_BYTES = 128

export const CUT_MARK = '...'

const SPACE_RUNS = /[\s\p{Cc}]+/gu
// A lone surrogate cannot be encoded; JSON decoders on the server turn it into U+FFFD anyway.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
// Printable ASCII has no space, control character or surrogate in it: words of it with single spaces between
// them are left as they are by the cleaning, and most messages are like that. One test is cheaper than the replaces.
const ALREADY_CLEAN = /^[\x21-\x7e]+(?: [\x21-\x7e]+)*$/
const ALREADY_ONE_WORD = /^[\x21-\x7e]*$/

export function utf8Length (text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

/** Newlines, tabs and other control characters become single spaces; runs collapse; the ends are trimmed. */
export function cleanWhitespace (text: string): string {
  if (typeof text === 'string' && ALREADY_CLEAN.test(text)) return text
  return text.replace(LONE_SURROGATE, '\uFFFD').replace(SPACE_RUNS, ' ').trim()
}

/** For one-word fields (reason, action): every space and control character goes. */
export function removeWhitespace (text: string): string {
  if (typeof text === 'string' && ALREADY_ONE_WORD.test(text)) return text
  return text.replace(LONE_SURROGATE, '\uFFFD').replace(SPACE_RUNS, '')
}

function isHighSurrogate (code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}

function isLowSurrogate (code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff
}

function bytesOfSingleUnit (code: number): number {
  if (code < 0x80) return 1
  if (code < 0x800) return 2
  return 3
}

/** The longest prefix of `text` that fits in `maxBytes` UTF-8 bytes. */
export function truncateEnd (text: string, maxBytes: number): string {
  if (!(maxBytes > 0)) return ''
  // No UTF-16 unit takes more than 3 bytes, so short texts need no counting.
  if (text.length * 3 <= maxBytes) return text
  let bytes = 0
  let end = 0
  while (end < text.length) {
    const code = text.charCodeAt(end)
    let width = bytesOfSingleUnit(code)
    let units = 1
    if (isHighSurrogate(code) && end + 1 < text.length && isLowSurrogate(text.charCodeAt(end + 1))) {
      width = 4
      units = 2
    }
    if (bytes + width > maxBytes) break
    bytes += width
    end += units
  }
  return end === text.length ? text : text.slice(0, end)
}

/** The longest suffix of `text` that fits in `maxBytes` UTF-8 bytes. */
export function truncateStart (text: string, maxBytes: number): string {
  if (!(maxBytes > 0)) return ''
  if (text.length * 3 <= maxBytes) return text
  let bytes = 0
  let start = text.length
  while (start > 0) {
    const code = text.charCodeAt(start - 1)
    let width = bytesOfSingleUnit(code)
    let units = 1
    if (isLowSurrogate(code) && start - 2 >= 0 && isHighSurrogate(text.charCodeAt(start - 2))) {
      width = 4
      units = 2
    }
    if (bytes + width > maxBytes) break
    bytes += width
    start -= units
  }
  return start === 0 ? text : text.slice(start)
}

/**
 * Keeps head and tail of a text that is too long, with '...' in the middle, like Kopf (511 + '...' + 510 for
 * 1024 ASCII bytes). The result is at most `maxBytes` UTF-8 bytes.
 */
export function truncateMiddle (text: string, maxBytes: number): string {
  if (!(maxBytes > 0)) return ''
  if (text.length * 3 <= maxBytes || utf8Length(text) <= maxBytes) return text
  const markBytes = utf8Length(CUT_MARK)
  if (maxBytes <= markBytes) return truncateEnd(text, maxBytes)
  const room = maxBytes - markBytes
  const head = truncateEnd(text, Math.ceil(room / 2))
  // Bytes the head could not use (a wide character at its cut) go to the tail.
  const tail = truncateStart(text, room - utf8Length(head))
  return head + CUT_MARK + tail
}

/** A short printable form of any value, for diagnostics and option problems. */
export function preview (value: unknown, maxChars = 80): string {
  let text: string
  try {
    if (typeof value === 'string') text = JSON.stringify(value)
    else if (value === undefined || typeof value === 'number' || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') text = String(value)
    else text = JSON.stringify(value) ?? String(value)
  } catch {
    text = Object.prototype.toString.call(value)
  }
  return text.length > maxChars ? text.slice(0, maxChars) + CUT_MARK : text
}
