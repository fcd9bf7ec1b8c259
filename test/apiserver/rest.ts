// The resource endpoints: create, get, list, update, patch and delete over the in-memory store, in the order
// in which the real server checks a request (authorization, decoding, admission, validation, storage).
import { type Authenticator, type UserInfo } from './auth.js'
import { decodeEventBody, eventApiOf, invalidEventCreate, invalidEventUpdate, normalizeStoredEvent, viewEvent } from './events.js'
import { dnsNameCauses, pathSegmentNameCauses } from './object-meta.js'
import { applyJsonPatch, applyMergePatch, JsonPatchError } from './patch.js'
import { apiVersionOf, findResource, storeKeyOf, type ResourceInfo } from './resources.js'
import type { ResourceTarget } from './route.js'
import { parseSelection } from './selection.js'
import {
  statusAlreadyExists, statusBadRequest, statusConflict, statusForbidden, statusInvalid, statusNamespaceTerminating,
  statusNotFound, type Status, type StatusCause
} from './status.js'
import {
  statusDeleted, statusInvalidFor, statusMethodNotAllowed, statusNamespaceStillTerminating, statusNoSuchPath,
  statusPatchNotApplicable, statusTerminatingFor, statusUnsupportedPatchType
} from './status-extra.js'
import { ObjectStore, type StoredObject } from './store.js'
import { toTable, wantsTable } from './table.js'
import { generateName, newUid } from './names.js'
import { decodeContinue, encodeContinue } from './paging.js'
import { foreignKindCauses, statusForeignKind } from './body-kind.js'
import type { WatchPlan } from './watch.js'
import { planWatch, queryFlag } from './watch-request.js'

export interface RestRequest {
  method: string
  target: ResourceTarget
  query: URLSearchParams
  accept?: string
  contentType?: string
  /** parsed JSON; undefined when there was no body */
  body: unknown
  /** set when the body was present but not JSON */
  bodyError?: string
  user: UserInfo
}

/** `watch` is set for a watch request that may stream: the server serves the plan instead of a body. */
export interface RestAnswer { status: number, body: unknown, watch?: WatchPlan }

const MESSAGE_NAMESPACE_MISMATCH = 'the namespace of the provided object does not match the namespace sent on the request'
const NAMESPACES_KEY = storeKeyOf(findResource('', 'v1', 'namespaces') as ResourceInfo)
/** How often a generated name is drawn again when it is taken, as the real server does since 1.30. */
const GENERATE_NAME_ATTEMPTS = 8

function fail (status: Status): RestAnswer {
  return { status: status.code, body: status }
}

