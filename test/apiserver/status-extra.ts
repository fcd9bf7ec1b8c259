// Failure bodies the event-centred status.ts does not cover: other kinds, media types, methods, paging.
import { goQuote, type Status, type StatusCause } from './status.js'

function failure (code: number, reason: string, message: string, details?: Status['details']): Status {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }
  if (details === undefined) return status
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code }
}

function qualified (resource: string, group: string): string {
  return group === '' ? resource : `${resource}.${group}`
}

function detailsOf (resource: string, group: string, name?: string, causes?: StatusCause[]): NonNullable<Status['details']> {
  const details: NonNullable<Status['details']> = {}
  if (name !== undefined && name !== '') details.name = name
  if (group !== '') details.group = group
  details.kind = resource
  if (causes !== undefined && causes.length > 0) details.causes = causes
  return details
}

export function statusNoSuchPath (): Status {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {})
}

export function statusMethodNotAllowed (): Status {
  return failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {})
}

export function statusUnsupportedPatchType (contentType: string): Status {
  return failure(415, 'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${contentType})`)
}

/** A body in a media type the resource cannot be decoded from; `accepted` as the real server lists them. */
export function statusUnsupportedMediaType (accepted: string[]): Status {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`)
}

/** A JSON Patch that does not apply, as the server reports it (the patch library's text is not passed on). */
export function statusPatchNotApplicable (): Status {
  return failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {})
}

export function statusRequestTooLarge (limit: number): Status {
  return failure(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`)
}

/** NamespaceLifecycle's 403 for kinds other than events. */
export function statusTerminatingFor (resource: string, group: string, name: string, namespace: string): Status {
  const subject = name === '' ? qualified(resource, group) : `${qualified(resource, group)} ${goQuote(name)}`
  const causes = [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }]
  return failure(403, 'Forbidden', `${subject} is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
    detailsOf(resource, group, name, causes))
}

/** 422 for kinds other than events, as errors.NewInvalid words it (details name the kind, not the resource). */
export function statusInvalidFor (kind: string, group: string, name: string, causes: StatusCause[]): Status {
  const texts = [...new Set(causes.map(c => c.field === '' ? c.message : `${c.field}: ${c.message}`))]
  const kindName = group === '' ? kind : `${kind}.${group}`
  const message = `${kindName} ${goQuote(name)} is invalid: ${texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`}`
  return failure(422, 'Invalid', message, detailsOf(kind, group, name, causes))
}

/** A second DELETE of a namespace while it is still being emptied. */
export function statusNamespaceStillTerminating (name: string): Status {
  return failure(409, 'Conflict',
    `Operation cannot be fulfilled on namespaces ${goQuote(name)}: The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.`,
    detailsOf('namespaces', '', name))
}

export function statusGone (message: string): Status {
  return failure(410, 'Expired', message)
}

/** The body of a successful DELETE for kinds whose storage answers with a Status. */
export function statusDeleted (resource: string, group: string, name: string, uid: string): object {
  const details: Record<string, string> = { name }
  if (group !== '') details.group = group
  details.kind = resource
  details.uid = uid
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details }
}

/** The Status a real server would send with this code, for injected faults without a body of their own. */
export function statusForCode (code: number, retryAfterSeconds?: number): Status {
  switch (code) {
    case 401: return failure(401, 'Unauthorized', 'Unauthorized')
    case 429: return failure(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: retryAfterSeconds ?? 1 })
    case 500: return failure(500, 'InternalError', 'Internal error occurred: injected fault', { causes: [{ message: 'injected fault' } as StatusCause] })
    case 503: return failure(503, 'ServiceUnavailable', 'the server is currently unable to handle the request', retryAfterSeconds === undefined ? undefined : { retryAfterSeconds })
    case 504: return failure(504, 'Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request', {})
  }
  const known: Record<number, [string, string]> = {
    400: ['BadRequest', 'the server rejected our request for an unknown reason'],
    403: ['Forbidden', 'the server does not allow access to the requested resource'],
    404: ['NotFound', 'the server could not find the requested resource'],
    405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
    409: ['Conflict', 'the server reported a conflict'],
    410: ['Expired', 'the resource has expired'],
    413: ['RequestEntityTooLarge', 'the request is too large'],
    415: ['UnsupportedMediaType', 'the server responded with the status code 415 but did not return more information'],
    422: ['Invalid', 'the server rejected our request due to an error in our request']
  }
  const [reason, message] = known[code] ?? (code >= 500
    ? ['InternalError', `an error on the server ("injected fault") has prevented the request from succeeding`]
    : ['', `the server responded with the status code ${code} but did not return more information`])
  return failure(code, reason, message, {})
}
