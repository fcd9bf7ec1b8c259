// The first stage: which log lines are about a Kubernetes object. Most lines are not, and they must cost next to
// nothing, so a substring test comes before any parsing.
import type { Diagnostics, SelectedLine, SerializedError } from '../types.js'
import { isRecord, ownField, type Fields } from '../fields.js'
import { lookupLevel } from './levels.js'
import { preview } from '../text.js'

export interface SelectorOptions {
  /** the binding's key, or a dotted path to it */
  objectKey: string
  minLevel: number
  messageKey: string
  errorKey: string
  /** default 'level' */
  levelKey?: string
  /** default 'time' */
  timeKey?: string
  levelValues: Record<string, number>
  diagnostics: Diagnostics
}

export interface Selector {
  /** whether the line may hold the binding: the only question most lines are asked */
  mentionsBinding (line: string): boolean
  /**
   * where text of many lines first mentions the binding's key at or after `from`, else -1: a chunk of lines is
   * searched at once, and only the lines around a mention are looked at one by one
   */
  findMention (text: string, from: number): number
  select (line: string): SelectedLine | undefined
  /** lines that held the binding key but were not a JSON object */
  readonly invalidLines: number
}

// Lines from other loggers (the CLI) may carry no level at all.
const LEVEL_WHEN_ABSENT = 30
// Below this a number can't be epoch milliseconds of a log line (it would be before March 1973): it is epoch
// seconds, as zap's `ts` writes them.
const EPOCH_SECONDS_BELOW = 1e11
const QUOTE = 34

/** A line's numeric time → epoch milliseconds. */
export function epochMilliseconds (value: number): number {
  return value > 0 && value < EPOCH_SECONDS_BELOW ? Math.round(value * 1000) : value
}

export function createSelector (opts: SelectorOptions): Selector {
  const path = opts.objectKey.split('.')
  const firstKey = path[0]
  // How the key appears in JSON text, escapes included.
  const needle = JSON.stringify(firstKey)
  const levelKey = opts.levelKey ?? 'level'
  const timeKey = opts.timeKey ?? 'time'
  const { minLevel, messageKey, errorKey, levelValues, diagnostics } = opts
  let invalidLines = 0

  function reportInvalid (line: string, why: string): void {
    invalidLines++
    diagnostics.warn('invalid-line', `a log line mentioning '${firstKey}' is ${why}, so it posts no event: ${preview(line, 80)}`)
  }

  function findBinding (fields: Fields): { found: boolean, value?: unknown } {
    let current: unknown = fields
    for (const key of path) {
      if (!isRecord(current) || !Object.hasOwn(current, key)) return { found: false }
      current = current[key]
    }
    return { found: true, value: current }
  }

  function levelOf (fields: Fields): number {
    const value = ownField(fields, levelKey)
    if (typeof value === 'number' && Number.isFinite(value)) return value
    if (typeof value === 'string') {
      const level = lookupLevel(levelValues, value.trim())
      if (level !== undefined) return level
      diagnostics.warn('unknown-level', `a log line has the level ${preview(value)}, which this logger does not have; it counts as info`)
    }
    return LEVEL_WHEN_ABSENT
  }

  function timeOf (fields: Fields): number {
    const value = ownField(fields, timeKey)
    if (typeof value === 'number' && Number.isFinite(value)) return epochMilliseconds(value)
    if (typeof value === 'string') {
      const parsed = Date.parse(value)
      if (Number.isFinite(parsed)) return parsed
    }
    return Date.now()
  }

  function messageOf (fields: Fields): string {
    const value = ownField(fields, messageKey)
    if (typeof value === 'string') return value
    if (typeof value === 'number' || typeof value === 'boolean') return String(value)
    return ''
  }

  // The search starts from the key's text: a '"' is in every few characters of JSON, where searching for a
  // needle that starts with one is several times slower.
  const needleTail = needle.slice(1)
  function findMention (text: string, from: number): number {
    for (let at = text.indexOf(needleTail, from > 1 ? from : 1); at !== -1; at = text.indexOf(needleTail, at + 1)) {
      if (text.charCodeAt(at - 1) === QUOTE) return at - 1
    }
    return -1
  }

  function mentionsBinding (line: string): boolean {
    return typeof line === 'string' && findMention(line, 0) !== -1
  }

  function select (line: string): SelectedLine | undefined {
    if (!mentionsBinding(line)) return undefined
    let parsed: unknown
    try {
      parsed = JSON.parse(line)
    } catch {
      reportInvalid(line, 'not valid JSON')
      return undefined
    }
    if (!isRecord(parsed)) {
      reportInvalid(line, `JSON ${parsed === null ? 'null' : Array.isArray(parsed) ? 'array' : typeof parsed}, not an object`)
      return undefined
    }
    try {
      const binding = findBinding(parsed)
      // The key text was in a value or a nested object, not where the binding lives.
      if (!binding.found) return undefined
      const level = levelOf(parsed)
      if (level < minLevel) return undefined
      const err = ownField(parsed, errorKey)
      const selected: SelectedLine = {
        level,
        time: timeOf(parsed),
        message: messageOf(parsed),
        fields: parsed,
        binding: binding.value
      }
      if (isRecord(err)) selected.err = err as SerializedError
      // zap, logrus and Python tracebacks write the error as text; the shaping stage reads it.
      else if (typeof err === 'string' && err.trim() !== '') selected.err = err
      return selected
    } catch {
      return undefined
    }
  }

  return {
    mentionsBinding,
    findMention,
    select,
    get invalidLines () {
      return invalidLines
    }
  }
}
