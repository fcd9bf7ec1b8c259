// What kube-apiserver v1.32 decides about an Event body: the decoder's 400 answers (Go's time layouts and JSON
// types), then the validation rules of pkg/apis/core/validation/events.go and the generic ObjectMeta checks,
// producing the causes of a 422 in the server's order with its exact texts.
import { Buffer } from 'node:buffer'
import { goQuote, statusBadRequest, type Status, type StatusCause } from './status.js'

type Api = 'v1' | 'events.k8s.io/v1'
type JsonObject = Record<string, unknown>

function isObject (value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function objectOrEmpty (value: unknown): JsonObject {
  return isObject(value) ? value : {}
}

function text (value: unknown): string {
  return typeof value === 'string' ? value : ''
}

// ---------------------------------------------------------------------------------------------------------------
// Go time layouts. metav1.Time parses RFC 3339 (any fraction); metav1.MicroTime parses a layout with exactly six
// fractional digits. The error texts follow Go's time.Parse element by element, since clients see them verbatim.

export type GoTimeLayout = 'RFC3339' | 'RFC3339Micro'

/** An instant as seconds since the Unix epoch plus nanoseconds. */
export interface GoInstant { seconds: number, nanos: number }

const LAYOUT_TEXT: Record<GoTimeLayout, string> = {
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Micro: '2006-01-02T15:04:05.000000Z07:00'
}

/** Go's zero time.Time (0001-01-01T00:00:00Z): what an absent or null timestamp decodes to. */
const ZERO_INSTANT: GoInstant = { seconds: -62135596800, nanos: 0 }

const DIGIT_0 = 0x30

/** Go's time package quoting: every byte outside printable ASCII becomes \xNN. */
function timeQuote (bytes: Uint8Array): string {
  let quoted = '"'
  for (const byte of bytes) {
    if (byte >= 0x80 || byte < 0x20) quoted += '\\x' + byte.toString(16).padStart(2, '0')
    else if (byte === 0x22 || byte === 0x5c) quoted += '\\' + String.fromCharCode(byte)
    else quoted += String.fromCharCode(byte)
  }
  return quoted + '"'
}

function daysInMonth (month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

export function parseGoTime (value: string, layout: GoTimeLayout): { instant: GoInstant } | { error: string } {
  const bytes = Buffer.from(value, 'utf8')
  const whole = timeQuote(bytes)
  const cannotParse = (from: number, element: string): { error: string } =>
    ({ error: `parsing time ${whole} as ${timeQuote(Buffer.from(LAYOUT_TEXT[layout]))}: cannot parse ${timeQuote(bytes.subarray(from))} as ${timeQuote(Buffer.from(element))}` })
  const outOfRange = (what: string): { error: string } => ({ error: `parsing time ${whole}: ${what} out of range` })
  const isDigit = (index: number): boolean => index < bytes.length && bytes[index] >= DIGIT_0 && bytes[index] <= DIGIT_0 + 9
  const isSeparator = (index: number): boolean => bytes[index] === 0x2e || bytes[index] === 0x2c
  let position = 0

  // Go's getnum: one or two digits; `fixed` demands two.
  const number = (fixed: boolean): number | undefined => {
    if (!isDigit(position)) return undefined
    if (!isDigit(position + 1)) {
      if (fixed) return undefined
      return bytes[position++] - DIGIT_0
    }
    const parsed = (bytes[position] - DIGIT_0) * 10 + bytes[position + 1] - DIGIT_0
    position += 2
    return parsed
  }
  const literal = (char: string): boolean => {
    if (bytes[position] !== char.charCodeAt(0)) return false
    position++
    return true
  }

  if (bytes.length - position < 4 || ![0, 1, 2, 3].every(offset => isDigit(position + offset))) return cannotParse(position, '2006')
  const year = Number(bytes.subarray(position, position + 4).toString('latin1'))
  position += 4
  if (!literal('-')) return cannotParse(position, '-')
  let hold = position
  const month = number(true)
  if (month === undefined) return cannotParse(hold, '01')
  if (month < 1 || month > 12) return outOfRange('month')
  if (!literal('-')) return cannotParse(position, '-')
  hold = position
  const day = number(true)
  if (day === undefined) return cannotParse(hold, '02')
  if (!literal('T')) return cannotParse(position, 'T')
  hold = position
  const hour = number(false)
  if (hour === undefined) return cannotParse(hold, '15')
  if (hour >= 24) return outOfRange('hour')
  if (!literal(':')) return cannotParse(position, ':')
  hold = position
  const minute = number(true)
  if (minute === undefined) return cannotParse(hold, '04')
  if (minute >= 60) return outOfRange('minute')
  if (!literal(':')) return cannotParse(position, ':')
  hold = position
  const second = number(true)
  if (second === undefined) return cannotParse(hold, '05')
  if (second >= 60) return outOfRange('second')

  let nanos = 0
  if (layout === 'RFC3339') {
    // A fraction the layout does not mention is still read, greedily, up to nanosecond precision.
    if (bytes.length - position >= 2 && isSeparator(position) && isDigit(position + 1)) {
      let end = position + 2
      while (isDigit(end)) end++
      const digits = bytes.subarray(position + 1, Math.min(end, position + 10)).toString('latin1')
      nanos = Number(digits) * 10 ** (9 - digits.length)
      position = end
    }
  } else {
    hold = position
    if (bytes.length - position < 7 || !isSeparator(position)) return cannotParse(hold, '.000000')
    const digits = bytes.subarray(position + 1, position + 7).toString('latin1')
    if (!/^[+-]?[0-9]*$/.test(digits)) return cannotParse(hold, '.000000')
    const fraction = Number(digits)
    if (fraction < 0) return outOfRange('fractional second')
    nanos = fraction * 1000
    position += 7
  }

  hold = position
  let offsetSeconds = 0
  if (!literal('Z')) {
    if (bytes.length - position < 6 || bytes[position + 3] !== 0x3a) return cannotParse(hold, 'Z07:00')
    const sign = String.fromCharCode(bytes[position])
    position += 1
    const offsetHours = number(true)
    position += 1
    const offsetMinutes = offsetHours === undefined ? 0 : number(true)
    position = hold + 6
    let rangeError: string | undefined
    if ((offsetHours ?? 0) > 24) rangeError = 'time zone offset hour'
    if ((offsetMinutes ?? 0) > 60) rangeError = 'time zone offset minute'
    if (rangeError !== undefined) return outOfRange(rangeError)
    if (offsetHours === undefined || offsetMinutes === undefined || (sign !== '+' && sign !== '-')) return cannotParse(hold, 'Z07:00')
    offsetSeconds = (offsetHours * 60 + offsetMinutes) * 60 * (sign === '-' ? -1 : 1)
  }
  if (position < bytes.length) return { error: `parsing time ${whole}: extra text: ${timeQuote(bytes.subarray(position))}` }
  if (day < 1 || day > daysInMonth(month, year)) return outOfRange('day')

  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, 0)
  return { instant: { seconds: date.getTime() / 1000 - offsetSeconds, nanos } }
}

/** time.Time.String() of an instant shown in UTC, as validation messages print timestamps. */
export function goTimeString (instant: GoInstant): string {
  const date = new Date(instant.seconds * 1000)
  const pad = (part: number, width = 2): string => String(part).padStart(width, '0')
  const fraction = instant.nanos === 0 ? '' : '.' + pad(instant.nanos, 9).replace(/0+$/, '')
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${fraction} +0000 UTC`
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding. Go's JSON decoder keeps the first type mismatch and carries on, but stops at once when a timestamp's
// own parser fails; that decides which 400 a body with several faults gets.

type FieldSpec =
  | { kind: 'string' | 'int32', goType: string }
  | { kind: 'Time' | 'MicroTime' }
  | { kind: 'struct', goType: string, structName: string, fields: Record<string, FieldSpec> }
  | { kind: 'object', goType: string }

const STRING: FieldSpec = { kind: 'string', goType: 'string' }
const INT32: FieldSpec = { kind: 'int32', goType: 'int32' }
const TIME: FieldSpec = { kind: 'Time' }
const MICRO_TIME: FieldSpec = { kind: 'MicroTime' }
const OBJECT_META: FieldSpec = { kind: 'object', goType: 'v1.ObjectMeta' }
const OBJECT_REFERENCE: FieldSpec = {
  kind: 'struct',
  goType: 'v1.ObjectReference',
  structName: 'ObjectReference',
  fields: { kind: STRING, namespace: STRING, name: STRING, uid: { kind: 'string', goType: 'types.UID' }, apiVersion: STRING, resourceVersion: STRING, fieldPath: STRING }
}
const EVENT_SOURCE: FieldSpec = { kind: 'struct', goType: 'v1.EventSource', structName: 'EventSource', fields: { component: STRING, host: STRING } }
const EVENT_SERIES: FieldSpec = { kind: 'struct', goType: 'v1.EventSeries', structName: 'EventSeries', fields: { count: INT32, lastObservedTime: MICRO_TIME } }

const CORE_EVENT_FIELDS: Record<string, FieldSpec> = {
  metadata: OBJECT_META,
  involvedObject: OBJECT_REFERENCE,
  reason: STRING,
  message: STRING,
  source: EVENT_SOURCE,
  firstTimestamp: TIME,
  lastTimestamp: TIME,
  count: INT32,
  type: STRING,
  eventTime: MICRO_TIME,
  series: EVENT_SERIES,
  action: STRING,
  related: OBJECT_REFERENCE,
  reportingComponent: STRING,
  reportingInstance: STRING
}

const EVENTS_V1_EVENT_FIELDS: Record<string, FieldSpec> = {
  metadata: OBJECT_META,
  eventTime: MICRO_TIME,
  series: EVENT_SERIES,
  reportingController: STRING,
  reportingInstance: STRING,
  action: STRING,
  reason: STRING,
  regarding: OBJECT_REFERENCE,
  related: OBJECT_REFERENCE,
  note: STRING,
  type: STRING,
  deprecatedSource: EVENT_SOURCE,
  deprecatedFirstTimestamp: TIME,
  deprecatedLastTimestamp: TIME,
  deprecatedCount: INT32
}

const MIN_INT32 = -(2 ** 31)
const MAX_INT32 = 2 ** 31 - 1

function jsonKind (value: unknown): string {
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'boolean') return 'bool'
  return typeof value
}

function typeMismatch (found: string, structName: string, path: string[], goType: string): string {
  return `json: cannot unmarshal ${found} into Go struct field ${structName}.${path.join('.')} of type ${goType}`
}

class JsonDecoding {
  firstMismatch: string | undefined

  /** Returns an error that ends decoding at once, or undefined to carry on. */
  field (value: unknown, spec: FieldSpec, structName: string, path: string[]): string | undefined {
    if (value === null) return undefined
    switch (spec.kind) {
      case 'string':
        if (typeof value !== 'string') this.mismatch(typeMismatch(jsonKind(value), structName, path, spec.goType))
        return undefined
      case 'int32':
        if (typeof value !== 'number') this.mismatch(typeMismatch(jsonKind(value), structName, path, spec.goType))
        else if (!Number.isInteger(value) || value < MIN_INT32 || value > MAX_INT32) this.mismatch(typeMismatch(`number ${value}`, structName, path, spec.goType))
        return undefined
      case 'Time':
      case 'MicroTime': {
        if (typeof value !== 'string') return typeMismatch(jsonKind(value), structName, path, 'string')
        const parsed = parseGoTime(value, spec.kind === 'Time' ? 'RFC3339' : 'RFC3339Micro')
        return 'error' in parsed ? parsed.error : undefined
      }
      case 'object':
        if (!isObject(value)) this.mismatch(typeMismatch(jsonKind(value), structName, path, spec.goType))
        return undefined
      case 'struct':
        if (!isObject(value)) {
          this.mismatch(typeMismatch(jsonKind(value), structName, path, spec.goType))
          return undefined
        }
        return this.struct(value, spec.fields, spec.structName, path)
    }
  }

  struct (value: JsonObject, fields: Record<string, FieldSpec>, structName: string, path: string[]): string | undefined {
    for (const [key, fieldValue] of Object.entries(value)) {
      const spec = Object.hasOwn(fields, key) ? fields[key] : undefined
      if (spec === undefined) continue // unknown fields are dropped
      const fatal = this.field(fieldValue, spec, structName, [...path, key])
      if (fatal !== undefined) return fatal
    }
    return undefined
  }

  private mismatch (message: string): void {
    this.firstMismatch ??= message
  }
}

const TYPE_META_SHAPE = 'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }'
const SUMMARY_LENGTH = 30

/**
 * The decoder's verdict on a request body: a 400 Status when the server could not turn it into an Event,
 * undefined when it decodes. `api` is the API of the URL the body was sent to.
 */
export function decodeEvent (body: any, api: Api): Status | undefined {
  if (!isObject(body)) {
    const raw = JSON.stringify(body) ?? ''
    const summary = raw.length > SUMMARY_LENGTH ? raw.slice(0, SUMMARY_LENGTH) + ' ...' : raw
    return statusBadRequest('the object provided is unrecognized (must be of type Event): couldn\'t get version/kind; ' +
      `json parse error: json: cannot unmarshal ${jsonKind(body)} into Go value of type ${TYPE_META_SHAPE} (${summary})`)
  }
  // The body's own apiVersion picks the schema it is decoded with; a mismatch with the URL is refused afterwards.
  const bodyApi = typeof body.apiVersion === 'string' && body.apiVersion !== '' ? body.apiVersion : api
  const fields = bodyApi === 'events.k8s.io/v1' ? EVENTS_V1_EVENT_FIELDS : CORE_EVENT_FIELDS
  const decoding = new JsonDecoding()
  const failure = decoding.struct(body, fields, 'Event', []) ?? decoding.firstMismatch
  if (failure !== undefined) return statusBadRequest(`Event in version "v1" cannot be handled as a Event: ${failure}`)
  if (bodyApi !== api) return statusBadRequest(`the API version in the data (${bodyApi}) does not match the expected API version (${api})`)
  return undefined
}

// ---------------------------------------------------------------------------------------------------------------
// Name formats (k8s.io/apimachinery/pkg/util/validation): each returns the server's messages, empty when valid.

const QUALIFIED_NAME_FORMAT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'
const QUALIFIED_NAME = new RegExp(`^${QUALIFIED_NAME_FORMAT}$`)
const QUALIFIED_NAME_MAX_LENGTH = 63
const DNS1123_LABEL_FORMAT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?'
const DNS1123_LABEL = new RegExp(`^${DNS1123_LABEL_FORMAT}$`)
const DNS1123_LABEL_MAX_LENGTH = 63
const DNS1123_SUBDOMAIN_FORMAT = `${DNS1123_LABEL_FORMAT}(\\.${DNS1123_LABEL_FORMAT})*`
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_SUBDOMAIN_FORMAT}$`)
const DNS1123_SUBDOMAIN_MAX_LENGTH = 253

function regexError (message: string, format: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${format}')`
  return `${message} (e.g. ${examples.map(example => `'${example}', `).join(' or ')}regex used for validation is '${format}')`
}

function maxLengthError (length: number): string {
  return `must be no more than ${length} characters`
}

function byteLength (value: string): number {
  return Buffer.byteLength(value, 'utf8')
}

const QUALIFIED_NAME_REGEX_ERROR = regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
  QUALIFIED_NAME_FORMAT, 'MyName', 'my.name', '123-abc')

