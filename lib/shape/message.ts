// The Event message of a log line: its text and its error, each said once, within the API's byte limit.
import type { SerializedError } from '../types.js'
import { isRecord, ownField } from '../fields.js'
import { CUT_MARK, MAX_MESSAGE_BYTES, cleanWhitespace, truncateEnd, truncateMiddle } from '../text.js'

const MAX_LISTED_ERRORS = 3
const MAX_LISTED_ERROR_BYTES = 120
/** How many causes of an error are followed, on every path (error objects and error text). */
export const MAX_CAUSE_DEPTH = 5

function ownString (value: object, key: string): string | undefined {
  const field = ownField(value, key)
  return typeof field === 'string' ? field : undefined
}

function errorLabel (err: unknown): string {
  if (typeof err === 'string') return cleanWhitespace(err)
  if (!isRecord(err)) return ''
  const message = cleanWhitespace(ownString(err, 'message') ?? '')
  return message !== '' ? message : cleanWhitespace(ownString(err, 'type') ?? '')
}

/** "3 errors: first; second; third" — short on purpose, an Event is not a stack trace. */
function summarizeAggregate (errors: unknown[]): string {
  const listed: string[] = []
  for (const item of errors.slice(0, MAX_LISTED_ERRORS)) {
    const label = errorLabel(item)
    const short = truncateEnd(label, MAX_LISTED_ERROR_BYTES)
    listed.push(short.length < label.length ? short + CUT_MARK : short)
  }
  const more = errors.length > MAX_LISTED_ERRORS ? `; and ${errors.length - MAX_LISTED_ERRORS} more` : ''
  const noun = errors.length === 1 ? 'error' : 'errors'
  return `${errors.length} ${noun}: ${listed.filter(label => label !== '').join('; ')}${more}`
}

/** The parts an error contributes to an Event message, each already cleaned, in reading order. */
export function errorParts (err: SerializedError): string[] {
  const parts: string[] = []
  const own = cleanWhitespace(ownString(err, 'message') ?? '')
  if (own !== '') parts.push(own)
  // pino's default serializer already appended causes to the message; errWithCause keeps them nested instead.
  let cause: unknown = Object.hasOwn(err, 'cause') ? err.cause : undefined
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && cause !== undefined && cause !== null; depth++) {
    const label = errorLabel(cause)
    if (label !== '' && !parts.some(part => part.includes(label))) parts.push(label)
    cause = isRecord(cause) && Object.hasOwn(cause, 'cause') ? cause.cause : undefined
  }
  const aggregated = Object.hasOwn(err, 'aggregateErrors') ? err.aggregateErrors : undefined
  if (Array.isArray(aggregated) && aggregated.length > 0) parts.push(summarizeAggregate(aggregated))
  return parts
}

function combine (text: string, parts: string[]): string {
  if (parts.length === 0) return text
  const errorText = parts.join(': ')
  if (text === '') return errorText
  if (text.includes(errorText)) return text
  // logger.error(err) puts err.message into msg: say it once, followed by what the error adds.
  if (errorText.startsWith(text) && (errorText.length === text.length || errorText.startsWith(': ', text.length))) {
    return errorText
  }
  let alreadySaid = 0
  while (alreadySaid < parts.length && text.includes(parts[alreadySaid])) alreadySaid++
  if (alreadySaid === parts.length) return text
  return `${text} ${parts.slice(alreadySaid).join(': ')}`
}

/**
 * The Event message of a log line: `<msg> <error message>`, each part said once, one line, at most `maxBytes`
 * UTF-8 bytes (cut in the middle).
 */
export function formatMessage (msg: string, err?: SerializedError, maxBytes = MAX_MESSAGE_BYTES): string {
  try {
    const text = cleanWhitespace(typeof msg === 'string' ? msg : '')
    const parts = isRecord(err) ? errorParts(err) : []
    return truncateMiddle(combine(text, parts), maxBytes)
  } catch {
    return ''
  }
}
