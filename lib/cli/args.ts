// Command-line flags → the same flat options object the transport takes, plus the keys of the input format.
import type { Config } from '../types.js'
import { PINO_INPUT_KEYS, type InputKeys } from '../pipeline.js'

export type { InputKeys }

export const DEFAULT_INPUT_KEYS = PINO_INPUT_KEYS

export type CliRequest =
  | {
    kind: 'run'
    /** the raw transport options, for parseOptions() */
    options: Record<string, unknown>
    keys: InputKeys
    /** custom level values (label → number) in addition to pino's defaults */
    levels?: Record<string, number>
  }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'invalid', problems: string[] }

type ValueKind = 'text' | 'api' | 'count' | 'rate' | 'milliseconds' | 'seconds' | 'level' | 'eventTypes' | 'levels'

interface FlagSpec {
  flag: string
  /** what the value looks like in --help; absent for switches */
  placeholder?: string
  kind?: ValueKind
  /** where the value goes: an option name, `aggregate.maxEvents`-style for nested ones, or `keys.x` */
  target: string
  describe: string
  /** the default as shown by --help */
  shownDefault: (defaults: Config) => string
  group: string
}

const formatMs = (ms: number): string => {
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms > 0 && ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}

const formatRate = (qps: number): string => {
  const period = 1 / qps
  return Number.isInteger(period) && period > 1 ? `1/${period}` : String(qps)
}

const formatEventTypes = (types: Record<string, string>): string =>
  Object.entries(types).map(([level, type]) => `${level}=${type}`).join(',')

const aggregateOf = (defaults: Config): { maxEvents: number, intervalSeconds: number } | undefined =>
  defaults.correlation.aggregate === false ? undefined : defaults.correlation.aggregate

const rateLimitOf = (defaults: Config): { burst: number, qps: number } | undefined =>
  defaults.correlation.rateLimit === false ? undefined : defaults.correlation.rateLimit

