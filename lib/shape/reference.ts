// The binding → references of the objects an event is about. The binding comes from a log line, so it is
// untrusted: only own properties are read, every field is checked, and a bad one is explained, never thrown.
import type { ObjectReference } from '../types.js'
import { dns1123LabelProblem, dns1123SubdomainProblem } from '../dns1123.js'
import { isRecord, ownField as own, type Fields } from '../fields.js'
import { preview } from '../text.js'

/** More objects than this on one line is a mistake (or an attack), not an event worth posting for each. */
export const MAX_REFERENCES_PER_LINE = 100
const MAX_PROBLEMS_LISTED = 3

const MAX_NAME = 253
const MAX_UID = 128
const MAX_FIELD_PATH = 1024
const CONTROL_CHARACTER = /\p{Cc}/u
// CRDs require kinds whose lower case form is a DNS-1035 label.
const KIND = /^[A-Za-z]([-A-Za-z0-9]*[A-Za-z0-9])?$/
const VERSION = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

function kindProblem (kind: string): string | undefined {
  if (kind.length > 63 || !KIND.test(kind)) return `kind ${preview(kind)} is not a kind name (a letter, then letters, digits or '-', at most 63)`
  return undefined
}

function apiVersionProblem (apiVersion: string): string | undefined {
  const slash = apiVersion.indexOf('/')
  const group = slash === -1 ? undefined : apiVersion.slice(0, slash)
  const version = slash === -1 ? apiVersion : apiVersion.slice(slash + 1)
  const groupProblem = group === undefined ? undefined : dns1123SubdomainProblem(group)
  if (groupProblem !== undefined || version.length > 63 || !VERSION.test(version)) {
    return `apiVersion ${preview(apiVersion)} is not an API version such as 'v1' or 'apps/v1'`
  }
  return undefined
}

function nameProblem (name: string): string | undefined {
  if (name.length > MAX_NAME) return `name is ${name.length} characters long, at most ${MAX_NAME} are allowed`
  if (CONTROL_CHARACTER.test(name)) return `name ${preview(name)} contains control characters`
  return undefined
}

function namespaceProblem (namespace: string): string | undefined {
  const problem = dns1123LabelProblem(namespace)
  return problem === undefined ? undefined : `namespace ${preview(namespace)} is not a namespace name: ${problem}`
}

function uidProblem (uid: string): string | undefined {
  if (uid.length > MAX_UID) return `uid is ${uid.length} characters long, at most ${MAX_UID} are allowed`
  if (CONTROL_CHARACTER.test(uid)) return `uid ${preview(uid)} contains control characters`
  return undefined
}

function fieldPathProblem (fieldPath: string): string | undefined {
  if (fieldPath.length > MAX_FIELD_PATH) return `fieldPath is ${fieldPath.length} characters long, at most ${MAX_FIELD_PATH} are allowed`
  if (CONTROL_CHARACTER.test(fieldPath)) return `fieldPath ${preview(fieldPath)} contains control characters`
  return undefined
}

/** Optional text fields: absent, null and '' all mean "not set". */
function optionalText (value: unknown, field: string, problems: string[]): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value === 'string') return value
  problems.push(`${field} is ${preview(value)}, not a string`)
  return undefined
}

