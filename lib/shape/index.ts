// The second stage: what each event says (type, reason, message, action) and whom it is about.
import type { Config, Diagnostics, EventShape, EventsApi, ObjectReference, SelectedLine, SerializedError, Stats } from '../types.js'
import { describeError, ownField } from '../fields.js'
import { isEventObject, toReferences } from './reference.js'
import { MAX_WORD_BYTES, cleanWhitespace, removeWhitespace, truncateEnd } from '../text.js'
import { formatMessage } from './message.js'
import { errorFromText } from './error-text.js'

export interface ShapeContext {
  typeFor (level: number): string
  defaultReason: string
  defaultAction: string
  clusterNamespace: string
  api: EventsApi
  diagnostics: Diagnostics
  objectKey: string
  /** where the related object is named; absent: Events name none */
  related?: RelatedBinding
  /** counts lines whose binding was wrong in any way (e.g. the transport's Stats) */
  stats?: Pick<Stats, 'invalidBindings'>
}

// events.k8s.io/v1 accepts no other types.
const EVENTS_API_TYPES = new Set(['Normal', 'Warning'])
const EVENTS_API_FALLBACK_TYPE = 'Warning'
const MAX_TYPE_BYTES = 128

/** reason and action: one word, at most 128 bytes; undefined when nothing is left. */
function word (value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const cleaned = truncateEnd(removeWhitespace(value), MAX_WORD_BYTES)
  return cleaned === '' ? undefined : cleaned
}

function eventType (line: SelectedLine, ctx: ShapeContext): string {
  const explicit = ownField(line.fields, 'eventType')
  const cleaned = typeof explicit === 'string' ? truncateEnd(cleanWhitespace(explicit), MAX_TYPE_BYTES) : ''
  const type = cleaned !== '' ? cleaned : ctx.typeFor(line.level)
  if (ctx.api === 'events.k8s.io/v1' && !EVENTS_API_TYPES.has(type)) return EVENTS_API_FALLBACK_TYPE
  return type
}

function reasonOf (line: SelectedLine, err: SerializedError | undefined, ctx: ShapeContext): string {
  return word(ownField(line.fields, 'reason')) ??
    (err !== undefined ? word(ownField(err, 'type')) : undefined) ??
    ctx.defaultReason
}

// Text (another logger's traceback, a string `err`) is read like pino's serialized errors: a type and a message.
function errorOf (line: SelectedLine): SerializedError | undefined {
  return typeof line.err === 'string' ? { ...errorFromText(line.err) } : line.err
}

// `kubectl describe node` looks events up with the node's name as uid, because that is how the kubelet records them.
function asKubeletRecordsIt (ref: ObjectReference): ObjectReference {
  return ref.kind === 'Node' && ref.apiVersion === 'v1' ? { ...ref, uid: ref.name } : ref
}

// Naming an object twice on one line (or two Node references that the uid rule makes equal) is one occurrence.
function distinctReferences (refs: ObjectReference[]): ObjectReference[] {
  // Nearly every line names one object: nothing to compare.
  if (refs.length < 2) return refs
  const seen = new Set<string>()
  const distinct: ObjectReference[] = []
  for (const ref of refs) {
    const identity = JSON.stringify([ref.apiVersion, ref.kind, ref.namespace, ref.name, ref.uid ?? null, ref.fieldPath ?? null])
    if (seen.has(identity)) continue
    seen.add(identity)
    distinct.push(ref)
  }
  return distinct
}

/** Where the related binding is found: its key (for diagnostics) and its path, split once. */
export interface RelatedBinding {
  key: string
  path: readonly string[]
}

/**
 * The related binding of this configuration; none when it would be the object binding, or hold it or lie in it (an
 * objectKey such as 'k8sRelated.object' beside the default relatedKey).
 */
export function relatedBindingOf (config: Pick<Config, 'objectKey' | 'relatedKey'>): RelatedBinding | undefined {
  const { objectKey, relatedKey } = config
  if (relatedKey === objectKey || objectKey.startsWith(relatedKey + '.') || relatedKey.startsWith(objectKey + '.')) return undefined
  return { key: relatedKey, path: relatedKey.split('.') }
}

/**
 * The related object of a line: one object body or reference under the related binding. A line without it costs
 * one property lookup; a bad one is told, and its Events are written without it.
 */
function relatedOf (line: SelectedLine, ctx: ShapeContext, lineCounted: boolean): ObjectReference | undefined {
  if (ctx.related === undefined) return undefined
  let value: unknown = line.fields
  for (const key of ctx.related.path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined
    value = (value as Record<string, unknown>)[key]
  }
  const label = ctx.related.key
  if (value === undefined || value === null) return undefined
  const { refs, problems } = Array.isArray(value)
    ? { refs: [], problems: [`the '${label}' binding is a list: an Event names at most one related object`] }
    : toReferences(value, label)
  if (problems.length > 0) {
    // A line is counted once, whichever of its bindings is wrong.
    if (ctx.stats !== undefined && !lineCounted) ctx.stats.invalidBindings++
    ctx.diagnostics.warn(`invalid-binding:${label}`, `${problems.join('. ')}; the Event is written without a related object`)
    return undefined
  }
  return refs[0]
}

/** The events a selected line asks for: one per valid object it names (0..100). Never throws. */
export function shapeEvents (line: SelectedLine, ctx: ShapeContext): EventShape[] {
  try {
    const { refs, problems } = toReferences(line.binding, ctx.objectKey)
    if (problems.length > 0) {
      if (ctx.stats !== undefined) ctx.stats.invalidBindings++
      ctx.diagnostics.warn(`invalid-binding:${ctx.objectKey}`, problems.join('. '))
    }
    const targets = distinctReferences(refs.filter(ref => !isEventObject(ref)).map(asKubeletRecordsIt))
    if (targets.length === 0) return []

    const type = eventType(line, ctx)
    const err = errorOf(line)
    const reason = reasonOf(line, err, ctx)
    const message = formatMessage(line.message, err)
    const action = word(ownField(line.fields, 'action')) ?? ctx.defaultAction
    const related = relatedOf(line, ctx, problems.length > 0)
    return targets.map(target => ({
      type,
      reason,
      message,
      action,
      regarding: target,
      related,
      namespace: target.namespace !== '' ? target.namespace : ctx.clusterNamespace,
      time: line.time
    }))
  } catch (err) {
    ctx.diagnostics.warn('shape', `could not make an event of a log line: ${describeError(err)}`)
    return []
  }
}