const FLAGS: FlagSpec[] = [
  { group: 'Events', flag: '--component', placeholder: 'name', kind: 'text', target: 'component', describe: 'reporting component (source.component, reportingComponent)', shownDefault: d => d.component },
  { group: 'Events', flag: '--instance', placeholder: 'name', kind: 'text', target: 'instance', describe: 'reporting instance', shownDefault: () => '$POD_NAME, else the host name' },
  { group: 'Events', flag: '--object-key', placeholder: 'path', kind: 'text', target: 'objectKey', describe: 'key of the object reference on a line; a dotted path (Kopf: object)', shownDefault: d => d.objectKey },
  { group: 'Events', flag: '--related-key', placeholder: 'path', kind: 'text', target: 'relatedKey', describe: 'key of the related object\'s reference on a line; a dotted path', shownDefault: d => d.relatedKey },
  { group: 'Events', flag: '--min-level', placeholder: 'level', kind: 'level', target: 'minLevel', describe: 'lines below this level post nothing (a label or a number)', shownDefault: d => String(d.minLevel) },
  { group: 'Events', flag: '--event-types', placeholder: 'level=Type,...', kind: 'eventTypes', target: 'eventTypes', describe: 'event type per level, merged over the defaults', shownDefault: d => formatEventTypes(d.eventTypes) },
  { group: 'Events', flag: '--reason', placeholder: 'reason', kind: 'text', target: 'reason', describe: 'reason when a line has no reason field', shownDefault: d => d.defaultReason },
  { group: 'Events', flag: '--action', placeholder: 'action', kind: 'text', target: 'action', describe: 'action when a line has no action field', shownDefault: d => d.defaultAction },
  { group: 'Events', flag: '--cluster-namespace', placeholder: 'namespace', kind: 'text', target: 'clusterNamespace', describe: 'namespace for events about cluster-scoped objects: default or kube-system', shownDefault: d => d.clusterNamespace },
  { group: 'Events', flag: '--api', placeholder: 'v1|events.k8s.io/v1', kind: 'api', target: 'api', describe: 'Events API to write to', shownDefault: d => d.api },
  { group: 'Events', flag: '--levels', placeholder: 'label=number,...', kind: 'levels', target: 'levels', describe: 'custom pino levels of the input, e.g. audit=35', shownDefault: () => 'none' },

  { group: 'Input format', flag: '--level-key', placeholder: 'key', kind: 'text', target: 'keys.levelKey', describe: 'key of the level (a pino number or a name such as info, WARNING, critical)', shownDefault: () => DEFAULT_INPUT_KEYS.levelKey },
  { group: 'Input format', flag: '--message-key', placeholder: 'key', kind: 'text', target: 'keys.messageKey', describe: 'key of the message', shownDefault: () => DEFAULT_INPUT_KEYS.messageKey },
  { group: 'Input format', flag: '--error-key', placeholder: 'key', kind: 'text', target: 'keys.errorKey', describe: 'key of the error (an object, or a string)', shownDefault: () => DEFAULT_INPUT_KEYS.errorKey },
  { group: 'Input format', flag: '--time-key', placeholder: 'key', kind: 'text', target: 'keys.timeKey', describe: 'key of the time (epoch ms, epoch seconds, or an ISO string)', shownDefault: () => DEFAULT_INPUT_KEYS.timeKey },

  { group: 'Connection', flag: '--kubeconfig', placeholder: 'path', kind: 'text', target: 'kubeconfig', describe: 'kubeconfig file(s)', shownDefault: () => '$KUBECONFIG, else ~/.kube/config, else in-cluster' },
  { group: 'Connection', flag: '--context', placeholder: 'name', kind: 'text', target: 'context', describe: 'kubeconfig context', shownDefault: () => 'the current context' },
  { group: 'Connection', flag: '--request-timeout', placeholder: 'duration', kind: 'milliseconds', target: 'requestTimeout', describe: 'timeout of one API request', shownDefault: d => formatMs(d.delivery.requestTimeoutMs) },

  { group: 'Dedup, aggregation and rate limits', flag: '--cache-size', placeholder: 'n', kind: 'count', target: 'cacheSize', describe: 'entries in each dedup/aggregation/rate-limit cache', shownDefault: d => String(d.correlation.cacheSize) },
  { group: 'Dedup, aggregation and rate limits', flag: '--no-aggregate', target: 'aggregate', describe: 'never combine similar events', shownDefault: d => aggregateOf(d) === undefined ? 'off' : 'aggregation on' },
  { group: 'Dedup, aggregation and rate limits', flag: '--aggregate-max-events', placeholder: 'n', kind: 'count', target: 'aggregate.maxEvents', describe: 'distinct messages per object, type and reason before they are combined', shownDefault: d => String(aggregateOf(d)?.maxEvents ?? 'off') },
  { group: 'Dedup, aggregation and rate limits', flag: '--aggregate-interval', placeholder: 'duration', kind: 'seconds', target: 'aggregate.intervalSeconds', describe: 'window of that count', shownDefault: d => { const a = aggregateOf(d); return a === undefined ? 'off' : formatMs(a.intervalSeconds * 1000) } },
  { group: 'Dedup, aggregation and rate limits', flag: '--no-rate-limit', target: 'rateLimit', describe: 'no per-object rate limit', shownDefault: d => rateLimitOf(d) === undefined ? 'off' : 'rate limit on' },
  { group: 'Dedup, aggregation and rate limits', flag: '--rate-limit-burst', placeholder: 'n', kind: 'count', target: 'rateLimit.burst', describe: 'per-object burst of writes', shownDefault: d => String(rateLimitOf(d)?.burst ?? 'off') },
  { group: 'Dedup, aggregation and rate limits', flag: '--rate-limit-qps', placeholder: 'rate', kind: 'rate', target: 'rateLimit.qps', describe: 'per-object writes per second after the burst (a number or a fraction such as 1/300)', shownDefault: d => { const r = rateLimitOf(d); return r === undefined ? 'off' : formatRate(r.qps) } },

  { group: 'Delivery', flag: '--qps', placeholder: 'rate', kind: 'rate', target: 'qps', describe: 'API requests per second, all objects together', shownDefault: d => formatRate(d.delivery.qps) },
  { group: 'Delivery', flag: '--burst', placeholder: 'n', kind: 'count', target: 'burst', describe: 'API request burst, all objects together', shownDefault: d => String(d.delivery.burst) },
  { group: 'Delivery', flag: '--queue-size', placeholder: 'n', kind: 'count', target: 'queueSize', describe: 'events waiting to be written, at most (more are dropped)', shownDefault: d => String(d.delivery.queueSize) },
  { group: 'Delivery', flag: '--flush-timeout', placeholder: 'duration', kind: 'milliseconds', target: 'flushTimeout', describe: 'how long pending events may take at end of input or on SIGTERM/SIGINT', shownDefault: d => formatMs(d.delivery.flushTimeoutMs) },
  { group: 'Delivery', flag: '--max-attempts', placeholder: 'n', kind: 'count', target: 'maxAttempts', describe: 'attempts per event', shownDefault: d => String(d.delivery.maxAttempts) },
  { group: 'Delivery', flag: '--max-retry-age', placeholder: 'duration', kind: 'milliseconds', target: 'maxRetryAge', describe: 'give up retrying an event after this long', shownDefault: d => formatMs(d.delivery.maxRetryAgeMs) },
  { group: 'Delivery', flag: '--concurrency', placeholder: 'n', kind: 'count', target: 'concurrency', describe: 'API requests in flight at once', shownDefault: d => String(d.delivery.concurrency) }
]