export function dns1123SubdomainErrors (value: string): string[] {
  const errors: string[] = []
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errors.push(maxLengthError(DNS1123_SUBDOMAIN_MAX_LENGTH))
  if (!DNS1123_SUBDOMAIN.test(value)) {
    errors.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
      DNS1123_SUBDOMAIN_FORMAT, 'example.com'))
  }
  return errors
}

export function dns1123LabelErrors (value: string): string[] {
  const errors: string[] = []
  if (byteLength(value) > DNS1123_LABEL_MAX_LENGTH) errors.push(maxLengthError(DNS1123_LABEL_MAX_LENGTH))
  if (!DNS1123_LABEL.test(value)) {
    // Length was already reported, so a valid subdomain that is not a label can only be failing on its dots.
    if (DNS1123_SUBDOMAIN.test(value)) errors.push('must not contain dots')
    else errors.push(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", DNS1123_LABEL_FORMAT, 'my-name', '123-abc'))
  }
  return errors
}

/** An optional DNS-subdomain prefix and '/', then a name part: what reportingComponent must be. */
export function qualifiedNameErrors (value: string): string[] {
  const errors: string[] = []
  const parts = value.split('/')
  if (parts.length > 2) {
    return [`a qualified name ${QUALIFIED_NAME_REGEX_ERROR} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`]
  }
  const name = parts.length === 2 ? parts[1] : parts[0]
  if (parts.length === 2) {
    const prefix = parts[0]
    if (prefix === '') errors.push('prefix part must be non-empty')
    else errors.push(...dns1123SubdomainErrors(prefix).map(message => `prefix part ${message}`))
  }
  if (name === '') errors.push('name part must be non-empty')
  else if (byteLength(name) > QUALIFIED_NAME_MAX_LENGTH) errors.push(`name part ${maxLengthError(QUALIFIED_NAME_MAX_LENGTH)}`)
  if (!QUALIFIED_NAME.test(name)) errors.push(`name part ${QUALIFIED_NAME_REGEX_ERROR}`)
  return errors
}

/** events.k8s.io/v1 names; a generateName prefix may end in '-' since random characters follow it. */
function dnsSubdomainNameErrors (name: string, isPrefix: boolean): string[] {
  const masked = isPrefix && name.length > 1 && name.endsWith('-') ? name.slice(0, -1) + 'a' : name
  return dns1123SubdomainErrors(masked)
}

/** The generic rule for every resource: the name must be usable as one URL path segment. */
function pathSegmentNameErrors (name: string, isPrefix: boolean): string[] {
  if (!isPrefix && (name === '.' || name === '..')) return [`may not be '${name}'`]
  return ['/', '%'].filter(illegal => name.includes(illegal)).map(illegal => `may not contain '${illegal}'`)
}

// ---------------------------------------------------------------------------------------------------------------
// Causes, worded as field.Error prints them.

function required (field: string, detail = ''): StatusCause {
  return { reason: 'FieldValueRequired', message: detail === '' ? 'Required value' : `Required value: ${detail}`, field }
}

/** `shownValue` is already printed the Go way (quoted string, number, struct literal). */
function invalid (field: string, shownValue: string, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: detail === '' ? `Invalid value: ${shownValue}` : `Invalid value: ${shownValue}: ${detail}`, field }
}

