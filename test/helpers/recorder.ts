// A recorder wired to the local API server over real HTTP, with the config, object and event shape the
// recorder tests start from, and what they read back: stderr lines, emitted notices, drops and stored Events.
import { startApiServer, type LocalApiServer } from '../apiserver/server.js'
import { createApiClient } from '../../lib/connection/index.js'
import { createDiagnostics } from '../../lib/diagnostics.js'
import { connectionsFor } from '../../lib/deliver/scheduler.js'
import { createRecorder, type Recorder } from '../../lib/recorder.js'
import type { ApiClient, Config, EventShape, EventsApi, ObjectReference } from '../../lib/types.js'
import type { Clock } from '../../lib/clock.js'

export const pod: ObjectReference = { apiVersion: 'v1', kind: 'Pod', name: 'demo-pod', namespace: 'lab', uid: 'uid-demo' }

export interface TestConfigOverrides {
  api?: EventsApi
  instance?: string
  correlation?: Partial<Config['correlation']>
  delivery?: Partial<Config['delivery']>
}

export function testConfig (over: TestConfigOverrides = {}): Config {
  return {
    component: 'pino-k8s-events',
    instance: over.instance ?? 'devbox-1',
    objectKey: 'k8sObject',
    minLevel: 'info',
    eventTypes: { info: 'Normal', warn: 'Warning' },
    defaultReason: 'Logging',
    defaultAction: 'Log',
    clusterNamespace: 'default',
    api: over.api ?? 'v1',
    correlation: { cacheSize: 4096, aggregate: { maxEvents: 10, intervalSeconds: 600 }, rateLimit: { burst: 25, qps: 1 / 300 }, ...over.correlation },
    delivery: { qps: 1000, burst: 1000, queueSize: 1000, flushTimeoutMs: 5000, maxAttempts: 6, maxRetryAgeMs: 30_000, requestTimeoutMs: 5000, concurrency: 4, ...over.delivery }
  }
}

/** a Warning about `pod` (or the object `ref` changes it into), happening now */
export function shape (over: Partial<EventShape> = {}, ref: Partial<ObjectReference> = {}): EventShape {
  return { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container', action: 'Log', namespace: 'lab', time: Date.now(), ...over, regarding: { ...pod, ...ref } }
}

export interface RecorderOptions extends TestConfigOverrides {
  /** the kubeconfig user the local API server knows (default admin) */
  user?: string
  /** a kubeconfig file of the test's own, instead of one for `user` */
  kubeconfig?: string
  /** stands between the real client and the recorder, e.g. to lose an answer */
  wrap?: (client: ApiClient) => ApiClient
  /** the recorder's clocks, e.g. a wall clock that steps */
  clock?: Clock
}

export interface RecorderHarness {
  recorder: Recorder
  /** the stderr lines the recorder wrote */
  lines: string[]
  /** the notices it emitted towards the application */
  emitted: Array<{ name: string, payload: any }>
  /** how often it asked the client to read the credentials again */
  reloads: () => number
  /** how often it closed the client */
  closedClients: () => number
}

/** The client's request timeout follows `delivery.requestTimeoutMs`, as in the transport. */
export function makeRecorder (server: LocalApiServer, opts: RecorderOptions = {}): RecorderHarness {
  const lines: string[] = []
  const emitted: Array<{ name: string, payload: any }> = []
  const base = createDiagnostics('pino-k8s-events', line => lines.push(line))
  const diagnostics = { warn: base.warn, emit: (name: string, payload: unknown) => { emitted.push({ name, payload }) } }
  const config = testConfig(opts)
  const real = createApiClient({
    kubeconfig: opts.kubeconfig ?? server.kubeconfig({ user: opts.user }),
    requestTimeoutMs: config.delivery.requestTimeoutMs,
    maxSockets: connectionsFor(config.delivery.concurrency),
    diagnostics
  })
  const inner = opts.wrap?.(real) ?? real
  let reloads = 0
  let closed = 0
  const client: ApiClient = {
    server: inner.server,
    defaultNamespace: inner.defaultNamespace,
    request: async req => await inner.request(req),
    reloadCredentials () {
      reloads++
      inner.reloadCredentials()
    },
    close () {
      closed++
      inner.close()
    }
  }
  const recorder = createRecorder({ config, source: { component: config.component, instance: config.instance }, client, diagnostics, clock: opts.clock })
  return { recorder, lines, emitted, reloads: () => reloads, closedClients: () => closed }
}

/** the drop causes with a count above zero */
export function dropped (recorder: Recorder): Record<string, number> {
  return Object.fromEntries(Object.entries(recorder.stats().dropped).filter(([, count]) => count > 0))
}

/** a plain-HTTP local API server in which `namespaces` exist */
export async function startApiServerWith (namespaces: string[]): Promise<LocalApiServer> {
  const server = await startApiServer({ tls: false })
  for (const namespace of namespaces) await server.createNamespace(namespace)
  return server
}

/** a fresh start for the next test: no recorded requests, no faults */
export function resetApiServer (server: LocalApiServer): void {
  server.clearRequests()
  server.faults.clear()
}

export function eventsIn (server: LocalApiServer, namespace: string, reason: string): any[] {
  return server.listEvents(namespace).filter(event => event.reason === reason)
}

export const yieldToIo = async (): Promise<void> => await new Promise(resolve => setImmediate(resolve))