function requiredText (value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

type Outcome = { ref?: ObjectReference, problem?: string }

/** The fields a reference is made of, as read from the binding: what the checks decide on, and nothing else. */
interface ReadReference {
  label: string
  isBody: boolean
  apiVersion: string
  kind: string
  name: string
  namespace: unknown
  uid: unknown
  fieldPath: unknown
}

function sameRead (a: ReadReference, b: ReadReference): boolean {
  return a.label === b.label && a.isBody === b.isBody && a.apiVersion === b.apiVersion && a.kind === b.kind &&
    a.name === b.name && a.namespace === b.namespace && a.uid === b.uid && a.fieldPath === b.fieldPath
}

function isPrimitive (value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function')
}

/** The checks of toReference once its fields are read: a function of those fields alone. */
function checkReference (read: ReadReference): Outcome {
  const { label, isBody, apiVersion, kind, name } = read
  const problems: string[] = []
  const namespace = optionalText(read.namespace, 'namespace', problems)
  const uid = optionalText(read.uid, 'uid', problems)
  const fieldPath = isBody ? undefined : optionalText(read.fieldPath, 'fieldPath', problems)
  for (const problem of [
    apiVersionProblem(apiVersion),
    kindProblem(kind),
    nameProblem(name),
    namespace === undefined ? undefined : namespaceProblem(namespace),
    uid === undefined ? undefined : uidProblem(uid),
    fieldPath === undefined ? undefined : fieldPathProblem(fieldPath)
  ]) {
    if (problem !== undefined) problems.push(problem)
  }
  if (problems.length > 0) return { problem: `${label} is not a valid object reference: ${problems.join('; ')}` }

  const ref: ObjectReference = { apiVersion, kind, name, namespace: namespace ?? '' }
  if (uid !== undefined) ref.uid = uid
  if (fieldPath !== undefined) ref.fieldPath = fieldPath
  return { ref }
}

// A line logged again and again names the same object, and each line is parsed into fresh objects: the outcome of
// the checks is kept for the last fields read, when all of them are primitives (so equal means the same input).
let lastChecked: { read: ReadReference, outcome: Outcome } | undefined

function checkReferenceOnce (read: ReadReference): Outcome {
  let outcome: Outcome
  if (lastChecked !== undefined && sameRead(lastChecked.read, read)) {
    outcome = lastChecked.outcome
  } else {
    outcome = checkReference(read)
    const reusable = isPrimitive(read.namespace) && isPrimitive(read.uid) && isPrimitive(read.fieldPath)
    lastChecked = reusable ? { read, outcome } : undefined
  }
  // Callers own what they get: each has a reference of its own.
  return outcome.ref === undefined ? { problem: outcome.problem } : { ref: { ...outcome.ref } }
}

/** One object body or reference → its reference, or the reasons it has none. */
function toReference (value: unknown, label: string): Outcome {
  if (!isRecord(value)) {
    return { problem: `${label} is ${Array.isArray(value) ? 'a nested list' : preview(value)}, not a Kubernetes object or object reference` }
  }
  const metadata = own(value, 'metadata')
  const isBody = isRecord(metadata)
  const names: Fields = isBody ? metadata : value
  const apiVersion = requiredText(own(value, 'apiVersion'))
  const kind = requiredText(own(value, 'kind'))
  const name = requiredText(own(names, 'name'))

  const missing: string[] = []
  if (apiVersion === undefined) missing.push('apiVersion')
  if (kind === undefined) missing.push('kind')
  if (name === undefined) missing.push(isBody ? 'metadata.name' : 'name')
  if (apiVersion === undefined || kind === undefined || name === undefined) {
    return { problem: `${label} has no ${missing.join(', ')} (each must be a non-empty string), so no event can name its object` }
  }

  // A reference may point into the object (a container); a body never does.
  return checkReferenceOnce({
    label,
    isBody,
    apiVersion,
    kind,
    name,
    namespace: own(names, 'namespace'),
    uid: own(names, 'uid'),
    fieldPath: isBody ? undefined : own(value, 'fieldPath')
  })
}

/**
 * The binding (an object body, an object reference, or a list of them) → the references to post events about,
 * and one sentence per thing that is wrong with it. Never throws.
 */
export function toReferences (binding: unknown, bindingKey = 'k8sObject'): { refs: ObjectReference[], problems: string[] } {
  const refs: ObjectReference[] = []
  const problems: string[] = []
  try {
    if (!Array.isArray(binding)) {
      const { ref, problem } = toReference(binding, `the '${bindingKey}' binding`)
      if (ref !== undefined) refs.push(ref)
      if (problem !== undefined) problems.push(problem)
      return { refs, problems }
    }
    const count = Math.min(binding.length, MAX_REFERENCES_PER_LINE)
    let unlisted = 0
    for (let i = 0; i < count; i++) {
      const { ref, problem } = toReference(binding[i], `item ${i} of the '${bindingKey}' binding`)
      if (ref !== undefined) refs.push(ref)
      if (problem === undefined) continue
      if (problems.length < MAX_PROBLEMS_LISTED) problems.push(problem)
      else unlisted++
    }
    if (unlisted > 0) problems.push(`${unlisted} more items of the '${bindingKey}' binding are not valid either`)
    if (binding.length > MAX_REFERENCES_PER_LINE) {
      problems.push(`the '${bindingKey}' binding lists ${binding.length} objects; only the first ${MAX_REFERENCES_PER_LINE} get events`)
    }
  } catch (err) {
    problems.push(`the '${bindingKey}' binding could not be read: ${preview((err as Error)?.message ?? err)}`)
  }
  return { refs, problems }
}

/** Events about Events would feed on themselves (an operator watching Events); they are skipped silently. */
export function isEventObject (ref: Pick<ObjectReference, 'apiVersion' | 'kind'>): boolean {
  return ref.kind === 'Event' && (ref.apiVersion === 'v1' || ref.apiVersion.startsWith('events.k8s.io/'))
}