const FLAG_BY_NAME = new Map(FLAGS.map(spec => [spec.flag, spec]))

const SHORTEN_AT = 60
const shorten = (text: string): string => JSON.stringify(text.length > SHORTEN_AT ? text.slice(0, SHORTEN_AT) + '...' : text)

const EVENTS_APIS = ['v1', 'events.k8s.io/v1']

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** A duration: a bare number in `bareUnit`, or with a unit (ms, s, m, h). Returns milliseconds. */
function parseDuration (text: string, bareUnitMs: number): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text)
  if (match === null) return undefined
  const ms = Number(match[1]) * (match[2] === undefined ? bareUnitMs : UNITS_MS[match[2]])
  return Number.isFinite(ms) ? ms : undefined
}

function parseRate (text: string): number | undefined {
  const fraction = /^(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/.exec(text)
  const value = fraction !== null ? Number(fraction[1]) / Number(fraction[2]) : /^\d+(?:\.\d+)?(?:e-?\d+)?$/i.test(text) ? Number(text) : NaN
  return Number.isFinite(value) && value > 0 ? value : undefined
}

/** `a=b,c=d` → entries; undefined when any part is not `key=value` with both sides present */
function parsePairs (text: string): Array<[string, string]> | undefined {
  const pairs: Array<[string, string]> = []
  for (const part of text.split(',')) {
    const at = part.indexOf('=')
    if (at <= 0) return undefined
    const key = part.slice(0, at).trim()
    const value = part.slice(at + 1).trim()
    if (key === '' || value === '') return undefined
    pairs.push([key, value])
  }
  return pairs
}

type Parsed = { ok: true, value: unknown } | { ok: false, problem: string }

function parseValue (spec: FlagSpec, text: string): Parsed {
  const bad = (rule: string): Parsed => ({ ok: false, problem: `${spec.flag} ${shorten(text)}: ${rule}` })
  if (text.trim() === '') return bad('needs a value')
  switch (spec.kind) {
    case 'count': {
      if (!/^\d+$/.test(text)) return bad('expects a whole number')
      const value = Number(text)
      return Number.isSafeInteger(value) && value >= 1 ? { ok: true, value } : bad('expects a whole number of at least 1')
    }
    case 'api':
      return EVENTS_APIS.includes(text) ? { ok: true, value: text } : bad(`expects one of ${EVENTS_APIS.join(', ')}`)
    case 'rate': {
      const value = parseRate(text)
      return value === undefined ? bad('expects a rate above 0, a number (0.5) or a fraction (1/300)') : { ok: true, value }
    }
    case 'milliseconds': {
      const value = parseDuration(text, 1)
      return value === undefined ? bad('expects a duration: milliseconds, or a number with ms, s, m or h') : { ok: true, value }
    }
    case 'seconds': {
      const value = parseDuration(text, 1000)
      return value === undefined ? bad('expects a duration: seconds, or a number with ms, s, m or h') : { ok: true, value: value / 1000 }
    }
    case 'level':
      return { ok: true, value: /^\d+$/.test(text) ? Number(text) : text }
    case 'eventTypes': {
      const pairs = parsePairs(text)
      return pairs === undefined ? bad('expects level=Type pairs separated by commas, e.g. info=Normal,warn=Warning') : { ok: true, value: Object.fromEntries(pairs) }
    }
    case 'levels': {
      const pairs = parsePairs(text)
      if (pairs === undefined || pairs.some(([, number]) => !/^\d+$/.test(number))) return bad('expects label=number pairs separated by commas, e.g. audit=35')
      return { ok: true, value: Object.fromEntries(pairs.map(([label, number]) => [label, Number(number)])) }
    }
    default:
      return { ok: true, value: text }
  }
}

/**
 * Reads the command line. `defaults` fills the other half of a nested option when only one half is given
 * (`--aggregate-max-events` alone keeps the default interval).
 */
export function parseCliArgs (argv: readonly string[], defaults: Config): CliRequest {
  const problems: string[] = []
  const options: Record<string, unknown> = {}
  const keys: InputKeys = { ...DEFAULT_INPUT_KEYS }
  const nested: Record<'aggregate' | 'rateLimit', Record<string, unknown>> = { aggregate: {}, rateLimit: {} }
  const switchedOff = new Set<string>()
  let levels: Record<string, number> | undefined
  let wantsHelp = false
  let wantsVersion = false

  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]
    if (arg === '--help' || arg === '-h') { wantsHelp = true; continue }
    if (arg === '--version') { wantsVersion = true; continue }
    if (!arg.startsWith('--')) {
      problems.push(`unexpected argument ${shorten(arg)}: input is read from stdin, and every setting is a --flag`)
      continue
    }
    const equals = arg.indexOf('=')
    const name = equals === -1 ? arg : arg.slice(0, equals)
    const spec = FLAG_BY_NAME.get(name)
    if (spec === undefined) {
      problems.push(`unknown flag ${shorten(name)} (see --help)`)
      continue
    }
    if (spec.kind === undefined) {
      if (equals !== -1) problems.push(`${name} takes no value`)
      else switchedOff.add(spec.target)
      continue
    }
    let text: string
    if (equals !== -1) {
      text = arg.slice(equals + 1)
    } else if (index + 1 < argv.length && !FLAG_BY_NAME.has(argv[index + 1])) {
      text = argv[++index]
    } else {
      problems.push(`${name} needs a value (${spec.placeholder ?? 'value'})`)
      continue
    }
    const parsed = parseValue(spec, text)
    if (!parsed.ok) {
      problems.push(parsed.problem)
      continue
    }
    const [head, tail] = spec.target.split('.')
    if (head === 'keys') keys[tail as keyof InputKeys] = parsed.value as string
    else if (head === 'aggregate' || head === 'rateLimit') nested[head][tail] = parsed.value
    else if (head === 'levels') levels = { ...levels, ...(parsed.value as Record<string, number>) }
    else if (head === 'eventTypes') options.eventTypes = { ...(options.eventTypes as object | undefined), ...(parsed.value as object) }
    else options[head] = parsed.value
  }

  for (const part of ['aggregate', 'rateLimit'] as const) {
    const given = nested[part]
    const flagOff = part === 'aggregate' ? '--no-aggregate' : '--no-rate-limit'
    if (switchedOff.has(part)) {
      if (Object.keys(given).length > 0) problems.push(`${flagOff} contradicts ${Object.keys(given).map(key => flagFor(`${part}.${key}`)).join(' and ')}`)
      options[part] = false
    } else if (Object.keys(given).length > 0) {
      const base = part === 'aggregate' ? aggregateOf(defaults) : rateLimitOf(defaults)
      options[part] = { ...base, ...given }
    }
  }

  if (problems.length > 0) return { kind: 'invalid', problems }
  if (wantsHelp) return { kind: 'help' }
  if (wantsVersion) return { kind: 'version' }
  return levels === undefined ? { kind: 'run', options, keys } : { kind: 'run', options, keys, levels }
}

