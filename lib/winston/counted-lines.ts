// On the application's thread, a bound line that says what the previous line about its object said, but for its
// time, is counted instead of written: an operator logs the same thing about an object again and again, and the
// worker gets one line for all of them (lib/select/occurrences.ts), which it records once per occurrence. A line with
// an error or a related object is written as it is, after the open line of its object, so that an object's lines
// keep their order.
import { withOccurrences } from '../select/occurrences.js'
import { isRecord } from '../fields.js'
import { bindingEntry, errorOf, eventLine, lineEnd, lineStart, madeFrom, messageOf, type Related } from './pick.js'

type Info = Record<string | symbol, unknown>

/** objects with an open line at once; more close them all, so that what waits stays small */
const MAX_OPEN = 1024

/**
 * What a line says but for its time, and how often it said it since it was opened. The fields are kept as the line
 * carried them: the same values make the same line, and comparing them is all a repeated line costs.
 */
interface OpenLine {
  /** the values the binding's reference was made from (pick.ts): an object changed in place closes its line */
  source: unknown[]
  level: number | string
  message: unknown
  reason: unknown
  eventType: unknown
  action: unknown
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
  /**
   * By the binding object itself: a child logger puts the same one on every line, and one lookup here is all a
   * repeated line costs. Held only until the next handover.
   */
  private readonly open = new Map<object, OpenLine>()

  /** `onDropped(occurrences)` is told of lines that did not fit */
  constructor (private readonly outlet: LineOutlet, private readonly onDropped: (occurrences: number) => void) {}

  /** A bound line, at or above the minimum level. */
  add (info: Info, binding: unknown, path: readonly string[], level: number | string, related: Related | undefined): void {
    const time = Date.now()
    const err = errorOf(info)
    if (!isRecord(binding) || err !== undefined || related !== undefined) {
      if (isRecord(binding)) this.close(binding)
      this.write(eventLine(info, binding, path, level, related, time, err), 1)
      return
    }
    const open = this.open.get(binding)
    if (open !== undefined) {
      if (open.level === level && open.message === info.message && open.reason === info.reason &&
        open.eventType === info.eventType && open.action === info.action && madeFrom(binding, open.source)) {
        open.count++
        open.lastTime = time
        return
      }
      this.writeOpen(open)
    } else if (this.open.size >= MAX_OPEN) {
      this.closeAll()
    }
    const entry = bindingEntry(path, binding)
    this.open.set(binding, {
      source: entry.source,
      level,
      message: info.message,
      reason: info.reason,
      eventType: info.eventType,
      action: info.action,
      start: lineStart(entry.text, level),
      end: lineEnd(info, messageOf(info), undefined),
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

  private close (binding: object): void {
    const open = this.open.get(binding)
    if (open === undefined) return
    this.open.delete(binding)
    this.writeOpen(open)
  }

  private writeOpen ({ start, end, count, firstTime, lastTime }: OpenLine): void {
    this.write(withOccurrences(start + lastTime + end, count, firstTime), count)
  }

  private write (line: string, occurrences: number): void {
    if (!this.outlet.write(line)) this.onDropped(occurrences)
  }
}
