// metav1.Status failure bodies, built the way kube-apiserver builds them (apimachinery's errors package), so
// clients see the same code, reason, message and details as from a real cluster. Keys are inserted in the
// order Go serialises them, and empty optional fields are left out as Go's `omitempty` does.

export interface StatusCause { reason: string, message: string, field: string }

export interface Status {
  kind: 'Status'
  apiVersion: 'v1'
  metadata: {}
  status: 'Failure'
  message: string
  reason: string
  details?: { name?: string, group?: string, kind?: string, causes?: StatusCause[], retryAfterSeconds?: number }
  code: number
}

type StatusDetails = NonNullable<Status['details']>

const CONFLICT_EXPLANATION = 'the object has been modified; please apply your changes to the latest version and try again'
const TOO_MANY_REQUESTS_MESSAGE = 'Too many requests, please try again later.'

const GO_ESCAPES: Record<string, string> = {
  '\\': '\\\\', '"': '\\"', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v'
}

/** A string as Go's `%q` prints it: what the server puts around names and invalid values. */
export function goQuote (text: string): string {
  let quoted = '"'
  for (const char of text) {
    const escape = GO_ESCAPES[char]
    if (escape !== undefined) {
      quoted += escape
      continue
    }
    const codePoint = char.codePointAt(0) ?? 0
    if (codePoint < 0x20 || codePoint === 0x7f) quoted += '\\x' + codePoint.toString(16).padStart(2, '0')
    else if (codePoint >= 0x80 && codePoint < 0xa0) quoted += '\\u' + codePoint.toString(16).padStart(4, '0')
    else quoted += char
  }
  return quoted + '"'
}

/** `events`, or `events.events.k8s.io` for a named group, as schema.GroupResource prints itself. */
function qualifiedResource (resource: string, group: string | undefined): string {
  return group !== undefined && group !== '' ? `${resource}.${group}` : resource
}

function details (fields: StatusDetails): StatusDetails | undefined {
  const ordered: StatusDetails = {}
  if (fields.name !== undefined && fields.name !== '') ordered.name = fields.name
  if (fields.group !== undefined && fields.group !== '') ordered.group = fields.group
  if (fields.kind !== undefined && fields.kind !== '') ordered.kind = fields.kind
  if (fields.causes !== undefined && fields.causes.length > 0) ordered.causes = fields.causes
  if (fields.retryAfterSeconds !== undefined && fields.retryAfterSeconds !== 0) ordered.retryAfterSeconds = fields.retryAfterSeconds
  return Object.keys(ordered).length > 0 ? ordered : undefined
}

function failure (code: number, reason: string, message: string, statusDetails?: StatusDetails): Status {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }
  const presentDetails = statusDetails === undefined ? undefined : details(statusDetails)
  if (presentDetails === undefined) return status
  // Rebuilt so that `details` sits between `reason` and `code`, where Go writes it.
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details: presentDetails, code }
}

/** One cause as it reads inside the top-level message: `field: body`. */
function causeText (cause: StatusCause): string {
  return cause.field === '' ? cause.message : `${cause.field}: ${cause.message}`
}

/**
 * 422 Invalid. Validation of both APIs runs on the internal core Event, so the message and details name the kind
 * `Event`, without a group, on either API; identical cause texts appear once in the message (as in
 * field.ErrorList.ToAggregate) but all stay in causes.
 */
export function statusInvalid (name: string, causes: StatusCause[]): Status {
  const texts = [...new Set(causes.map(causeText))]
  let message = `Event ${goQuote(name)} is invalid`
  if (texts.length === 1) message += `: ${texts[0]}`
  else if (texts.length > 1) message += `: [${texts.join(', ')}]`
  return failure(422, 'Invalid', message, { name, kind: 'Event', causes })
}

export function statusBadRequest (message: string): Status {
  return failure(400, 'BadRequest', message)
}

export function statusNotFound (resource: string, name: string, group?: string): Status {
  return failure(404, 'NotFound', `${qualifiedResource(resource, group)} ${goQuote(name)} not found`, { name, group, kind: resource })
}

export function statusAlreadyExists (resource: string, name: string, group?: string): Status {
  return failure(409, 'AlreadyExists', `${qualifiedResource(resource, group)} ${goQuote(name)} already exists`, { name, group, kind: resource })
}

export function statusConflict (resource: string, name: string, group?: string): Status {
  const message = `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} ${goQuote(name)}: ${CONFLICT_EXPLANATION}`
  return failure(409, 'Conflict', message, { name, group, kind: resource })
}

/** The subject of a 403: `events`, or `events "x"` when the request named one object. */
function forbiddenSubject (resource: string, group: string, name: string | undefined): string {
  const qualified = qualifiedResource(resource, group)
  return name !== undefined && name !== '' ? `${qualified} ${goQuote(name)}` : qualified
}

/** 403 from RBAC; `group` is '' for the core API. */
export function statusForbidden (user: string, verb: string, resource: string, group: string, namespace?: string, name?: string): Status {
  const scope = namespace !== undefined && namespace !== '' ? `in the namespace ${goQuote(namespace)}` : 'at the cluster scope'
  const denial = `User ${goQuote(user)} cannot ${verb} resource ${goQuote(resource)} in API group ${goQuote(group)} ${scope}`
  return failure(403, 'Forbidden', `${forbiddenSubject(resource, group, name)} is forbidden: ${denial}`, { name, group, kind: resource })
}

/** 403 from the NamespaceLifecycle admission plugin: creates into a namespace being deleted. */
export function statusNamespaceTerminating (group: string, name: string, namespace: string): Status {
  const message = `${forbiddenSubject('events', group, name)} is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`
  const causes: StatusCause[] = [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }]
  return failure(403, 'Forbidden', message, { name, group, kind: 'events', causes })
}

export function statusUnauthorized (): Status {
  return failure(401, 'Unauthorized', 'Unauthorized')
}

export function statusTooManyRequests (retryAfterSeconds: number): Status {
  return failure(429, 'TooManyRequests', TOO_MANY_REQUESTS_MESSAGE, { retryAfterSeconds })
}

/** 500; `message` is the underlying error, which the server also lists as a cause with only a message. */
export function statusInternalError (message: string): Status {
  // Go leaves the cause's empty reason and field out of the JSON; the cast keeps that wire shape.
  const causes = [{ message }] as unknown as StatusCause[]
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes })
}

export function statusServiceUnavailable (message: string): Status {
  return failure(503, 'ServiceUnavailable', message)
}
