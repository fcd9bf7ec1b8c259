// What the recognisers of error text share: the result they build and how causes join the message.
import type { ErrorText } from './error-text.js'
import { MAX_CAUSE_DEPTH } from './message.js'

/** `IllegalStateException` of `java.lang.IllegalStateException`, `Inner` of `Outer$Inner`, `Err` of `mod.Err`. */
export function simpleName (qualified: string): string {
  const name = qualified.slice(Math.max(qualified.lastIndexOf('.'), qualified.lastIndexOf('$')) + 1)
  return name !== '' ? name : qualified
}

/** How a cause reads in a message: its message, else its type. */
export function causeLabel (cause: ErrorText): string {
  return cause.message !== '' ? cause.message : (cause.type ?? '')
}

/** `<message>: <cause>: <its cause>`, each said once, as the pino path joins an error with its causes. */
export function withCauses (message: string, causes: string[]): string {
  const parts = message !== '' ? [message] : []
  for (const cause of causes.slice(0, MAX_CAUSE_DEPTH)) {
    if (cause !== '' && !parts.some(part => part.includes(cause))) parts.push(cause)
  }
  return parts.join(': ')
}

export function firstNonBlank (lines: string[], from = 0): number {
  let index = from
  while (index < lines.length && lines[index].trim() === '') index++
  return index
}

/** Lines joined back into text, without the blank lines that end a block. */
export function joinTrimmed (lines: string[]): string {
  let end = lines.length
  while (end > 0 && lines[end - 1].trim() === '') end--
  return lines.slice(0, end).join('\n').trim()
}
