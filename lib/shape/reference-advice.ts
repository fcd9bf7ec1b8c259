// References that make Events `kubectl describe` will not show, told once so the user can fix the binding:
// a namespaced kind without a namespace (the Event lands in the cluster namespace, naming no namespace), and a
// reference without uid (describe looks events up by the live object's uid).
import type { Diagnostics, EventShape, ObjectReference } from '../types.js'
import { builtInScope, type Scope } from './scopes.js'

const MAX_KINDS = 1000

export interface ReferenceAdvice {
  /** looks at the Event's object; O(1) once its kind was looked at, never waits, never throws */
  note (shape: EventShape): void
}

export type ScopeLookup = (apiVersion: string, kind: string, later: () => void) => Scope | undefined

function describeCommand (ref: ObjectReference): string {
  return `kubectl describe ${ref.kind.toLowerCase()} ${ref.name}`
}

export function createReferenceAdvice (opts: {
  diagnostics: Diagnostics
  objectKey: string
  /** the scope of kinds the built-in table does not know, from the API server's discovery */
  discoverScope?: ScopeLookup
}): ReferenceAdvice {
  const { diagnostics, objectKey } = opts
  /** kinds whose scope is settled (told, or needs no telling) or being discovered */
  const looked = new Set<string>()
  let uidTold = false

  function tellNamespace (ref: ObjectReference, eventNamespace: string): void {
    diagnostics.warn(`advice:namespace:${ref.apiVersion}:${ref.kind}`,
      `the '${objectKey}' binding names ${ref.kind} "${ref.name}" without a namespace, but ${ref.kind} (${ref.apiVersion}) is a namespaced kind: ` +
      `its events go to namespace "${eventNamespace}" with an empty involvedObject.namespace, so \`${describeCommand(ref)}\` will not show them. ` +
      'Add metadata.namespace to the object (or namespace to the reference). Told once per kind', Infinity)
  }

  function checkScope (ref: ObjectReference, eventNamespace: string): void {
    const key = `${ref.apiVersion} ${ref.kind}`
    if (looked.has(key)) return
    if (looked.size >= MAX_KINDS) looked.clear()
    looked.add(key)
    const known = builtInScope(ref.apiVersion, ref.kind)
    if (known !== undefined) {
      if (known === 'namespaced') tellNamespace(ref, eventNamespace)
      return
    }
    const { discoverScope } = opts
    if (discoverScope === undefined) return
    // The reference is copied: the answer may come after the record changed hands.
    const seen = { ...ref }
    const answered = (): void => {
      if (discoverScope(seen.apiVersion, seen.kind, () => {}) === 'namespaced') tellNamespace(seen, eventNamespace)
    }
    const scope = discoverScope(ref.apiVersion, ref.kind, answered)
    if (scope === 'namespaced') tellNamespace(ref, eventNamespace)
  }

  function tellUid (ref: ObjectReference): void {
    uidTold = true
    const where = ref.namespace === '' ? '' : `${ref.namespace}/`
    diagnostics.warn('advice:uid',
      `the '${objectKey}' binding names ${ref.kind} ${where}${ref.name} without a uid: \`kubectl describe\` lists only events whose ` +
      "involvedObject.uid is the live object's uid, so it will not show these (kubectl events and kubectl get events do). " +
      'Log the object as the API server returned it, or add uid to the reference. Told once', Infinity)
  }

  return {
    note (shape) {
      try {
        const ref = shape.regarding
        if (ref.namespace === '') checkScope(ref, shape.namespace)
        if (!uidTold && ref.uid === undefined) tellUid(ref)
      } catch {}
    }
  }
}
