// On the application's thread, a bound line that says what the previous line about its object said, but for its
// time, is counted instead of written: an operator logs the same thing about an object again and again, and the
// worker gets one line for all of them (lib/select/occurrences.ts), which it records once per occurrence. A line with
// an error or a related object is written as it is, after the open line of its object, so that an object's lines
// keep their order.
import { withOccurrences } from '../select/occurrences.js'
import { bindingEntry, errorOf, eventLine, lineEnd, lineStart, messageOf, textOf, type BindingText, type Related } from './pick.js'

type Info = Record<string | symbol, unknown>

/** objects with an open line at once; more close them all, so that what waits stays small */
const MAX_OPEN = 1024

/** What a line says but for its time, and how often it said it since it was opened. */
interface OpenLine {
  level: number | string
  message: string
  reason: string | undefined
  eventType: string | undefined
  action: string | undefined
  /** the line's text before and after its time's digits */
  start: string
  end: string
  count: number
  firstTime: number
  lastTime: number
}

/** Where the lines go: the worker's waiting lines. */
export interface LineOutlet {
  /** false when the line was dropped */
  write (line: string): boolean
  /** a handover is to come for the open lines */
  handOverSoon (): void
}

export class CountedLines {
  /** by the binding's text entry: one per object as it is at the line (an object changed in place gets another) */
  private readonly open = new Map<BindingText, OpenLine>()

  /** `onDropped(occurrences)` is told of lines that did not fit */
  constructor (private readonly outlet: LineOutlet, private readonly onDropped: (occurrences: number) => void) {}

  /** A bound line, at or above the minimum level. */
  add (info: Info, binding: unknown, path: readonly string[], level: number | string, related: Related | undefined): void {
    const time = Date.now()
    const entry = bindingEntry(path, binding)
    const err = errorOf(info)
    if (entry === undefined || err !== undefined || related !== undefined) {
      if (entry !== undefined) this.close(entry)
      this.write(eventLine(info, binding, path, level, related, time, err), 1)
      return
    }
    const message = messageOf(info)
    const reason = textOf(info.reason)
    const eventType = textOf(info.eventType)
    const action = textOf(info.action)
    const open = this.open.get(entry)
    if (open !== undefined && open.level === level && open.message === message && open.reason === reason &&
      open.eventType === eventType && open.action === action) {
      open.count++
      open.lastTime = time
      return
    }
    if (open !== undefined) this.writeOpen(open)
    else if (this.open.size >= MAX_OPEN) this.closeAll()
    this.open.set(entry, {
      level, message, reason, eventType, action,
      start: lineStart(entry.text, level),
      end: lineEnd(info, message, undefined),
      count: 1,
      firstTime: time,
      lastTime: time
    })
    this.outlet.handOverSoon()
  }

  /** Writes every open line: before a handover, so that what was logged goes with it. */
  closeAll (): void {
    for (const open of this.open.values()) this.writeOpen(open)
    this.open.clear()
  }

  private close (entry: BindingText): void {
    const open = this.open.get(entry)
    if (open === undefined) return
    this.open.delete(entry)
    this.writeOpen(open)
  }

  private writeOpen ({ start, end, count, firstTime, lastTime }: OpenLine): void {
    this.write(withOccurrences(start + lastTime + end, count, firstTime), count)
  }

  private write (line: string, occurrences: number): void {
    if (!this.outlet.write(line)) this.onDropped(occurrences)
  }
}
