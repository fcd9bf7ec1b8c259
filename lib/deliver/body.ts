// Request bodies of both Event APIs. core/v1 gets the classic count/timestamps plus eventTime (kubectl shows
// "x N over M" from count); events.k8s.io/v1 must carry none of the deprecated fields and grows `series`.
import { createHash } from 'node:crypto'
import type { EventsApi, ObjectReference, Source } from '../types.js'
import type { EventRecord } from '../correlate/record.js'
import { microTime, rfc3339 } from './times.js'

/**
 * Each writer's annotation holds the batch id of its latest write: after a lost answer, a GET tells whether that
 * write landed. One key per writer (component and instance), because with a shared key a replica writing in
 * between would hide our landed write and our retry would count its occurrences twice.
 */
export const WRITE_ANNOTATION_PREFIX = 'pino-k8s-events/write-id.'
const WRITER_HASH_HEX_LENGTH = 8
export const MERGE_PATCH = 'application/merge-patch+json'

/** who writes, with the annotation key of its own writes */
export interface Writer extends Source {
  writeAnnotation: string
}

/** `pino-k8s-events/write-id.<8 hex>`: a valid annotation key for any component and instance */
export function writeAnnotationOf (source: Source): string {
  const hash = createHash('sha256').update(JSON.stringify([source.component, source.instance])).digest('hex')
  return WRITE_ANNOTATION_PREFIX + hash.slice(0, WRITER_HASH_HEX_LENGTH)
}

export function writerOf (source: Source): Writer {
  return { component: source.component, instance: source.instance, writeAnnotation: writeAnnotationOf(source) }
}

export function eventsPath (api: EventsApi, namespace: string, name?: string): string {
  const base = api === 'v1' ? '/api/v1' : '/apis/events.k8s.io/v1'
  const collection = `${base}/namespaces/${encodeURIComponent(namespace)}/events`
  return name === undefined ? collection : `${collection}/${encodeURIComponent(name)}`
}

/** the reference as the server stores it: empty optional fields left out */
export function objectReference (ref: ObjectReference): Record<string, string> {
  const out: Record<string, string> = { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name }
  if (ref.namespace !== '') out.namespace = ref.namespace
  if (ref.uid !== undefined && ref.uid !== '') out.uid = ref.uid
  if (ref.fieldPath !== undefined && ref.fieldPath !== '') out.fieldPath = ref.fieldPath
  return out
}

/** `related` in either API, when the Event names a second object; it can't change once written */
function relatedField (record: EventRecord): { related?: Record<string, string> } {
  return record.related === undefined ? {} : { related: objectReference(record.related) }
}

function metadata (record: EventRecord, writer: Writer, writeId: string, withName: boolean): Record<string, unknown> {
  const meta: Record<string, unknown> = withName ? { name: record.name, namespace: record.namespace } : {}
  if (!withName && record.resourceVersion !== undefined) meta.resourceVersion = record.resourceVersion
  meta.annotations = { [writer.writeAnnotation]: writeId }
  return meta
}

export function createBody (api: EventsApi, writer: Writer, record: EventRecord, count: number, writeId: string): Record<string, unknown> {
  if (api === 'v1') {
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: metadata(record, writer, writeId, true),
      involvedObject: objectReference(record.regarding),
      type: record.type,
      reason: record.reason,
      message: record.message,
      action: record.action,
      ...relatedField(record),
      source: { component: writer.component, host: writer.instance },
      reportingComponent: writer.component,
      reportingInstance: writer.instance,
      firstTimestamp: rfc3339(record.firstTime),
      lastTimestamp: rfc3339(record.lastTime),
      eventTime: microTime(record.firstTime),
      count
    }
  }
  const body: Record<string, unknown> = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: metadata(record, writer, writeId, true),
    regarding: objectReference(record.regarding),
    note: record.message,
    type: record.type,
    reason: record.reason,
    action: record.action,
    ...relatedField(record),
    reportingController: writer.component,
    reportingInstance: writer.instance,
    eventTime: microTime(record.firstTime)
  }
  // The server accepts a series only from count 2 on.
  if (count >= 2) body.series = { count, lastObservedTime: microTime(record.lastTime) }
  return body
}

/** a merge patch; the resourceVersion makes the server refuse it (409) when someone else wrote in between */
export function patchBody (api: EventsApi, writer: Writer, record: EventRecord, count: number, writeId: string): Record<string, unknown> {
  if (api === 'v1') {
    const body: Record<string, unknown> = { metadata: metadata(record, writer, writeId, false), count, lastTimestamp: rfc3339(record.lastTime) }
    if (record.aggregate) body.message = record.message
    return body
  }
  // Only series and metadata may change on an events.k8s.io/v1 update.
  return { metadata: metadata(record, writer, writeId, false), series: { count, lastObservedTime: microTime(record.lastTime) } }
}

function positiveInteger (value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined
}

/** the occurrence count of an Event as the server answered it, in either API's form */
export function countOf (api: EventsApi, body: any): number | undefined {
  if (body === null || typeof body !== 'object') return undefined
  const seriesCount = positiveInteger(body.series?.count)
  const legacyCount = positiveInteger(api === 'v1' ? body.count : body.deprecatedCount)
  if (seriesCount !== undefined || legacyCount !== undefined) return Math.max(seriesCount ?? 0, legacyCount ?? 0)
  return body.metadata !== undefined ? 1 : undefined
}

export function resourceVersionOf (body: any): string | undefined {
  const value = body?.metadata?.resourceVersion
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** the batch id of `writeAnnotation`'s writer's latest write on a stored Event */
export function writeIdOf (body: any, writeAnnotation: string): string | undefined {
  const value = body?.metadata?.annotations?.[writeAnnotation]
  return typeof value === 'string' ? value : undefined
}

/** whether a read answered with an Event we can build on: a PATCH based on anything less would overwrite the count */
export function isReadableEvent (body: any): boolean {
  return body !== null && typeof body === 'object' && typeof body.metadata === 'object' && body.metadata !== null &&
    resourceVersionOf(body) !== undefined
}
