// What is special about Events: two API views of one stored core/v1 form, strict time decoding, validation.
import { statusBadRequest, statusInvalid, type Status } from './status.js'
import { decodeEvent, validateEventCreate, validateEventUpdate } from './event-validation.js'
import { coreToEventsV1, eventsV1ToCore } from './event-convert.js'
import { timeParseMessage, toMicroPrecision, toSecondPrecision } from './times.js'

export type EventApi = 'v1' | 'events.k8s.io/v1'

export function eventApiOf (group: string): EventApi {
  return group === '' ? 'v1' : 'events.k8s.io/v1'
}

const LEGACY_TIME_FIELDS: Record<EventApi, string[]> = {
  v1: ['firstTimestamp', 'lastTimestamp'],
  'events.k8s.io/v1': ['deprecatedFirstTimestamp', 'deprecatedLastTimestamp']
}

/** The request body in the stored core/v1 form, or the 400 the real server gives for it. */
export function decodeEventBody (body: unknown, api: EventApi): { event: any } | { status: Status } {
  const decodeError = decodeEvent(body, api)
  if (decodeError !== undefined) return { status: decodeError }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { status: statusBadRequest('the object provided is unrecognized (must be of type Event)') }
  }
  for (const field of LEGACY_TIME_FIELDS[api]) {
    const value = (body as Record<string, unknown>)[field]
    if (typeof value === 'string' && toSecondPrecision(value) === undefined) {
      return { status: statusBadRequest(`Event in version "v1" cannot be handled as a Event: ${timeParseMessage(value)}`) }
    }
  }
  const event = api === 'v1' ? structuredClone(body) : eventsV1ToCore(structuredClone(body))
  return { event }
}

export function viewEvent (stored: any, api: EventApi): any {
  return api === 'v1' ? structuredClone(stored) : coreToEventsV1(structuredClone(stored))
}

const REFERENCE_FIELDS = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']

/** Go drops empty strings of `omitempty` fields when it writes an ObjectReference. */
function reference (value: unknown): Record<string, unknown> {
  const ref: Record<string, unknown> = {}
  if (typeof value !== 'object' || value === null) return ref
  for (const field of REFERENCE_FIELDS) {
    const v = (value as Record<string, unknown>)[field]
    if (v !== undefined && v !== null && v !== '') ref[field] = v
  }
  return ref
}

function secondTime (value: unknown): string | null {
  return typeof value === 'string' ? toSecondPrecision(value) ?? null : null
}

function microTime (value: unknown): string | null {
  return typeof value === 'string' ? toMicroPrecision(value) ?? null : null
}

function omitEmpty (out: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined && value !== null && value !== '' && value !== 0) out[key] = value
}

/**
 * The stored form as the real server writes it back: fields in Go's order, unknown fields dropped, times at
 * their precision in UTC, and the fields without `omitempty` always present.
 */
export function normalizeStoredEvent (event: any): any {
  const out: Record<string, unknown> = { kind: 'Event', apiVersion: 'v1', metadata: event.metadata ?? {} }
  out.involvedObject = reference(event.involvedObject)
  omitEmpty(out, 'reason', event.reason)
  omitEmpty(out, 'message', event.message)
  const source: Record<string, unknown> = {}
  omitEmpty(source, 'component', event.source?.component)
  omitEmpty(source, 'host', event.source?.host)
  out.source = source
  out.firstTimestamp = secondTime(event.firstTimestamp)
  out.lastTimestamp = secondTime(event.lastTimestamp)
  omitEmpty(out, 'count', event.count)
  omitEmpty(out, 'type', event.type)
  out.eventTime = microTime(event.eventTime)
  if (typeof event.series === 'object' && event.series !== null) {
    const series: Record<string, unknown> = {}
    omitEmpty(series, 'count', event.series.count)
    series.lastObservedTime = microTime(event.series.lastObservedTime)
    out.series = series
  }
  omitEmpty(out, 'action', event.action)
  if (typeof event.related === 'object' && event.related !== null) out.related = reference(event.related)
  out.reportingComponent = typeof event.reportingComponent === 'string' ? event.reportingComponent : ''
  out.reportingInstance = typeof event.reportingInstance === 'string' ? event.reportingInstance : ''
  return out
}

export function invalidEventCreate (event: any, api: EventApi): Status | undefined {
  const causes = validateEventCreate(event, api)
  return causes.length === 0 ? undefined : statusInvalid(event.metadata?.name ?? '', causes)
}

export function invalidEventUpdate (old: any, updated: any, api: EventApi): Status | undefined {
  const causes = validateEventUpdate(old, updated, api)
  return causes.length === 0 ? undefined : statusInvalid(updated.metadata?.name ?? '', causes)
}
