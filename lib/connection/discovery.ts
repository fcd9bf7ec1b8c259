// Which kinds live in a namespace, as the API server's discovery tells (GET /api/v1, /apis/<group>/<version>):
// one request per group/version, its answer kept; asking never waits, the answer comes to a callback.
import type { ApiClient } from '../types.js'
import type { Scope } from '../shape/scopes.js'
import { systemClock } from '../clock.js'

const MAX_GROUP_VERSIONS = 256
/** a group/version whose discovery failed is asked again after this */
const RETRY_FAILED_MS = 5 * 60_000
const DISCOVERY_TIMEOUT_MS = 10_000

type Entry =
  | { state: 'known', scopes: Map<string, Scope> }
  | { state: 'asking', waiters: Array<() => void> }
  | { state: 'failed', at: number }

export interface ScopeDiscovery {
  /**
   * The kind's scope when discovery has told it; otherwise undefined, and `later` is called once the answer for
   * its group/version is in (never for a group/version that is known already).
   */
  scopeOf (apiVersion: string, kind: string, later: () => void): Scope | undefined
}

function discoveryPath (apiVersion: string): string | undefined {
  const parts = apiVersion.split('/')
  if (parts.length === 1 && parts[0] !== '') return `/api/${encodeURIComponent(parts[0])}`
  if (parts.length === 2 && parts[0] !== '' && parts[1] !== '') return `/apis/${encodeURIComponent(parts[0])}/${encodeURIComponent(parts[1])}`
  return undefined
}

/** APIResourceList → kind → scope; subresources (`pods/status`) share their kind and are skipped */
function scopesOf (body: any): Map<string, Scope> {
  const scopes = new Map<string, Scope>()
  const resources: unknown = body?.resources
  if (!Array.isArray(resources)) return scopes
  for (const resource of resources) {
    if (typeof resource?.name !== 'string' || resource.name.includes('/')) continue
    if (typeof resource.kind !== 'string' || typeof resource.namespaced !== 'boolean') continue
    scopes.set(resource.kind, resource.namespaced ? 'namespaced' : 'cluster')
  }
  return scopes
}

/** `now`: monotonic ms (lib/clock.ts), for asking again after a failure */
export function createScopeDiscovery (client: ApiClient, now: () => number = systemClock.monotonic): ScopeDiscovery {
  const entries = new Map<string, Entry>()

  function ask (apiVersion: string, path: string, later: () => void): void {
    if (entries.size >= MAX_GROUP_VERSIONS) entries.delete(entries.keys().next().value as string)
    const waiters = [later]
    entries.set(apiVersion, { state: 'asking', waiters })
    const settle = (entry: Entry): void => {
      entries.set(apiVersion, entry)
      for (const waiter of waiters) {
        try { waiter() } catch {}
      }
    }
    client.request({ method: 'GET', path, timeoutMs: DISCOVERY_TIMEOUT_MS })
      .then(result => {
        if (result.kind === 'response' && result.status === 200) settle({ state: 'known', scopes: scopesOf(result.body) })
        // 404: the server serves no such group/version; nothing will change that soon.
        else if (result.kind === 'response' && result.status === 404) settle({ state: 'known', scopes: new Map() })
        else settle({ state: 'failed', at: now() })
      }, () => { settle({ state: 'failed', at: now() }) })
      .catch(() => {})
  }

  return {
    scopeOf (apiVersion, kind, later) {
      const entry = entries.get(apiVersion)
      if (entry?.state === 'known') return entry.scopes.get(kind)
      if (entry?.state === 'asking') {
        if (entry.waiters.length < 1000) entry.waiters.push(later)
        return undefined
      }
      if (entry?.state === 'failed' && now() - entry.at < RETRY_FAILED_MS) return undefined
      const path = discoveryPath(apiVersion)
      if (path !== undefined) ask(apiVersion, path, later)
      return undefined
    }
  }
}
