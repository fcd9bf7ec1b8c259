// An error given as text: a JavaScript stack ("TypeError: boom\n    at …") names the error's type and message on its
// first line. Text that is not a stack stays one message, as zap and logrus write their errors.
import type { SerializedError } from '../types.js'

// "Name: message" then a frame line, as V8 writes every stack; the name is an identifier such as TypeError.
const STACK_HEADING = /^([A-Za-z_$][\w$.]*)(?:: ([^\n]*))?\n\s+at /

/** `{ type, message, stack }` for a JavaScript stack, `{ message }` for any other text. Never throws. */
export function errorFromText (text: string): SerializedError {
  const heading = STACK_HEADING.exec(text)
  if (heading === null) return { message: text }
  return { type: heading[1], message: heading[2] ?? '', stack: text }
}
