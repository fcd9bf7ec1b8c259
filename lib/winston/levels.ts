// winston's levels in the pipeline: winston numbers them the other way round (0 is the most severe), so a level n
// becomes -n, which keeps "higher is more severe" for minLevel and the eventTypes ladder.
import type { Config } from '../types.js'
import { FATAL_LABELS, lookupLevel, resolveLevels, type ResolvedLevels } from '../select/levels.js'
import { isRecord } from '../fields.js'
import { preview } from '../text.js'

/**
 * The labels of winston's npm, syslog and cli levels that name an event type, and the names of fatal that custom
 * levels use (as the command line reads them); a logger's other levels fall between.
 */
const WINSTON_EVENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  ...Object.fromEntries(FATAL_LABELS.map(label => [label, 'Error'])),
  emerg: 'Error',
  alert: 'Error',
  crit: 'Error',
  error: 'Error',
  warn: 'Warning',
  warning: 'Warning',
  notice: 'Normal',
  info: 'Normal'
})

const DEFAULT_MIN_LEVEL = 'info'

/** A winston level number as the pipeline reads it. */
export function pipelineLevel (winstonLevel: number): number {
  return -winstonLevel
}

/** winston's `{ error: 0, warn: 1, … }` → the pipeline's `{ error: -0, warn: -1, … }`; bad entries are left out. */
export function pipelineLevelValues (winstonLevels: unknown, problems: string[]): Record<string, number> {
  const values: Record<string, number> = Object.create(null)
  if (!isRecord(winstonLevels)) return values
  for (const label of Object.keys(winstonLevels)) {
    const value = winstonLevels[label]
    if (typeof value === 'number' && Number.isFinite(value) && label !== '') values[label] = pipelineLevel(value)
    else problems.push(`winston level '${label}' has the value ${preview(value)}: a level must be a finite number; ignoring it`)
  }
  return values
}

/** The least severe level: where a logger without an 'info' level starts posting. */
function leastSevere (levelValues: Record<string, number>): string | undefined {
  let least: string | undefined
  for (const label of Object.keys(levelValues)) {
    if (least === undefined || levelValues[label] < levelValues[least]) least = label
  }
  return least
}

function minLevelOf (config: Pick<Config, 'minLevel'>, given: boolean, levelValues: Record<string, number>, problems: string[]): string | number {
  const fallback = lookupLevel(levelValues, DEFAULT_MIN_LEVEL) !== undefined ? DEFAULT_MIN_LEVEL : leastSevere(levelValues) ?? DEFAULT_MIN_LEVEL
  if (!given) return fallback
  const minLevel = config.minLevel
  // A number names a winston level number.
  if (typeof minLevel === 'number') return pipelineLevel(minLevel)
  const label = minLevel.trim()
  if (label.toLowerCase() === 'silent' || lookupLevel(levelValues, label) !== undefined) return label
  problems.push(`option 'minLevel' is ${preview(minLevel)}: not a level of this logger (${Object.keys(levelValues).join(', ')}); using '${fallback}'`)
  return fallback
}

/**
 * minLevel and eventTypes resolved against the winston logger's levels: the defaults are the winston labels the
 * logger has (error → Error, warn/warning → Warning, info/notice → Normal), the user's own entries over them.
 */
export function resolveWinstonLevels (
  config: Pick<Config, 'minLevel' | 'eventTypes'>,
  rawOptions: unknown,
  winstonLevels: unknown,
  problems: string[]
): ResolvedLevels {
  const levelValues = pipelineLevelValues(winstonLevels, problems)
  const given = isRecord(rawOptions) ? rawOptions : {}
  const eventTypes: Record<string, string> = {}
  for (const label of Object.keys(WINSTON_EVENT_TYPES)) {
    if (Object.hasOwn(levelValues, label)) eventTypes[label] = WINSTON_EVENT_TYPES[label]
  }
  // config.eventTypes holds pino's defaults too; only the labels the user named are the user's.
  const userTypes = isRecord(given.eventTypes) ? given.eventTypes : {}
  for (const label of Object.keys(userTypes)) {
    if (Object.hasOwn(config.eventTypes, label)) {
      Object.defineProperty(eventTypes, label, { value: config.eventTypes[label], enumerable: true, writable: true, configurable: true })
    }
  }
  const minLevel = minLevelOf(config, given.minLevel !== undefined, levelValues, problems)
  return resolveLevels({ minLevel, eventTypes }, levelValues, problems, {})
}
