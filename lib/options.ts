// User options → Config. Options cross into pino's worker by structured clone, so they are a flat plain object;
// a bad value must never stop the application's logging: it is reported and its default used instead.
import { hostname } from 'node:os'
import type { Config, EventsApi } from './types.js'
import { DNS1123_SUBDOMAIN, dns1123LabelProblem, dns1123SubdomainProblem } from './dns1123.js'
import { resolveLevels } from './select/levels.js'
import { MAX_WORD_BYTES, preview, removeWhitespace, truncateEnd } from './text.js'

export const DEFAULT_COMPONENT = 'pino-k8s-events'
export const DEFAULT_EVENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  info: 'Normal',
  warn: 'Warning',
  error: 'Error',
  fatal: 'Error'
})

const DEFAULTS = {
  objectKey: 'k8sObject',
  relatedKey: 'k8sRelated',
  minLevel: 'info',
  reason: 'Logging',
  action: 'Log',
  clusterNamespace: 'default',
  api: 'v1' as EventsApi,
  cacheSize: 4096,
  aggregate: { maxEvents: 10, intervalSeconds: 600 },
  rateLimit: { burst: 25, qps: 1 / 300 },
  qps: 20,
  burst: 100,
  queueSize: 1000,
  flushTimeout: 8000,
  maxAttempts: 12,
  maxRetryAge: 300_000,
  requestTimeout: 10_000,
  concurrency: 8
}

const API_VERSIONS: readonly EventsApi[] = ['v1', 'events.k8s.io/v1']

// Keys pino adds to every transport's options.
const PINO_INJECTED = new Set(['$context', 'pinoWillSendConfig', 'levels'])

const KNOWN = new Set([
  'component', 'instance', 'objectKey', 'relatedKey', 'minLevel', 'eventTypes', 'reason', 'action', 'clusterNamespace', 'api',
  'kubeconfig', 'context', 'cacheSize', 'aggregate', 'rateLimit', 'qps', 'burst', 'queueSize', 'flushTimeout',
  'maxAttempts', 'maxRetryAge', 'requestTimeout', 'concurrency'
])

const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const MAX_INSTANCE_BYTES = 128

/** Why `value` is not a Kubernetes qualified name (what reportingComponent must be), or undefined when it is one. */
export function qualifiedNameProblem (value: string): string | undefined {
  const parts = value.split('/')
  if (parts.length > 2) return 'a qualified name has at most one \'/\' (an optional DNS subdomain prefix, then the name)'
  const name = parts[parts.length - 1]
  if (parts.length === 2) {
    const prefixProblem = dns1123SubdomainProblem(parts[0])
    if (prefixProblem !== undefined) return `its prefix ${JSON.stringify(parts[0])} is not a DNS subdomain: ${prefixProblem}`
  }
  if (name.length === 0) return 'its name part is empty'
  if (name.length > 63) return `its name part is ${name.length} characters long, at most 63 are allowed`
  if (!QUALIFIED_NAME_PART.test(name)) {
    return 'its name part must consist of letters, digits, \'-\', \'_\' and \'.\', and start and end with a letter or digit'
  }
  return undefined
}

function defaultInstance (): string {
  const podName = process.env.POD_NAME?.trim()
  let name = podName !== undefined && podName !== '' ? podName : ''
  if (name === '') {
    try {
      name = hostname()
    } catch {}
  }
  return truncateEnd(name !== '' ? name : DEFAULT_COMPONENT, MAX_INSTANCE_BYTES)
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Numbers may come as text from a command line. */
function asNumber (value: unknown): number | undefined {
  if (typeof value === 'number') return value
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value)
    return Number.isNaN(parsed) ? undefined : parsed
  }
  return undefined
}

interface NumberRule { min: number, max: number, integer?: boolean, minExclusive?: boolean }

function describeRule (rule: NumberRule, unit: string): string {
  const kind = rule.integer === true ? 'a whole number' : 'a number'
  const low = rule.minExclusive === true ? `greater than ${rule.min}` : `at least ${rule.min}`
  return `must be ${kind} ${low} and at most ${rule.max}${unit}`
}

