// Log levels: pino's numbers, the logger's custom levels, and the names other loggers use (for the CLI).
import type { Config } from '../types.js'
import { preview } from '../text.js'

export const PINO_LEVELS: Readonly<Record<string, number>> = Object.freeze({
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60
})

const DEFAULT_MIN_LEVEL = 30
const FALLBACK_TYPE = 'Normal'

const OTHER_LOGGERS_NAMES = new Map<string, string>([
  ['warning', 'warn'],
  ['critical', 'fatal'],
  ['panic', 'fatal'],
  ['dpanic', 'fatal'],
  ['err', 'error']
])

/** The labels that mean pino's fatal: `fatal` and other loggers' names for it. */
export const FATAL_LABELS: readonly string[] = Object.freeze(['fatal', ...[...OTHER_LOGGERS_NAMES].filter(([, pino]) => pino === 'fatal').map(([label]) => label)])

const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/

export interface ResolvedLevels {
  /** lines below this level post nothing */
  minLevel: number
  /** the event type for a line of this level */
  typeFor (level: number): string
  /** every known label → number (pino's, then the logger's own); labels in lines resolve through lookupLevel */
  levelValues: Record<string, number>
}

/** A level label (any case, other loggers' names too, or a number as text) → its number. */
export function lookupLevel (levelValues: Record<string, number>, label: string): number | undefined {
  if (Object.hasOwn(levelValues, label)) return levelValues[label]
  const lower = label.toLowerCase()
  if (Object.hasOwn(levelValues, lower)) return levelValues[lower]
  const alias = OTHER_LOGGERS_NAMES.get(lower)
  if (alias !== undefined && Object.hasOwn(levelValues, alias)) return levelValues[alias]
  if (NUMERIC.test(label)) return Number(label)
  return undefined
}

function mergeLevelValues (custom: unknown, problems: string[], base: Readonly<Record<string, number>>): Record<string, number> {
  const merged: Record<string, number> = Object.create(null)
  Object.assign(merged, base)
  if (typeof custom !== 'object' || custom === null) return merged
  for (const label of Object.keys(custom)) {
    const value = (custom as Record<string, unknown>)[label]
    if (typeof value === 'number' && Number.isFinite(value) && label !== '') merged[label] = value
    else problems.push(`level '${label}' has the value ${preview(value)}: a level must be a finite number; ignoring it`)
  }
  return merged
}

function resolveMinLevel (minLevel: unknown, levelValues: Record<string, number>, problems: string[]): number {
  if (typeof minLevel === 'number' && Number.isFinite(minLevel)) return minLevel
  if (typeof minLevel === 'string') {
    if (minLevel.trim().toLowerCase() === 'silent') return Infinity
    const value = lookupLevel(levelValues, minLevel.trim())
    if (value !== undefined) return value
  }
  problems.push(`option 'minLevel' is ${preview(minLevel)}: not a level of this logger (${Object.keys(levelValues).join(', ')}); using 'info' (30)`)
  return DEFAULT_MIN_LEVEL
}

/**
 * Resolves minLevel and the eventTypes mapping against the logger's levels. Labels that name no level are reported
 * in `problems` and left out; never throws. `baseLevels` are the levels every logger of the kind has (pino's; none
 * for loggers whose levels all come with them).
 */
export function resolveLevels (
  config: Pick<Config, 'minLevel' | 'eventTypes'>,
  levelValues: Record<string, number> | undefined,
  problems: string[] = [],
  baseLevels: Readonly<Record<string, number>> = PINO_LEVELS
): ResolvedLevels {
  const merged = mergeLevelValues(levelValues, problems, baseLevels)
  const minLevel = resolveMinLevel(config.minLevel, merged, problems)

  // Later entries win for the same number, so a user's 'warning' overrides the default 'warn'.
  const typeByLevel = new Map<number, string>()
  const eventTypes = typeof config.eventTypes === 'object' && config.eventTypes !== null ? config.eventTypes : {}
  for (const label of Object.keys(eventTypes)) {
    const type = eventTypes[label]
    const level = lookupLevel(merged, label.trim())
    if (level === undefined) {
      problems.push(`option 'eventTypes' maps '${label}', which is not a level of this logger (${Object.keys(merged).join(', ')}); ignoring it`)
      continue
    }
    if (typeof type === 'string' && type.trim() !== '') typeByLevel.set(level, type.trim())
  }
  const ladder = [...typeByLevel.entries()].sort((a, b) => a[0] - b[0])
  const ladderLevels = ladder.map(([level]) => level)
  const ladderTypes = ladder.map(([, type]) => type)

  function typeFor (level: number): string {
    for (let i = ladderLevels.length - 1; i >= 0; i--) {
      if (ladderLevels[i] <= level) return ladderTypes[i]
    }
    return FALLBACK_TYPE
  }

  return { minLevel, typeFor, levelValues: merged }
}
