// Python tracebacks as `traceback.format_exc()` and logging's `exc_info` print them: plain, chained, and
// exception groups. The exception is the last one printed, the one that was raised; causes named with
// `raise … from …` ("direct cause") follow its message, the exceptions it merely interrupted ("During handling")
// do not.
import type { ErrorText } from './error-text.js'
import { causeLabel, firstNonBlank, joinTrimmed, simpleName, withCauses } from './error-text-common.js'
import { MAX_CAUSE_DEPTH } from './message.js'

const TRACEBACK_HEADER = 'Traceback (most recent call last):'
const GROUP_HEADER = 'Exception Group Traceback (most recent call last):'
const DIRECT_CAUSE = 'The above exception was the direct cause of the following exception:'
const DURING_HANDLING = 'During handling of the above exception, another exception occurred:'
// `ValueError: text`, `ValueError`, `kopf._core.actions.execution.PermanentError: text`, `f.<locals>.Err: text`
const EXCEPTION_LINE = /^([A-Za-z_][\w.<>]*)(?::(?: (.*))?)?$/
// "(2 sub-exceptions)" at the end of a group's message
const SUB_EXCEPTION_COUNT = /\((\d+) sub-exceptions?\)$/
const MORE_EXCEPTIONS = /^and (\d+) more exceptions?$/
const MAX_LISTED = 3
const MAX_GROUP_DEPTH = 3

type Link = 'cause' | 'context'

interface Block { lines: string[], linkToNext?: Link }

/** The chain's exceptions, first printed first, with how each leads to the next. */
function splitChain (lines: string[]): Block[] {
  const blocks: Block[] = [{ lines: [] }]
  for (const line of lines) {
    const trimmed = line.trim()
    const link: Link | undefined = trimmed === DIRECT_CAUSE ? 'cause' : trimmed === DURING_HANDLING ? 'context' : undefined
    // Only the chain's own separators, at the margin; those inside a group's sub-exceptions are indented.
    if (link !== undefined && line.startsWith(trimmed)) {
      blocks[blocks.length - 1].linkToNext = link
      blocks.push({ lines: [] })
    } else {
      blocks[blocks.length - 1].lines.push(line)
    }
  }
  return blocks
}

/** One exception as printed: an optional header, indented frames, then `Type: message` to the end. */
function parseException (lines: string[], depth: number): ErrorText | undefined {
  let index = firstNonBlank(lines)
  if (index >= lines.length) return undefined
  if (lines[index].trimEnd().endsWith(GROUP_HEADER)) return parseGroup(lines, index, depth)
  // Text a logger put before the traceback is not the exception.
  const header = lines.indexOf(TRACEBACK_HEADER, index)
  if (header >= 0) index = header + 1
  // Frames (`  File …`, source lines, `^^^` markers, "[Previous line repeated …]") are indented; the exception is not.
  while (index < lines.length && (lines[index].startsWith(' ') || lines[index].startsWith('\t') || lines[index] === '')) index++
  if (index >= lines.length) return undefined
  const match = EXCEPTION_LINE.exec(lines[index])
  if (match === null) return undefined
  const message = joinTrimmed([match[2] ?? '', ...lines.slice(index + 1)])
  return { type: match[1], message }
}

/** The group's own part and its sub-exceptions, each with the margin of its nesting taken off. */
function splitGroup (lines: string[], header: number): { own: string[], subs: string[][] } {
  const margin = lines[header].slice(0, lines[header].indexOf('+'))
  const ownPrefix = margin + '| '
  const subPrefix = margin + '  | '
  const own: string[] = []
  const subs: string[][] = []
  for (const line of lines.slice(header + 1)) {
    // `  +-+---- 1 ----` opens the first sub-exception, `    +---- 2 ----` the next ones and `    +-----` closes.
    if (line.startsWith(margin + '+-+') || line.startsWith(margin + '  +--')) subs.push([])
    else if (subs.length === 0 && line.startsWith(ownPrefix)) own.push(line.slice(ownPrefix.length))
    else if (subs.length > 0 && line.startsWith(subPrefix)) subs[subs.length - 1].push(line.slice(subPrefix.length))
    else if (subs.length > 0 && line.trimEnd() + ' ' === subPrefix) subs[subs.length - 1].push('')
  }
  return { own, subs: subs.filter(sub => sub.some(line => line.trim() !== '')) }
}

/** `many things (2 sub-exceptions): ValueError: one; TypeError: two`, short as the pino path's AggregateErrors. */
function parseGroup (lines: string[], header: number, depth: number): ErrorText | undefined {
  const { own, subs } = splitGroup(lines, header)
  const group = parseException(own, depth)
  if (group === undefined || depth >= MAX_GROUP_DEPTH) return group
  const listed: string[] = []
  let notListed = 0
  for (const sub of subs) {
    const more = MORE_EXCEPTIONS.exec(joinTrimmed(sub))
    if (more !== null) notListed += Number(more[1])
    else if (listed.length >= MAX_LISTED) notListed++
    else {
      const exception = parseChain(sub, depth + 1)
      if (exception !== undefined) listed.push(exception.message !== '' ? `${exception.type ?? ''}: ${exception.message}` : exception.type ?? '')
    }
  }
  if (listed.length === 0) return group
  const counted = SUB_EXCEPTION_COUNT.exec(group.message)
  const total = counted !== null ? Number(counted[1]) : listed.length + notListed
  const rest = total > listed.length ? `; and ${total - listed.length} more` : ''
  return { type: group.type, message: `${group.message}: ${listed.join('; ')}${rest}` }
}

function parseChain (lines: string[], depth: number): ErrorText | undefined {
  const blocks = splitChain(lines)
  const raised = parseException(blocks[blocks.length - 1].lines, depth)
  if (raised?.type === undefined) return undefined
  const causes: string[] = []
  for (let i = blocks.length - 2; i >= 0 && causes.length < MAX_CAUSE_DEPTH && blocks[i].linkToNext === 'cause'; i--) {
    const cause = parseException(blocks[i].lines, depth)
    if (cause !== undefined) causes.push(causeLabel({ ...cause, type: cause.type === undefined ? undefined : simpleName(cause.type) }))
  }
  return { type: simpleName(raised.type), message: withCauses(raised.message, causes) }
}

/**
 * A Python traceback: `head` holds the text's first lines (where the header is), `tail` its last ones (where the
 * raised exception is); they are the same lines when the text is short. Undefined when the text is not one.
 */
export function parsePythonTraceback (head: string[], tail: string[]): ErrorText | undefined {
  if (!head.some(line => line.trimEnd().endsWith(TRACEBACK_HEADER))) return undefined
  return parseChain(tail, 0)
}