class OptionReader {
  readonly problems: string[] = []

  constructor (private readonly raw: Record<string, unknown>) {}

  has (name: string): boolean {
    return Object.hasOwn(this.raw, name) && this.raw[name] !== undefined
  }

  get (name: string): unknown {
    return Object.hasOwn(this.raw, name) ? this.raw[name] : undefined
  }

  reject (name: string, value: unknown, rule: string, fallback: unknown): void {
    this.problems.push(`option '${name}' is ${preview(value)}: ${rule}; using ${preview(fallback)}`)
  }

  number (name: string, fallback: number, rule: NumberRule, unit = '', from: Record<string, unknown> = this.raw, label = name): number {
    if (!Object.hasOwn(from, name) || from[name] === undefined) return fallback
    const value = asNumber(from[name])
    const tooLow = value !== undefined && (rule.minExclusive === true ? value <= rule.min : value < rule.min)
    if (value === undefined || !Number.isFinite(value) || tooLow || value > rule.max || (rule.integer === true && !Number.isInteger(value))) {
      this.reject(label, from[name], describeRule(rule, unit), fallback)
      return fallback
    }
    return value
  }

  text (name: string, fallback: string | undefined): string | undefined {
    if (!this.has(name)) return fallback
    const value = this.get(name)
    if (typeof value !== 'string' || value.trim() === '') {
      this.reject(name, value, 'must be a non-empty string', fallback)
      return fallback
    }
    return value
  }

  /** reason and action: one word, every space removed, at most 128 bytes. */
  word (name: string, fallback: string): string {
    if (!this.has(name)) return fallback
    const value = this.get(name)
    const cleaned = typeof value === 'string' ? truncateEnd(removeWhitespace(value), MAX_WORD_BYTES) : ''
    if (cleaned === '') {
      this.reject(name, value, 'must be a string with at least one non-space character', fallback)
      return fallback
    }
    return cleaned
  }
}

function readComponent (options: OptionReader): string {
  if (!options.has('component')) return DEFAULT_COMPONENT
  const value = options.get('component')
  if (typeof value !== 'string') {
    options.reject('component', value, 'must be a string, a Kubernetes qualified name such as \'my-operator\' or \'example.com/my-operator\'', DEFAULT_COMPONENT)
    return DEFAULT_COMPONENT
  }
  const problem = qualifiedNameProblem(value)
  if (problem !== undefined) {
    options.reject('component', value, `not a Kubernetes qualified name: ${problem}`, DEFAULT_COMPONENT)
    return DEFAULT_COMPONENT
  }
  return value
}

function readInstance (options: OptionReader): string {
  const fallback = defaultInstance()
  if (!options.has('instance')) return fallback
  const value = options.get('instance')
  if (typeof value !== 'string' || value.trim() === '') {
    options.reject('instance', value, 'must be a non-empty string', fallback)
    return fallback
  }
  // The server refuses a reportingInstance over 128 bytes; a shortened name still tells the instances apart.
  return truncateEnd(value.trim(), MAX_INSTANCE_BYTES)
}

function readObjectKey (options: OptionReader): string {
  if (!options.has('objectKey')) return DEFAULTS.objectKey
  const value = options.get('objectKey')
  if (typeof value !== 'string' || value === '' || value.split('.').some(segment => segment === '')) {
    options.reject('objectKey', value, 'must be a key name, or a dotted path such as \'meta.object\' with no empty segment', DEFAULTS.objectKey)
    return DEFAULTS.objectKey
  }
  return value
}

function readRelatedKey (options: OptionReader, objectKey: string): string {
  const fallback = DEFAULTS.relatedKey
  if (!options.has('relatedKey')) return fallback
  const value = options.get('relatedKey')
  if (typeof value !== 'string' || value === '' || value.split('.').some(segment => segment === '')) {
    options.reject('relatedKey', value, 'must be a key name, or a dotted path such as \'meta.related\' with no empty segment', fallback)
    return fallback
  }
  if (value === objectKey || value.startsWith(objectKey + '.') || objectKey.startsWith(value + '.')) {
    options.reject('relatedKey', value, `must name a binding apart from objectKey ${preview(objectKey)}, neither inside it nor around it`, fallback)
    return fallback
  }
  return value
}

