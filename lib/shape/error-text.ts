// Errors that arrive as text (another logger's traceback or stack trace, a pino line whose `err` is a string, a
// winston `stack`): the frames are for the log, an Event says which exception it was. The text is recognised in
// the usual shapes and reduced to the exception's type and message; anything else is kept as it is.
import { parseGoPanic } from './error-text-go.js'
import { parsePythonTraceback } from './error-text-python.js'
import { parseStackTrace } from './error-text-stack.js'

export interface ErrorText {
  /** the exception's simple type name (`ValueError`, `IllegalStateException`, `Panic`), when the text names one */
  type?: string
  /** the exception's own message, followed by the messages of its explicit causes; the whole text otherwise */
  message: string
}

// Only this much of each end of a text is read, so a huge string costs a bounded amount of work: a traceback's
// final exception is at its end (Python), a stack trace's thrown one at its start (JavaScript, Java, Go).
const WINDOW_CHARS = 64 * 1024

function linesOf (text: string): string[] {
  return text.split(/\r?\n/)
}

/**
 * The exception a traceback or stack trace is about: `{ type, message }`. Text that has none of the shapes
 * (Python tracebacks, JavaScript and JVM stack traces, Go panics) comes back as `{ message: text }`. Never throws.
 */
export function errorFromText (text: string): ErrorText {
  if (typeof text !== 'string') return { message: '' }
  try {
    const whole = text.length <= 2 * WINDOW_CHARS
    // A window's line at the cut is most likely incomplete: it is left out.
    const head = whole ? linesOf(text) : linesOf(text.slice(0, WINDOW_CHARS)).slice(0, -1)
    const tail = whole ? head : linesOf(text.slice(-WINDOW_CHARS)).slice(1)
    return parsePythonTraceback(head, tail) ?? parseStackTrace(head) ?? parseGoPanic(head) ?? { message: text }
  } catch {
    return { message: text }
  }
}
