// A body's `kind` must be the resource's kind. Built-in kinds are decoded into the Go type the body names and
// then converted to the resource's internal type, which fails for any other kind; custom resources are
// unstructured, so their validation names the wrong kind instead.
import { goQuote, statusBadRequest, type Status, type StatusCause } from './status.js'
import type { ResourceInfo } from './resources.js'

function bodyKind (body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined
  const kind = (body as Record<string, unknown>).kind
  return typeof kind === 'string' && kind !== '' ? kind : undefined
}

/** The version a body names (`v1` of `apps/v1`), else the URL's: it is also the Go package of its type. */
function bodyVersion (info: ResourceInfo, body: unknown): string {
  const apiVersion = (body as Record<string, unknown>).apiVersion
  if (typeof apiVersion !== 'string' || apiVersion === '') return info.version
  return apiVersion.slice(apiVersion.lastIndexOf('/') + 1)
}

/**
 * 400 for a built-in resource given a body of another kind, as the real server words it (observed for `kind: Pod`
 * POSTed to events; every kind served here is in the internal `core` package).
 */
export function statusForeignKind (info: ResourceInfo, body: unknown): Status | undefined {
  const kind = bodyKind(body)
  if (info.custom || kind === undefined || kind === info.kind) return undefined
  const version = bodyVersion(info, body)
  return statusBadRequest(`${kind} in version "${version}" cannot be handled as a ${info.kind}: ` +
    `converting (${version}.${kind}) to (core.${info.kind}): unknown conversion`)
}

/** The causes of the 422 apiextensions' validator gives a custom resource whose body names another kind. */
export function foreignKindCauses (info: ResourceInfo, body: unknown): StatusCause[] {
  const kind = bodyKind(body)
  if (!info.custom || kind === undefined || kind === info.kind) return []
  return [{ reason: 'FieldValueInvalid', message: `Invalid value: ${goQuote(kind)}: must be ${info.kind}`, field: 'kind' }]
}