function readMinLevel (options: OptionReader): string | number {
  if (!options.has('minLevel')) return DEFAULTS.minLevel
  const value = options.get('minLevel')
  if ((typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value.trim() !== '')) return value
  options.reject('minLevel', value, 'must be a level label such as \'info\' or a level number such as 30', DEFAULTS.minLevel)
  return DEFAULTS.minLevel
}

function readEventTypes (options: OptionReader): Record<string, string> {
  const merged: Record<string, string> = { ...DEFAULT_EVENT_TYPES }
  if (!options.has('eventTypes')) return merged
  const value = options.get('eventTypes')
  if (!isPlainObject(value)) {
    options.reject('eventTypes', value, 'must be an object mapping level labels to event types, such as { warn: \'Warning\' }', DEFAULT_EVENT_TYPES)
    return merged
  }
  for (const label of Object.keys(value)) {
    const type = value[label]
    if (label.trim() === '' || typeof type !== 'string' || type.trim() === '') {
      options.problems.push(`option 'eventTypes' maps ${preview(label)} to ${preview(type)}: each entry must map a level label to a non-empty event type; ignoring it`)
      continue
    }
    // defineProperty: a '__proto__' label from parsed JSON must stay a plain (and then unknown) label.
    Object.defineProperty(merged, label, { value: type.trim(), enumerable: true, writable: true, configurable: true })
  }
  return merged
}

function readClusterNamespace (options: OptionReader): string {
  if (!options.has('clusterNamespace')) return DEFAULTS.clusterNamespace
  const value = options.get('clusterNamespace')
  // With eventTime set, the API server takes events about cluster-scoped objects only in these two namespaces.
  if (value !== 'default' && value !== 'kube-system') {
    options.reject('clusterNamespace', value, "the API server stores events about cluster-scoped objects only in 'default' or 'kube-system'", DEFAULTS.clusterNamespace)
    return DEFAULTS.clusterNamespace
  }
  return value as string
}

function readApi (options: OptionReader): EventsApi {
  if (!options.has('api')) return DEFAULTS.api
  const value = options.get('api')
  if (typeof value === 'string' && (API_VERSIONS as readonly string[]).includes(value)) return value as EventsApi
  options.reject('api', value, `must be one of ${API_VERSIONS.map(api => `'${api}'`).join(', ')}`, DEFAULTS.api)
  return DEFAULTS.api
}

const CACHE_SIZE_RULE: NumberRule = { min: 1, max: 1_000_000, integer: true }

function readAggregate (options: OptionReader): Config['correlation']['aggregate'] {
  const fallback = { ...DEFAULTS.aggregate }
  if (!options.has('aggregate')) return fallback
  const value = options.get('aggregate')
  if (value === false) return false
  if (value === true) return fallback
  if (!isPlainObject(value)) {
    options.reject('aggregate', value, 'must be false or an object { maxEvents, intervalSeconds }', DEFAULTS.aggregate)
    return fallback
  }
  for (const key of Object.keys(value)) {
    if (key !== 'maxEvents' && key !== 'intervalSeconds') options.problems.push(`unknown option 'aggregate.${key}'`)
  }
  return {
    maxEvents: options.number('maxEvents', fallback.maxEvents, { min: 1, max: 100_000, integer: true }, '', value, 'aggregate.maxEvents'),
    intervalSeconds: options.number('intervalSeconds', fallback.intervalSeconds, { min: 0, max: 31_536_000, minExclusive: true }, ' seconds', value, 'aggregate.intervalSeconds')
  }
}

