// The identities that decide what counts as "the same": client-go's getEventKey, aggregate key and spam
// key, extended with the event's namespace and action because both are part of what is stored, and with the related
// object as client-go's events.k8s.io isomorphism key has it. Like fieldPath, the related object is left out of the
// aggregate key: an aggregate stands for several occurrences and names none.
// The event and aggregate keys are needed for every line: each part is written with its length in front, cheaper
// than JSON and just as unambiguous (no value can pass for a separator, so two different lists of parts never give
// one key), and a leading tag keeps the two apart in the dedup log they share. The spam key and the name identity
// are made once per Event and stay JSON arrays; the name identity must never change, as it names Events on the server.
import type { EventShape, ObjectReference, Source } from '../types.js'

const EVENT_TAG = 'e'
const AGGREGATE_TAG = 'a'

/** `<length>:<text>` */
function part (value: string): string {
  return `${value.length}:${value}`
}

function objectParts (ref: ObjectReference): string[] {
  return [ref.apiVersion, ref.kind, ref.namespace, ref.name, ref.uid ?? '']
}

/** everything the event key is made of; the aggregate key leaves out fieldPath and message */
interface KeyParts {
  component: string
  instance: string
  namespace: string
  apiVersion: string
  kind: string
  objectNamespace: string
  name: string
  uid: string
  type: string
  reason: string
  action: string
  fieldPath: string
  message: string
  related: ObjectReference | undefined
}

function keyParts (source: Source, shape: EventShape): KeyParts {
  const ref = shape.regarding
  return {
    component: source.component,
    instance: source.instance,
    namespace: shape.namespace,
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    objectNamespace: ref.namespace,
    name: ref.name,
    uid: ref.uid ?? '',
    type: shape.type,
    reason: shape.reason,
    action: shape.action,
    fieldPath: ref.fieldPath ?? '',
    message: shape.message,
    related: shape.related
  }
}

/** '' without a related object; otherwise its parts behind a tag, so that no related object reads as another */
function relatedPart (ref: ObjectReference | undefined): string {
  if (ref === undefined) return ''
  return 'r' + part(ref.apiVersion) + part(ref.kind) + part(ref.namespace) + part(ref.name) + part(ref.uid ?? '') + part(ref.fieldPath ?? '')
}

function sameRelated (a: ObjectReference | undefined, b: ObjectReference | undefined): boolean {
  if (a === b) return true
  if (a === undefined || b === undefined) return false
  return a.apiVersion === b.apiVersion && a.kind === b.kind && a.namespace === b.namespace && a.name === b.name &&
    (a.uid ?? '') === (b.uid ?? '') && (a.fieldPath ?? '') === (b.fieldPath ?? '')
}

function sharedPart (p: KeyParts): string {
  return part(p.component) + part(p.instance) + part(p.namespace) + part(p.apiVersion) + part(p.kind) +
    part(p.objectNamespace) + part(p.name) + part(p.uid) + part(p.type) + part(p.reason) + part(p.action)
}

function sameShared (a: KeyParts, b: KeyParts): boolean {
  return a.component === b.component && a.instance === b.instance && a.namespace === b.namespace &&
    a.apiVersion === b.apiVersion && a.kind === b.kind && a.objectNamespace === b.objectNamespace &&
    a.name === b.name && a.uid === b.uid && a.type === b.type && a.reason === b.reason && a.action === b.action
}

function eventKeyOf (shared: string, p: KeyParts): string {
  return EVENT_TAG + shared + part(p.fieldPath) + part(p.message) + relatedPart(p.related)
}

export interface OccurrenceKeys {
  /** occurrences with this key update one Event */
  readonly event: string
  /** occurrences with this key but different messages are "similar"; fieldPath is left out as client-go does */
  readonly aggregate: string
}

/** An aggregated occurrence never needs its event key, so it is only built when asked for. */
class KeysOfParts implements OccurrenceKeys {
  readonly aggregate: string
  readonly #shared: string
  readonly #parts: KeyParts
  #event: string | undefined

