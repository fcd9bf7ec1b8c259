// Go's crash output: `panic: <value>` (or `fatal error: <text>`), then the goroutines' stacks. A panic raised
// while another was being handled is printed below it (`panic: first [recovered]\n\tpanic: second`); the last
// one is the one that ended the program. Go panics carry no type name, so the type says what happened.
import type { ErrorText } from './error-text.js'
import { firstNonBlank, joinTrimmed } from './error-text-common.js'

const PANIC = 'panic: '
const FATAL_ERROR = 'fatal error: '
const GOROUTINE = /^goroutine \d+ \[/
const RECOVERED_MARK = / \[recovered(?:, repanicked)?\]$/
const PANIC_TYPE = 'Panic'
const FATAL_ERROR_TYPE = 'FatalError'

/** Where the panic values end: the blank line before the stacks, the signal line, the first goroutine. */
function endsValue (line: string): boolean {
  return line.trim() === '' || line.startsWith('[signal ') || GOROUTINE.test(line)
}

/** A Go panic or fatal error from its first lines; undefined when the text is not one. */
export function parseGoPanic (head: string[]): ErrorText | undefined {
  const start = firstNonBlank(head)
  if (start >= head.length) return undefined
  const first = head[start]
  const prefix = first.startsWith(PANIC) ? PANIC : first.startsWith(FATAL_ERROR) ? FATAL_ERROR : undefined
  if (prefix === undefined) return undefined
  // The last panic printed, and its value's lines.
  let value = [first.slice(prefix.length)]
  let index = start + 1
  for (; index < head.length && !endsValue(head[index]); index++) {
    const line = head[index]
    if (line.startsWith('\t' + PANIC)) value = [line.slice(PANIC.length + 1)]
    else value.push(line)
  }
  const repanicked = index > start + 1 && head.slice(start + 1, index).some(line => line.startsWith('\t' + PANIC))
  const hasStacks = head.slice(index).some(line => GOROUTINE.test(line))
  if (!hasStacks && !repanicked) return undefined
  const message = joinTrimmed(value).replace(RECOVERED_MARK, '')
  return { type: prefix === PANIC ? PANIC_TYPE : FATAL_ERROR_TYPE, message }
}