/** The length rules print an empty value instead of the offending one. */
function tooLong (field: string, limit: number): StatusCause {
  return invalid(field, '""', `can have at most ${limit} characters`)
}

// ---------------------------------------------------------------------------------------------------------------
// Validation of the stored (core/v1) form.

// v1.32 reports reportingController problems under its JSON name.
const REPORTING_COMPONENT_FIELD = 'reportingComponent'
const REPORTING_INSTANCE_LIMIT = 128
const ACTION_LIMIT = 128
const REASON_LIMIT = 128
const MESSAGE_LIMIT = 1024
const NAMESPACE_DEFAULT = 'default'
const NAMESPACE_SYSTEM = 'kube-system'

/** After decoding, a timestamp counts as set whenever the body carried one (even Go's zero instant). */
function isTimeSet (value: unknown): boolean {
  return value !== undefined && value !== null
}

function isSourceSet (source: unknown): boolean {
  const { component, host } = objectOrEmpty(source)
  return text(component) !== '' || text(host) !== ''
}

function isCountSet (count: unknown): boolean {
  return typeof count === 'number' && count !== 0
}

/** Rules every Event meets, whichever API it came through. */
function legacyCauses (event: JsonObject): StatusCause[] {
  const causes: StatusCause[] = []
  const namespace = text(objectOrEmpty(event.metadata).namespace)
  const involvedNamespace = text(objectOrEmpty(event.involvedObject).namespace)
  const namespaceMismatch = (): StatusCause => invalid('involvedObject.namespace', goQuote(involvedNamespace), 'does not match event.namespace')

  if (!isTimeSet(event.eventTime)) {
    // Old-style events: the event lives with its object; cluster-scoped objects' events go to `default`.
    if (involvedNamespace === '') {
      if (namespace !== '' && namespace !== NAMESPACE_DEFAULT) causes.push(namespaceMismatch())
    } else if (namespace !== involvedNamespace) {
      causes.push(namespaceMismatch())
    }
  } else {
    if (involvedNamespace === '' && namespace !== NAMESPACE_DEFAULT && namespace !== NAMESPACE_SYSTEM) causes.push(namespaceMismatch())
    const component = text(event.reportingComponent)
    if (component === '') causes.push(required(REPORTING_COMPONENT_FIELD))
    for (const message of qualifiedNameErrors(component)) causes.push(invalid(REPORTING_COMPONENT_FIELD, goQuote(component), message))
    for (const [field, limit] of [['reportingInstance', REPORTING_INSTANCE_LIMIT], ['action', ACTION_LIMIT], ['reason', REASON_LIMIT]] as const) {
      const value = text(event[field])
      if (value === '') causes.push(required(field))
      if (byteLength(value) > limit) causes.push(tooLong(field, limit))
    }
    if (byteLength(text(event.message)) > MESSAGE_LIMIT) causes.push(tooLong('message', MESSAGE_LIMIT))
  }

  for (const message of dns1123SubdomainErrors(namespace)) causes.push(invalid('namespace', goQuote(namespace), message))
  return causes
}