function readRateLimit (options: OptionReader): Config['correlation']['rateLimit'] {
  const fallback = { ...DEFAULTS.rateLimit }
  if (!options.has('rateLimit')) return fallback
  const value = options.get('rateLimit')
  if (value === false) return false
  if (value === true) return fallback
  if (!isPlainObject(value)) {
    options.reject('rateLimit', value, 'must be false or an object { burst, qps }', DEFAULTS.rateLimit)
    return fallback
  }
  for (const key of Object.keys(value)) {
    if (key !== 'burst' && key !== 'qps') options.problems.push(`unknown option 'rateLimit.${key}'`)
  }
  return {
    burst: options.number('burst', fallback.burst, { min: 1, max: 1_000_000, integer: true }, '', value, 'rateLimit.burst'),
    qps: options.number('qps', fallback.qps, { min: 0, max: 1_000_000, minExclusive: true }, ' per second', value, 'rateLimit.qps')
  }
}

function readOptions (raw: unknown): { config: Config, problems: string[] } {
  let source: Record<string, unknown> = {}
  const problems: string[] = []
  if (isPlainObject(raw)) source = raw
  else if (raw !== undefined && raw !== null) problems.push(`options are ${preview(raw)}: they must be a plain object; using the defaults`)

  const options = new OptionReader(source)
  for (const name of Object.keys(source)) {
    if (!KNOWN.has(name) && !PINO_INJECTED.has(name)) options.problems.push(`unknown option '${name}'`)
  }

  const objectKey = readObjectKey(options)
  const config: Config = {
    component: readComponent(options),
    instance: readInstance(options),
    objectKey,
    relatedKey: readRelatedKey(options, objectKey),
    minLevel: readMinLevel(options),
    eventTypes: readEventTypes(options),
    defaultReason: options.word('reason', DEFAULTS.reason),
    defaultAction: options.word('action', DEFAULTS.action),
    clusterNamespace: readClusterNamespace(options),
    api: readApi(options),
    correlation: {
      cacheSize: options.number('cacheSize', DEFAULTS.cacheSize, CACHE_SIZE_RULE),
      aggregate: readAggregate(options),
      rateLimit: readRateLimit(options)
    },
    delivery: {
      qps: options.number('qps', DEFAULTS.qps, { min: 0, max: 1_000_000, minExclusive: true }, ' requests per second'),
      burst: options.number('burst', DEFAULTS.burst, { min: 1, max: 1_000_000, integer: true }),
      queueSize: options.number('queueSize', DEFAULTS.queueSize, { min: 1, max: 1_000_000, integer: true }),
      flushTimeoutMs: options.number('flushTimeout', DEFAULTS.flushTimeout, { min: 0, max: 3_600_000 }, ' ms'),
      maxAttempts: options.number('maxAttempts', DEFAULTS.maxAttempts, { min: 1, max: 1000, integer: true }),
      maxRetryAgeMs: options.number('maxRetryAge', DEFAULTS.maxRetryAge, { min: 0, max: 86_400_000 }, ' ms'),
      requestTimeoutMs: options.number('requestTimeout', DEFAULTS.requestTimeout, { min: 0, max: 3_600_000, minExclusive: true }, ' ms'),
      concurrency: options.number('concurrency', DEFAULTS.concurrency, { min: 1, max: 1000, integer: true })
    }
  }
  const kubeconfig = options.text('kubeconfig', undefined)
  if (kubeconfig !== undefined) config.kubeconfig = kubeconfig
  const context = options.text('context', undefined)
  if (context !== undefined) config.context = context
  return { config, problems: problems.concat(options.problems) }
}

/** The Config for these options, with every default filled in, and one sentence per rejected value. Never throws. */
export function parseOptions (raw: unknown): { config: Config, problems: string[] } {
  try {
    return readOptions(raw)
  } catch (err) {
    // Only a hostile object (a throwing getter or proxy) gets here.
    const { config } = readOptions(undefined)
    return { config, problems: [`options could not be read (${preview((err as Error)?.message ?? err)}); using the defaults`] }
  }
}

/**
 * What is wrong with these options, for a check in the application's main thread before the worker starts.
 * Custom level names are known only when `levels` (the logger's customLevels) is among the options.
 */
export function checkOptions (raw: unknown): string[] {
  try {
    const { config, problems } = parseOptions(raw)
    const levels = isPlainObject(raw) && Object.hasOwn(raw, 'levels') ? raw.levels : undefined
    resolveLevels(config, levels as Record<string, number> | undefined, problems)
    return problems
  } catch {
    return ['options could not be read']
  }
}
