// Reads a watch request's parameters into a WatchPlan, or the 400 the request deserves before any streaming.
import { apiVersionOf, storeKeyOf, type ResourceInfo } from './resources.js'
import { parseSelection } from './selection.js'
import { statusBadRequest, type Status } from './status.js'
import type { ObjectStore, StoredObject } from './store.js'
import { toTable, wantsTable } from './table.js'
import type { WatchPlan } from './watch.js'

export interface WatchRequest {
  info: ResourceInfo
  namespace?: string
  /** set for GET …/{name}?watch=true: a watch of that one object */
  name?: string
  query: URLSearchParams
  accept?: string
}

/** Go's strconv.ParseBool, which reads the boolean query parameters. */
export function queryFlag (query: URLSearchParams, name: string): boolean | undefined {
  const value = query.get(name)
  if (value === null || value === '') return undefined
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false
  return undefined
}

function escapeSelectorValue (value: string): string {
  return value.replace(/[\\,=!]/g, char => `\\${char}`)
}

export function planWatch (req: WatchRequest, store: ObjectStore, view: (obj: StoredObject) => any): { plan: WatchPlan } | { status: Status } {
  const { info, namespace, query } = req
  const selection = parseSelection(info, query, req.name === undefined ? undefined : `metadata.name=${escapeSelectorValue(req.name)}`)
  if ('status' in selection) return selection

  const resourceVersion = query.get('resourceVersion') ?? ''
  let fromRevision: number | undefined
  if (resourceVersion !== '' && resourceVersion !== '0') {
    if (!/^[0-9]{1,15}$/.test(resourceVersion)) return { status: statusBadRequest(`invalid resource version: ${JSON.stringify(resourceVersion)}`) }
    fromRevision = Number(resourceVersion)
  }
  const sendInitialEvents = queryFlag(query, 'sendInitialEvents')
  let timeoutSeconds: number | undefined
  const timeoutText = query.get('timeoutSeconds')
  if (timeoutText !== null && timeoutText !== '') {
    timeoutSeconds = Number(timeoutText)
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 0) return { status: statusBadRequest(`invalid timeoutSeconds: ${JSON.stringify(timeoutText)}`) }
    if (timeoutSeconds === 0) timeoutSeconds = undefined
  }

  const tableVersion = wantsTable(req.accept)
  const includeObject = query.get('includeObject') ?? undefined
  const storeKey = storeKeyOf(info)
  const plan: WatchPlan = {
    storeKey,
    namespace: info.namespaced ? namespace : undefined,
    matches: selection.matches,
    view,
    current: () => store.list(storeKey, info.namespaced ? namespace : undefined).map(e => e.object).filter(selection.matches),
    fromRevision: sendInitialEvents === true ? undefined : fromRevision,
    // resourceVersion "" and "0" start with the current state unless sendInitialEvents=false says not to.
    initialState: sendInitialEvents ?? fromRevision === undefined,
    initialEventsEnd: sendInitialEvents === true,
    allowBookmarks: queryFlag(query, 'allowWatchBookmarks') === true,
    timeoutSeconds,
    kind: info.kind,
    apiVersion: apiVersionOf(info)
  }
  if (tableVersion !== false) {
    plan.table = (obj, full, withHeaders) => {
      const table = toTable(info.resource, [obj], { apiVersion: tableVersion, resourceVersion: String(obj.metadata.resourceVersion ?? ''), includeObject, fullObjects: [full] }) as Record<string, unknown>
      // On a watch, only the first Table carries the column definitions.
      if (!withHeaders) table.columnDefinitions = null
      return table
    }
  }
  return { plan }
}