type NameRule = (name: string, isPrefix: boolean) => string[]

function objectMetaCauses (metadata: JsonObject, nameRule: NameRule): StatusCause[] {
  const causes: StatusCause[] = []
  const generateName = text(metadata.generateName)
  const name = text(metadata.name)
  const namespace = text(metadata.namespace)
  for (const message of generateName === '' ? [] : nameRule(generateName, true)) causes.push(invalid('metadata.generateName', goQuote(generateName), message))
  // The server generates the name before validating; a name still to be generated is not missing.
  if (name === '') {
    if (generateName === '') causes.push(required('metadata.name', 'name or generateName is required'))
  } else {
    for (const message of nameRule(name, false)) causes.push(invalid('metadata.name', goQuote(name), message))
  }
  if (namespace === '') causes.push(required('metadata.namespace'))
  else for (const message of dns1123LabelErrors(namespace)) causes.push(invalid('metadata.namespace', goQuote(namespace), message))
  if (typeof metadata.generation === 'number' && metadata.generation < 0) causes.push(invalid('metadata.generation', String(metadata.generation), 'must be greater than or equal to 0'))
  return causes
}

function seriesCauses (series: unknown): StatusCause[] {
  if (series === undefined || series === null) return []
  const { count, lastObservedTime } = objectOrEmpty(series)
  const causes: StatusCause[] = []
  if (!(typeof count === 'number' && count >= 2)) causes.push(invalid('series.count', '""', 'should be at least 2'))
  if (!isTimeSet(lastObservedTime)) causes.push(required('series.lastObservedTime'))
  return causes
}

