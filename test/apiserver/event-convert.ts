// The two Event APIs are views of one stored object (core/v1 is the stored form). Keys come out in the order
// the Go structs serialise them; fields the target API does not know are dropped, as Go's decoder drops them.

type JsonObject = Record<string, unknown>

/** core/v1 key → events.k8s.io/v1 key, in core/v1 serialisation order. */
const CORE_TO_EVENTS_V1: Array<[string, string]> = [
  ['involvedObject', 'regarding'],
  ['reason', 'reason'],
  ['message', 'note'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
  ['type', 'type'],
  ['eventTime', 'eventTime'],
  ['series', 'series'],
  ['action', 'action'],
  ['related', 'related'],
  ['reportingComponent', 'reportingController'],
  ['reportingInstance', 'reportingInstance']
]

/** events.k8s.io/v1 serialisation order. */
const EVENTS_V1_ORDER = [
  'eventTime', 'series', 'reportingController', 'reportingInstance', 'action', 'reason', 'regarding', 'related',
  'note', 'type', 'deprecatedSource', 'deprecatedFirstTimestamp', 'deprecatedLastTimestamp', 'deprecatedCount'
]

/**
 * Core names that an events.k8s.io/v1 body may carry by mistake. The real server rejects such bodies on create
 * ("needs to be unset"), so they are carried into the core form for validation to see.
 */
const DEPRECATED_CORE_NAMES = new Set(['source', 'firstTimestamp', 'lastTimestamp', 'count'])

function isObject (value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function copyOf<T> (value: T): T {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value
}

function withTypeMeta (apiVersion: string, source: JsonObject): JsonObject {
  const target: JsonObject = { kind: 'Event', apiVersion }
  if (source.metadata !== undefined) target.metadata = copyOf(source.metadata)
  return target
}

export function eventsV1ToCore (obj: any): any {
  const source: JsonObject = isObject(obj) ? obj : {}
  const core = withTypeMeta('v1', source)
  for (const [coreKey, eventsKey] of CORE_TO_EVENTS_V1) {
    let value = source[eventsKey]
    if (value === undefined && DEPRECATED_CORE_NAMES.has(coreKey)) value = source[coreKey]
    if (value !== undefined) core[coreKey] = copyOf(value)
  }
  return core
}

export function coreToEventsV1 (obj: any): any {
  const source: JsonObject = isObject(obj) ? obj : {}
  const byEventsKey = new Map(CORE_TO_EVENTS_V1.map(([coreKey, eventsKey]) => [eventsKey, coreKey]))
  const events = withTypeMeta('events.k8s.io/v1', source)
  for (const eventsKey of EVENTS_V1_ORDER) {
    const value = source[byEventsKey.get(eventsKey) ?? eventsKey]
    if (value !== undefined) events[eventsKey] = copyOf(value)
  }
  return events
}