  constructor (shared: string, aggregate: string, parts: KeyParts) {
    this.#shared = shared
    this.aggregate = aggregate
    this.#parts = parts
  }

  get event (): string {
    this.#event ??= eventKeyOf(this.#shared, this.#parts)
    return this.#event
  }
}

/**
 * objects whose latest keys are kept: lines about many objects interleave, and each remembered line (see
 * select/repeats.ts) may come back with its frozen reference
 */
const RECENT_OBJECTS = 2048

interface Made { parts: KeyParts, shared: string, keys: OccurrenceKeys }

/**
 * The event and aggregate keys of each occurrence. A warning logged again and again repeats every part, so the keys
 * made before are handed out again when all their parts are equal: no key is built, and the dedup maps get the same
 * string, whose hash is already known. Lines that repeat a remembered line share one frozen reference object (see
 * select/repeats.ts), by which the latest keys of a few objects are found even when their lines interleave; other
 * references are new with every line, and remembering them would only fill the heap. Distinct messages about one
 * object reuse the shared part.
 */
export function createKeyMaker (source: Source): (shape: EventShape) => OccurrenceKeys {
  let last: Made | undefined
  const recent = new Map<ObjectReference, Made>()
  return shape => {
    // Compared field by field before any parts are made: a repeat allocates nothing.
    if (last !== undefined && repeatsParts(last.parts, shape)) return last.keys
    const shared = Object.isFrozen(shape.regarding)
    const known = shared ? recent.get(shape.regarding) : undefined
    if (known !== undefined && repeatsParts(known.parts, shape)) {
      last = known
      return known.keys
    }
    const parts = keyParts(source, shape)
    const sameAsLast = last !== undefined && sameShared(last.parts, parts)
    const sharedText = sameAsLast ? last!.shared : sharedPart(parts)
    const aggregate = sameAsLast ? last!.keys.aggregate : AGGREGATE_TAG + sharedText
    last = { parts, shared: sharedText, keys: new KeysOfParts(sharedText, aggregate, parts) }
    if (shared) {
      recent.delete(shape.regarding)
      recent.set(shape.regarding, last)
      if (recent.size > RECENT_OBJECTS) recent.delete(recent.keys().next().value as ObjectReference)
    }
    return last.keys
  }
}

/** whether the shape has every part of the keys `p` were made for (the source never changes) */
function repeatsParts (p: KeyParts, shape: EventShape): boolean {
  const ref = shape.regarding
  return p.namespace === shape.namespace && p.apiVersion === ref.apiVersion && p.kind === ref.kind &&
    p.objectNamespace === ref.namespace && p.name === ref.name && p.uid === (ref.uid ?? '') && p.type === shape.type &&
    p.reason === shape.reason && p.action === shape.action && p.fieldPath === (ref.fieldPath ?? '') && p.message === shape.message &&
    sameRelated(p.related, shape.related)
}

/** requests about one object and type share one token bucket, whatever the reason or message */
export function spamKey (source: Source, shape: EventShape): string {
  return JSON.stringify([source.component, source.instance, ...objectParts(shape.regarding), shape.type])
}

/**
 * What an Event's name is derived from. The instance is left out so that a restarted pod (new name) or
 * another replica of the same component continues the same Event instead of starting a new one.
 */
export function nameIdentity (source: Source, shape: EventShape, aggregate: boolean): string {
  const parts = [source.component, shape.namespace, ...objectParts(shape.regarding)]
  if (aggregate) return JSON.stringify(['aggregate', ...parts, shape.type, shape.reason, shape.action])
  const single = [...parts, shape.regarding.fieldPath ?? '', shape.type, shape.reason, shape.action, shape.message]
  // Appended only when there is one: the names of Events without a related object stay what they were.
  if (shape.related !== undefined) single.push('related', ...objectParts(shape.related), shape.related.fieldPath ?? '')
  return JSON.stringify(single)
}
