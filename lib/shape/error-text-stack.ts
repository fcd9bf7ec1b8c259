// Stack traces whose first line is the thrown error and whose frames read `at …`: JavaScript's `err.stack`
// (`TypeError: boom\n    at f (file.js:1:2)`) and the JVM's `printStackTrace()` (Java, Kotlin, Scala:
// `java.lang.IllegalStateException: msg\n\tat pkg.Class.method(File.java:12)`, then `Caused by: …`).
// The exception is the thrown one, the top line; its `Caused by` chain follows its message, down to the root.
import type { ErrorText } from './error-text.js'
import { causeLabel, firstNonBlank, joinTrimmed, simpleName, withCauses } from './error-text-common.js'
import { MAX_CAUSE_DEPTH } from './message.js'

// `TypeError`, `java.lang.IllegalStateException`, `Outer$Inner`, then Node's ` [ERR_CODE]`, then `: message`.
// One character class per run, nothing nested: no backtracking to speak of on hostile lines.
const HEADER = /^([A-Za-z_$][\w$.]*)(?: \[[^\]]*\])?(?::(?: (.*))?)?$/
const UNCAUGHT_PREFIX = /^Exception in thread "[^"]*" /
const CAUSED_BY = 'Caused by: '
const LINE_NUMBER_AT_END = /:\d+\)?$/

/**
 * `    at f (file.js:1:2)`, `    at file.js:1:2`, `\tat pkg.Class.m(File.java:12)`, `(Native Method)`, and
 * logback's `\tat pkg.Class.m(File.java:12) ~[app.jar:1.0]`.
 */
function isFrame (line: string): boolean {
  if (!(line.startsWith(' ') || line.startsWith('\t'))) return false
  const trimmed = line.trim()
  if (!trimmed.startsWith('at ')) return false
  return trimmed.endsWith(')') || trimmed.endsWith(']') || trimmed.endsWith('<anonymous>') || LINE_NUMBER_AT_END.test(trimmed)
}

/** A header and the message lines that follow it, up to the first frame; undefined when no frame follows. */
function parseThrown (lines: string[], start: number, header: string): { exception: ErrorText, end: number } | undefined {
  const match = HEADER.exec(header)
  if (match === null) return undefined
  let end = start + 1
  while (end < lines.length && !isFrame(lines[end])) end++
  if (end >= lines.length) return undefined
  const message = joinTrimmed([match[2] ?? '', ...lines.slice(start + 1, end)])
  return { exception: { type: simpleName(match[1]), message }, end }
}

/** The `Caused by:` lines that start at the margin (a suppressed exception's causes are indented). */
function causesAfter (lines: string[], from: number): string[] {
  const causes: string[] = []
  for (let i = from; i < lines.length && causes.length < MAX_CAUSE_DEPTH; i++) {
    if (!lines[i].startsWith(CAUSED_BY)) continue
    const cause = parseThrown(lines, i, lines[i].slice(CAUSED_BY.length))
    // No frame follows: nothing further down is a cause either.
    if (cause === undefined) break
    causes.push(causeLabel(cause.exception))
    i = cause.end
  }
  return causes
}

/** A JavaScript or JVM stack trace from its first lines; undefined when the text is not one. */
export function parseStackTrace (head: string[]): ErrorText | undefined {
  const start = firstNonBlank(head)
  if (start >= head.length) return undefined
  const thrown = parseThrown(head, start, head[start].trim().replace(UNCAUGHT_PREFIX, ''))
  if (thrown === undefined) return undefined
  const { type, message } = thrown.exception
  return { type, message: withCauses(message, causesAfter(head, thrown.end)) }
}