/** The events.k8s.io/v1 rules on top of the legacy ones. */
function strictCreateCauses (event: JsonObject): StatusCause[] {
  const causes = [...objectMetaCauses(objectOrEmpty(event.metadata), dnsSubdomainNameErrors), ...seriesCauses(event.series)]
  if (!isTimeSet(event.eventTime)) causes.push(required('eventTime'))
  const type = text(event.type)
  if (type !== 'Normal' && type !== 'Warning') causes.push(invalid('type', '""', `has invalid value: ${type}`))
  if (isTimeSet(event.firstTimestamp)) causes.push(invalid('firstTimestamp', '""', 'needs to be unset'))
  if (isTimeSet(event.lastTimestamp)) causes.push(invalid('lastTimestamp', '""', 'needs to be unset'))
  if (isCountSet(event.count)) causes.push(invalid('count', '""', 'needs to be unset'))
  if (isSourceSet(event.source)) causes.push(invalid('source', '""', 'needs to be unset'))
  return causes
}

/**
 * Causes of a 422 for creating `event` (core/v1 form, metadata.namespace set to the URL's namespace) through
 * `api`; empty when the server accepts it. The generic metadata checks only run once the Event rules pass.
 */
export function validateEventCreate (event: any, api: Api): StatusCause[] {
  const stored = objectOrEmpty(event)
  const causes = legacyCauses(stored)
  if (api === 'events.k8s.io/v1') causes.push(...strictCreateCauses(stored))
  if (causes.length > 0) return causes
  return objectMetaCauses(objectOrEmpty(stored.metadata), pathSegmentNameErrors)
}

