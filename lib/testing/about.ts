// Which Events are about a given object: the test names it as it names it in a binding (a body, a client-node
// instance or a reference), and a few fields decide.
import { isRecord } from '../fields.js'
import type { RecordedEvent } from './memory-recorder.js'

interface Wanted {
  apiVersion?: string
  kind: string
  name: string
  namespace: string
  uid?: string
}

function text (value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** The object a test asks about; a TypeError names what is missing, as a test wants to fail. */
export function wantedObject (object: unknown): Wanted {
  if (!isRecord(object)) throw new TypeError(`eventsAbout() takes a Kubernetes object or a reference, not ${object === null ? 'null' : typeof object}`)
  const names = isRecord(object.metadata) ? object.metadata : object
  const kind = text(object.kind)
  const name = text(names.name)
  if (kind === undefined || name === undefined) throw new TypeError('eventsAbout() needs an object with a kind and a name (metadata.name for a body)')
  return { apiVersion: text(object.apiVersion), kind, name, namespace: text(names.namespace) ?? '', uid: text(names.uid) }
}

/**
 * Whether the Event is about the object: kind, name and namespace, and apiVersion and uid when both sides have
 * them. A Node's Events carry its name as uid (as the kubelet's do, so that `kubectl describe node` finds them).
 */
export function isAbout (event: RecordedEvent, wanted: Wanted): boolean {
  const ref = event.regarding
  if (ref.kind !== wanted.kind || ref.name !== wanted.name || (ref.namespace ?? '') !== wanted.namespace) return false
  if (wanted.apiVersion !== undefined && ref.apiVersion !== wanted.apiVersion) return false
  const nodeUid = ref.kind === 'Node' && ref.uid === ref.name
  return wanted.uid === undefined || ref.uid === undefined || nodeUid || ref.uid === wanted.uid
}