function flagFor (target: string): string {
  return FLAGS.find(spec => spec.target === target)?.flag ?? target
}

/**
 * What the transport does instead of a bad value (`; using 'info' (30)`, `; ignoring it`): the transport carries on
 * without it, but the command exits, so saying it would tell the user something that does not happen.
 */
const FALLBACK_CLAUSE = /; (using .*|ignoring it)$/

/**
 * A problem found by the option parser, told in terms of the flag that set the option. The command exits on every
 * problem (status 2), so the transport's fallback is left out.
 */
export function describeOptionProblem (problem: string): string {
  return problem.replace(FALLBACK_CLAUSE, '').replace(/option '([A-Za-z.]+)'/g, (text, option: string) => {
    const flag = FLAGS.find(spec => spec.target === option || spec.target.startsWith(`${option}.`))?.flag
    return flag ?? text
  })
}

export function helpText (defaults: Config, version: string): string {
  const lines = [
    `pino-k8s-events ${version}`,
    '',
    'Reads JSON log lines (NDJSON) on stdin, copies every byte unchanged to stdout, and posts Kubernetes Events',
    'for lines that carry an object reference: the same pipeline and options as the pino transport.',
    '',
    'Usage: node app.js | pino-k8s-events [flags] | pino-pretty',
    '       tail -F /logs/operator.log | pino-k8s-events --object-key object --level-key severity --message-key message',
    ''
  ]
  const width = Math.max(...FLAGS.map(spec => usageOf(spec).length))
  let group = ''
  for (const spec of FLAGS) {
    if (spec.group !== group) {
      group = spec.group
      lines.push(`${group}:`)
    }
    lines.push(`  ${usageOf(spec).padEnd(width)}  ${spec.describe} (default: ${spec.shownDefault(defaults)})`)
  }
  lines.push(
    '',
    `  ${'--help, -h'.padEnd(width)}  this text`,
    `  ${'--version'.padEnd(width)}  the version`,
    '',
    'Durations: a bare number is milliseconds (seconds for --aggregate-interval); or 500ms, 5s, 2m, 1h.',
    'Flags take their value as --flag value or --flag=value. An unknown flag or a bad value exits with status 2.',
    'End of input and SIGTERM/SIGINT deliver pending events (up to --flush-timeout), then exit with status 0.',
    'Diagnostics go to stderr, never to stdout.'
  )
  return lines.join('\n') + '\n'
}

function usageOf (spec: FlagSpec): string {
  return spec.placeholder === undefined ? spec.flag : `${spec.flag} <${spec.placeholder}>`
}