// ---------------------------------------------------------------------------------------------------------------
// Updates: events.k8s.io/v1 freezes everything but series and metadata; both APIs keep the identity fields.

function instantOf (value: unknown): GoInstant | string {
  if (!isTimeSet(value)) return ZERO_INSTANT
  if (typeof value !== 'string') return JSON.stringify(value)
  const parsed = parseGoTime(value, 'RFC3339')
  return 'instant' in parsed ? parsed.instant : value
}

function sameInstant (left: unknown, right: unknown): boolean {
  const a = instantOf(left)
  const b = instantOf(right)
  if (typeof a === 'string' || typeof b === 'string') return JSON.stringify(a) === JSON.stringify(b)
  return a.seconds === b.seconds && a.nanos === b.nanos
}

function showTime (value: unknown): string {
  const instant = instantOf(value)
  return typeof instant === 'string' ? instant : goTimeString(instant)
}

const OBJECT_REFERENCE_FIELDS: Array<[string, string]> = [
  ['kind', 'Kind'], ['namespace', 'Namespace'], ['name', 'Name'], ['uid', 'UID'], ['apiVersion', 'APIVersion'],
  ['resourceVersion', 'ResourceVersion'], ['fieldPath', 'FieldPath']
]
const EVENT_SOURCE_FIELDS: Array<[string, string]> = [['component', 'Component'], ['host', 'Host']]