function isObject (value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function nowSeconds (): string {
  return new Date().toISOString().slice(0, 19) + 'Z'
}

function verbOf (method: string, target: ResourceTarget, query: URLSearchParams): string | undefined {
  const watch = queryFlag(query, 'watch') === true
  switch (method) {
    case 'GET': return watch ? 'watch' : target.name !== undefined ? 'get' : 'list'
    case 'POST': return 'create'
    case 'PUT': return 'update'
    case 'PATCH': return 'patch'
    case 'DELETE': return target.name !== undefined ? 'delete' : 'deletecollection'
    default: return undefined
  }
}

/** Metadata in the order Go writes ObjectMeta, system fields filled in. */
function orderedMetadata (meta: Record<string, any>, fill: { name: string, namespace?: string, uid: string, creationTimestamp: string }): Record<string, any> {
  const { name: _n, generateName, namespace: _ns, uid: _u, resourceVersion: _rv, creationTimestamp: _c, ...rest } = meta
  const out: Record<string, any> = { name: fill.name }
  if (typeof generateName === 'string' && generateName !== '') out.generateName = generateName
  if (fill.namespace !== undefined) out.namespace = fill.namespace
  out.uid = fill.uid
  out.resourceVersion = ''
  out.creationTimestamp = fill.creationTimestamp
  return { ...out, ...rest }
}

export class RestApi {
  constructor (private readonly store: ObjectStore, private readonly auth: Authenticator) {}

  handle (req: RestRequest): RestAnswer {
    const { target } = req
    const info = findResource(target.group, target.version, target.resource)
    if (info === undefined || target.subresource !== undefined) return fail(statusNoSuchPath())
    const isNamespaceObject = info.resource === 'namespaces'
    if (!info.namespaced && !isNamespaceObject && target.namespace !== undefined) return fail(statusNoSuchPath())
    const verb = verbOf(req.method, target, req.query)
    if (verb === undefined) return fail(statusMethodNotAllowed())
    if (verb === 'create' && target.name !== undefined) return fail(statusMethodNotAllowed())
    if (info.namespaced && target.namespace === undefined && !['list', 'watch'].includes(verb)) return fail(statusNoSuchPath())

    const namespace = info.namespaced || isNamespaceObject ? target.namespace : undefined
    if (!this.auth.authorize(req.user, { verb, group: info.group, resource: info.resource, namespace })) {
      return fail(statusForbidden(req.user.name, verb, info.resource, info.group, namespace, target.name))
    }
    if (req.bodyError !== undefined && ['create', 'update', 'patch'].includes(verb)) {
      return fail(statusBadRequest(`couldn't get version/kind; json parse error: ${req.bodyError}`))
    }
    const objectNamespace = info.namespaced ? target.namespace : undefined
    switch (verb) {
      case 'get': return this.get(info, objectNamespace, target.name as string, req.accept, req.query.get('includeObject') ?? undefined)
      case 'list': return this.list(info, objectNamespace, req)
      case 'watch': return this.watch(info, objectNamespace, req)
      case 'create': return this.create(info, objectNamespace, req.body, req.query)
      case 'update': return this.update(info, objectNamespace, target.name as string, req.body, req.query)
      case 'patch': return this.patch(info, objectNamespace, target.name as string, req)
      case 'delete': return this.delete(info, objectNamespace, target.name as string)
      default: return this.deleteCollection(info, objectNamespace, req)
    }
  }

  /** The object as the request's API shows it. */
  private view (info: ResourceInfo, stored: StoredObject): any {
    if (info.resource === 'events') return viewEvent(stored, eventApiOf(info.group))
    return { kind: info.kind, apiVersion: apiVersionOf(info), ...structuredClone(stored) }
  }

  private get (info: ResourceInfo, namespace: string | undefined, name: string, accept: string | undefined, includeObject: string | undefined): RestAnswer {
    const stored = this.store.get(storeKeyOf(info), namespace, name)
    if (stored === undefined) return fail(statusNotFound(info.resource, name, info.group))
    const body = this.view(info, stored)
    const tableVersion = wantsTable(accept)
    if (tableVersion === false) return { status: 200, body }
    return { status: 200, body: toTable(info.resource, [stored], { apiVersion: tableVersion, resourceVersion: this.store.resourceVersion, includeObject, fullObjects: [body] }) }
  }

  private watch (info: ResourceInfo, namespace: string | undefined, req: RestRequest): RestAnswer {
    const name = req.target.name
    const planned = planWatch({ info, namespace, name, query: req.query, accept: req.accept }, this.store, obj => this.view(info, obj))
    if ('status' in planned) return fail(planned.status)
    return { status: 200, body: undefined, watch: planned.plan }
  }

  private list (info: ResourceInfo, namespace: string | undefined, req: RestRequest): RestAnswer {
    const selection = parseSelection(info, req.query)
    if ('status' in selection) return fail(selection.status)

    const limitText = req.query.get('limit')
    const limit = limitText === null ? 0 : Number.parseInt(limitText, 10)
    let startAfter: string | undefined
    const continueToken = req.query.get('continue')
    if (continueToken !== null && continueToken !== '') {
      const decoded = decodeContinue(continueToken)
      if ('error' in decoded) return fail(statusBadRequest(decoded.error))
      startAfter = decoded.startAfter
    }

    const resourceVersion = this.store.resourceVersion
    const selected: Array<{ key: string, object: StoredObject }> = []
    let remaining = 0
    for (const entry of this.store.list(storeKeyOf(info), namespace)) {
      if (startAfter !== undefined && entry.key <= startAfter) continue
      if (!selection.matches(entry.object)) continue
      if (limit > 0 && selected.length >= limit) remaining++
      else selected.push(entry)
    }
    const next = remaining > 0 ? encodeContinue(resourceVersion, selected[selected.length - 1].key) : undefined
    const stored = selected.map(e => e.object)
    const items = stored.map(obj => this.view(info, obj))

    const tableVersion = wantsTable(req.accept)
    if (tableVersion !== false) {
      return {
        status: 200,
        body: toTable(info.resource, stored, { apiVersion: tableVersion, resourceVersion, continueToken: next, includeObject: req.query.get('includeObject') ?? undefined, fullObjects: items })
      }
    }
    const metadata: Record<string, unknown> = { resourceVersion }
    if (next !== undefined) {
      metadata.continue = next
      metadata.remainingItemCount = remaining
    }
    if (!info.custom) {
      for (const item of items) {
        delete item.kind
        delete item.apiVersion
      }
    }
    return { status: 200, body: { kind: info.listKind, apiVersion: apiVersionOf(info), metadata, items } }
  }

  /** Decodes a request body into the stored form, or the 400 for it. */
  private decode (info: ResourceInfo, body: unknown): { object: Record<string, any> } | { status: Status } {
    const foreignKind = statusForeignKind(info, body)
    if (foreignKind !== undefined) return { status: foreignKind }
    if (info.resource === 'events') {
      const decoded = decodeEventBody(body, eventApiOf(info.group))
      if ('status' in decoded) return decoded
      return { object: decoded.event }
    }
    if (!isObject(body)) return { status: statusBadRequest(`${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: expected an object`) }
    const expected = apiVersionOf(info)
    if (typeof body.apiVersion === 'string' && body.apiVersion !== '' && body.apiVersion !== expected) {
      return { status: statusBadRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${expected})`) }
    }
    const { apiVersion: _a, kind: _k, ...rest } = structuredClone(body)
    return { object: rest }
  }

  /** NamespaceLifecycle admission: the namespace must exist and must not be going away. */
  private admitCreate (info: ResourceInfo, namespace: string | undefined, name: string): Status | undefined {
    if (namespace === undefined) return undefined
    const ns = this.store.get(NAMESPACES_KEY, undefined, namespace)
    if (ns === undefined) return statusNotFound('namespaces', namespace)
    if ((ns as any).status?.phase === 'Terminating') {
      return info.resource === 'events'
        ? statusNamespaceTerminating(info.group, name, namespace)
        : statusTerminatingFor(info.resource, info.group, name, namespace)
    }
    return undefined
  }

  private invalid (info: ResourceInfo, name: string, causes: StatusCause[]): Status {
    return info.resource === 'events'
      ? statusInvalid(name, causes)
      : statusInvalidFor(info.kind, info.group, name, causes)
  }

  private metaCauses (info: ResourceInfo, meta: Record<string, any>): StatusCause[] {
    const causes = pathSegmentNameCauses(meta)
    if (causes.length > 0 || info.resource === 'events') return causes
    return dnsNameCauses(String(meta.name ?? ''), info.resource === 'namespaces' ? 'label' : 'subdomain')
  }

  /** Defaults the real controllers or strategies would have set. */
  private prepareForCreate (info: ResourceInfo, obj: Record<string, any>): Record<string, any> {
    if (info.resource === 'events') return normalizeStoredEvent(obj)
    if (info.resource === 'namespaces') {
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name }
      obj.spec = { finalizers: ['kubernetes'], ...(obj.spec ?? {}) }
      obj.status = { phase: 'Active' }
    }
    // The pod strategy resets the status a client sends (kubectl run sends `status: {}`).
    if (info.resource === 'pods') obj.status = { phase: 'Pending', qosClass: 'BestEffort' }
    if (info.custom) obj.metadata.generation = 1
    return obj
  }

  private create (info: ResourceInfo, namespace: string | undefined, body: unknown, query: URLSearchParams): RestAnswer {
    const decoded = this.decode(info, body)
    if ('status' in decoded) return fail(decoded.status)
    const obj = decoded.object
    const meta: Record<string, any> = isObject(obj.metadata) ? obj.metadata : {}
    if (info.namespaced) {
      if (typeof meta.namespace === 'string' && meta.namespace !== '' && meta.namespace !== namespace) return fail(statusBadRequest(MESSAGE_NAMESPACE_MISMATCH))
    }
    const requestedName = typeof meta.name === 'string' ? meta.name : ''
    const admission = this.admitCreate(info, namespace, requestedName)
    if (admission !== undefined) return fail(admission)

    const storeKey = storeKeyOf(info)
    const generate = requestedName === '' && typeof meta.generateName === 'string' && meta.generateName !== ''
    let name = requestedName
    for (let attempt = 0; generate && attempt < GENERATE_NAME_ATTEMPTS; attempt++) {
      name = generateName(meta.generateName)
      if (!this.store.has(storeKey, namespace, name)) break
    }
    obj.metadata = orderedMetadata(meta, { name, namespace, uid: newUid(), creationTimestamp: nowSeconds() })
    const prepared = this.prepareForCreate(info, obj)
    if (name === '') delete prepared.metadata.name

    if (info.resource === 'events') {
      const invalid = invalidEventCreate(prepared, eventApiOf(info.group))
      if (invalid !== undefined) return fail(invalid)
    }
    const typeCauses = foreignKindCauses(info, body)
    const metaCauses = typeCauses.length > 0 ? typeCauses : this.metaCauses(info, prepared.metadata)
    if (metaCauses.length > 0) return fail(this.invalid(info, name, metaCauses))

    if (this.store.has(storeKey, namespace, name)) return fail(statusAlreadyExists(info.resource, name, info.group))
    if (query.get('dryRun') === 'All') return { status: 201, body: this.view(info, prepared as StoredObject) }
    const stored = this.store.put(storeKey, prepared as StoredObject)
    return { status: 201, body: this.view(info, stored) }
  }

  /** Shared by PUT and PATCH once the new object is decoded: identity, preconditions, validation, storage. */
  private replace (info: ResourceInfo, namespace: string | undefined, name: string, old: StoredObject, decoded: Record<string, any>, query: URLSearchParams): RestAnswer {
    const meta: Record<string, any> = isObject(decoded.metadata) ? decoded.metadata : {}
    if (info.namespaced && typeof meta.namespace === 'string' && meta.namespace !== '' && meta.namespace !== namespace) {
      return fail(statusBadRequest(MESSAGE_NAMESPACE_MISMATCH))
    }
    if (meta.name !== name) return fail(statusBadRequest(`the name of the object (${String(meta.name ?? '')}) does not match the name on the URL (${name})`))
    const rv = meta.resourceVersion
    if (typeof rv === 'string' && rv !== '' && rv !== old.metadata.resourceVersion) return fail(statusConflict(info.resource, name, info.group))
    if (typeof meta.uid === 'string' && meta.uid !== '' && meta.uid !== old.metadata.uid) {
      return fail(this.invalid(info, name, [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(meta.uid)}: field is immutable`, field: 'metadata.uid' }]))
    }
    decoded.metadata = orderedMetadata({ ...meta, generateName: old.metadata.generateName }, {
      name, namespace, uid: String(old.metadata.uid), creationTimestamp: String(old.metadata.creationTimestamp)
    })
    let updated: Record<string, any> = decoded
    if (info.resource === 'events') {
      updated = normalizeStoredEvent(decoded)
      const invalid = invalidEventUpdate(old, updated, eventApiOf(info.group))
      if (invalid !== undefined) return fail(invalid)
    } else if (info.resource === 'namespaces') {
      updated.status = old.status
    }
    if (query.get('dryRun') === 'All') return { status: 200, body: this.view(info, { ...updated, metadata: { ...updated.metadata, resourceVersion: old.metadata.resourceVersion } } as StoredObject) }
    const stored = this.store.put(storeKeyOf(info), updated as StoredObject)
    return { status: 200, body: this.view(info, stored) }
  }

  private update (info: ResourceInfo, namespace: string | undefined, name: string, body: unknown, query: URLSearchParams): RestAnswer {
    if (isObject(body)) {
      const bodyName = isObject(body.metadata) ? body.metadata.name : undefined
      if (bodyName !== name) return fail(statusBadRequest(`the name of the object (${String(bodyName ?? '')}) does not match the name on the URL (${name})`))
    }
    const old = this.store.get(storeKeyOf(info), namespace, name)
    // Events may be created by an update, as their storage strategy allows.
    if (old === undefined) {
      if (info.resource !== 'events') return fail(statusNotFound(info.resource, name, info.group))
      return this.create(info, namespace, body, query)
    }
    const decoded = this.decode(info, body)
    if ('status' in decoded) return fail(decoded.status)
    return this.replace(info, namespace, name, old, decoded.object, query)
  }

  private patch (info: ResourceInfo, namespace: string | undefined, name: string, req: RestRequest): RestAnswer {
    const contentType = (req.contentType ?? '').split(';')[0].trim().toLowerCase()
    const kinds = ['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json']
    if (!kinds.includes(contentType)) return fail(statusUnsupportedPatchType(contentType))
    const old = this.store.get(storeKeyOf(info), namespace, name)
    if (old === undefined) return fail(statusNotFound(info.resource, name, info.group))
    const current = this.view(info, old)
    let patched: unknown
    if (contentType === 'application/json-patch+json') {
      try {
        patched = applyJsonPatch(current, req.body)
      } catch (err) {
        if (!(err instanceof JsonPatchError)) throw err
        return fail(err.kind === 'malformed' ? statusBadRequest(err.message) : statusPatchNotApplicable())
      }
    } else {
      if (!isObject(req.body)) return fail(statusBadRequest('Invalid JSON Patch'))
      patched = applyMergePatch(current, req.body)
    }
    const decoded = this.decode(info, patched)
    if ('status' in decoded) return fail(decoded.status)
    return this.replace(info, namespace, name, old, decoded.object, req.query)
  }

  private delete (info: ResourceInfo, namespace: string | undefined, name: string): RestAnswer {
    const storeKey = storeKeyOf(info)
    const existing = this.store.get(storeKey, namespace, name)
    if (existing === undefined) return fail(statusNotFound(info.resource, name, info.group))
    if (info.resource === 'namespaces') {
      // Nothing here empties a namespace, so it stays Terminating, and creates in it keep failing.
      const ns = existing as any
      if (ns.metadata.deletionTimestamp !== undefined) return fail(statusNamespaceStillTerminating(name))
      ns.metadata.deletionTimestamp = nowSeconds()
      ns.status = { phase: 'Terminating' }
      return { status: 200, body: this.view(info, this.store.put(storeKey, ns)) }
    }
    this.store.delete(storeKey, namespace, name)
    if (info.resource === 'events') return { status: 200, body: statusDeleted(info.resource, info.group, name, String(existing.metadata.uid)) }
    return { status: 200, body: this.view(info, existing) }
  }

  private deleteCollection (info: ResourceInfo, namespace: string | undefined, req: RestRequest): RestAnswer {
    if (info.resource === 'namespaces') return fail(statusMethodNotAllowed())
    const listed = this.list(info, namespace, { ...req, accept: undefined, query: new URLSearchParams([...req.query].filter(([k]) => k !== 'limit' && k !== 'continue')) })
    if (listed.status !== 200) return listed
    const items = (listed.body as { items: Array<{ metadata: { namespace?: string, name: string } }> }).items
    for (const item of items) this.store.delete(storeKeyOf(info), item.metadata.namespace, item.metadata.name)
    return { status: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' } }
  }
}
