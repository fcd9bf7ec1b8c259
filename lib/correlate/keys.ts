// The identities that decide what counts as "the same": client-go's getEventKey, aggregate key and spam
// key, extended with the event's namespace and action because both are part of what is stored. JSON arrays
// keep the parts unambiguous (no separator can collide with a value).
import type { EventShape, ObjectReference, Source } from '../types.js'

function objectParts (ref: ObjectReference): string[] {
  return [ref.apiVersion, ref.kind, ref.namespace, ref.name, ref.uid ?? '']
}

/** occurrences with this key update one Event */
export function eventKey (source: Source, shape: EventShape): string {
  return JSON.stringify([source.component, source.instance, shape.namespace, ...objectParts(shape.regarding),
    shape.regarding.fieldPath ?? '', shape.type, shape.reason, shape.action, shape.message])
}

/** occurrences with this key but different messages are "similar"; fieldPath is left out as client-go does */
export function aggregateKey (source: Source, shape: EventShape): string {
  return JSON.stringify(['aggregate', source.component, source.instance, shape.namespace, ...objectParts(shape.regarding),
    shape.type, shape.reason, shape.action])
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
  return aggregate
    ? JSON.stringify(['aggregate', ...parts, shape.type, shape.reason, shape.action])
    : JSON.stringify([...parts, shape.regarding.fieldPath ?? '', shape.type, shape.reason, shape.action, shape.message])
}