/** A Go struct literal as `%#v` prints it. */
function goStruct (typeName: string, fields: Array<[string, string]>, value: unknown): string {
  const object = objectOrEmpty(value)
  return `${typeName}{${fields.map(([key, goName]) => `${goName}:${goQuote(text(object[key]))}`).join(', ')}}`
}

function sameStruct (fields: Array<[string, string]>, left: unknown, right: unknown): boolean {
  return fields.every(([key]) => text(objectOrEmpty(left)[key]) === text(objectOrEmpty(right)[key]))
}

interface ImmutableField {
  field: string
  key: string
  same: (old: unknown, updated: unknown) => boolean
  show: (value: unknown) => string
}

const sameText = (old: unknown, updated: unknown): boolean => text(old) === text(updated)
const showText = (value: unknown): string => goQuote(text(value))
const objectReference: Pick<ImmutableField, 'same' | 'show'> = {
  same: (old, updated) => sameStruct(OBJECT_REFERENCE_FIELDS, old, updated),
  show: value => goStruct('core.ObjectReference', OBJECT_REFERENCE_FIELDS, value)
}

// In the server's order; it really does check reason twice.
const IMMUTABLE_EVENT_FIELDS: ImmutableField[] = [
  { field: 'involvedObject', key: 'involvedObject', ...objectReference },
  { field: 'reason', key: 'reason', same: sameText, show: showText },
  { field: 'message', key: 'message', same: sameText, show: showText },
  { field: 'source', key: 'source', same: (old, updated) => sameStruct(EVENT_SOURCE_FIELDS, old, updated), show: value => goStruct('core.EventSource', EVENT_SOURCE_FIELDS, value) },
  { field: 'firstTimestamp', key: 'firstTimestamp', same: sameInstant, show: showTime },
  { field: 'lastTimestamp', key: 'lastTimestamp', same: sameInstant, show: showTime },
  { field: 'count', key: 'count', same: (old, updated) => Number(old ?? 0) === Number(updated ?? 0), show: value => String(value ?? 0) },
  { field: 'reason', key: 'reason', same: sameText, show: showText },
  { field: 'type', key: 'type', same: sameText, show: showText },
  { field: 'eventTime', key: 'eventTime', same: sameInstant, show: showTime },
  { field: 'action', key: 'action', same: sameText, show: showText },
  {
    field: 'related',
    key: 'related',
    same: (old, updated) => (old == null) === (updated == null) && objectReference.same(old, updated),
    // A nil pointer is printed as the string "null".
    show: value => value == null ? goQuote('null') : objectReference.show(value)
  },
  { field: REPORTING_COMPONENT_FIELD, key: 'reportingComponent', same: sameText, show: showText },
  { field: 'reportingInstance', key: 'reportingInstance', same: sameText, show: showText }
]

function immutableCauses (old: JsonObject, updated: JsonObject): StatusCause[] {
  return IMMUTABLE_EVENT_FIELDS
    .filter(({ key, same }) => !same(old[key], updated[key]))
    .map(({ field, key, show }) => invalid(field, show(updated[key]), 'field is immutable'))
}

function metadataUpdateCauses (old: JsonObject, updated: JsonObject): StatusCause[] {
  const oldMetadata = objectOrEmpty(old.metadata)
  const newMetadata = objectOrEmpty(updated.metadata)
  const causes: StatusCause[] = []
  for (const key of ['name', 'namespace', 'uid']) {
    // An update without a uid keeps the stored one.
    const newValue = key === 'uid' && text(newMetadata.uid) === '' ? text(oldMetadata.uid) : text(newMetadata[key])
    if (newValue !== text(oldMetadata[key])) causes.push(invalid(`metadata.${key}`, goQuote(newValue), 'field is immutable'))
  }
  return causes
}

function sameSeries (old: unknown, updated: unknown): boolean {
  if (old == null || updated == null) return (old == null) === (updated == null)
  const before = objectOrEmpty(old)
  const after = objectOrEmpty(updated)
  return Number(before.count ?? 0) === Number(after.count ?? 0) && sameInstant(before.lastObservedTime, after.lastObservedTime)
}

/** Causes of a 422 for replacing `old` by `updated` (both core/v1 form) through `api`; empty when accepted. */
export function validateEventUpdate (old: any, updated: any, api: Api): StatusCause[] {
  const stored = objectOrEmpty(old)
  const next = objectOrEmpty(updated)
  const causes = legacyCauses(next)
  if (api === 'events.k8s.io/v1') {
    causes.push(...metadataUpdateCauses(stored, next))
    if (!sameSeries(stored.series, next.series)) causes.push(...seriesCauses(next.series))
    causes.push(...immutableCauses(stored, next))
  }
  // The generic checks every update gets; for events.k8s.io/v1 this repeats the metadata ones, as the server does.
  causes.push(...objectMetaCauses(objectOrEmpty(next.metadata), pathSegmentNameErrors), ...metadataUpdateCauses(stored, next))
  return causes
}
