// Where a case's events go: the project's local API server, run in a process of its own, or a real cluster named by
// BENCH_CLUSTER_KUBECONFIG (run.js sets it from KUBECONFIG when one case is asked for with --case).
import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { delimiter } from 'node:path'
import { benchFile } from './harness.js'

export interface StoredEvent {
  name: string
  /** involvedObject.name */
  object: string
  count: number
  message: string
  type: string
}

export interface EventRequest {
  method: string
  /** epoch ms when the request reached the server */
  time: number
  status: number
  /** involvedObject.name of a POST's body */
  object?: string
}

export type ServerQuery =
  | { kind: 'createNamespace', name: string }
  | { kind: 'clearRequests' }
  | { kind: 'eventRequests' }
  | { kind: 'events', namespace: string }
  /** a priority level with a seat limit that rejects, or none; answers the rejections since the last one was set */
  | { kind: 'priorityLevel', seats?: number, serviceMs?: number }
  | { kind: 'close' }

export interface Target {
  readonly local: boolean
  /** one line for the report: which server, TLS or not, which process */
  readonly description: string
  /** a path to give the transport's `kubeconfig` option */
  readonly kubeconfig: string
  /** where the case's events are stored; made for the run */
  readonly namespace: string
  /** requests about events since the last clear; undefined when only the transport's own counters can tell */
  eventRequests (): Promise<EventRequest[] | undefined>
  clearRequests (): Promise<void>
  events (): Promise<StoredEvent[]>
  /**
   * The local server only: API Priority and Fairness as a priority level of `seats` that rejects the rest (none when
   * undefined); resolves with how many requests the previous level rejected.
   */
  priorityLevel?: (level: { seats: number, serviceMs: number } | undefined) => Promise<number>
  close (): Promise<void>
}

export const CLUSTER_KUBECONFIG_ENV = 'BENCH_CLUSTER_KUBECONFIG'

export async function openTarget (opts: { namespace: string, tls?: boolean }): Promise<Target> {
  const clusterKubeconfig = process.env[CLUSTER_KUBECONFIG_ENV]
  if (clusterKubeconfig !== undefined && clusterKubeconfig !== '') return await openCluster(clusterKubeconfig)
  return await openLocal(opts.namespace, opts.tls ?? true)
}

async function openLocal (namespace: string, tls: boolean): Promise<Target> {
  const child: ChildProcess = fork(benchFile('server-process.js'), [], {
    env: { ...process.env, BENCH_TLS: String(tls) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc']
  })
  const [first] = await once(child, 'message') as [{ ready?: { url: string, kubeconfig: string } }]
  if (first.ready === undefined) throw new Error('the local API server did not start')
  const { url, kubeconfig } = first.ready

  let nextId = 0
  const waiting = new Map<number, { resolve: (value: any) => void, reject: (err: Error) => void }>()
  child.on('message', (message: { id?: number, result?: unknown, error?: string }) => {
    if (message.id === undefined) return
    const entry = waiting.get(message.id)
    waiting.delete(message.id)
    if (message.error !== undefined) entry?.reject(new Error(message.error))
    else entry?.resolve(message.result)
  })
  const ask = async <T>(query: ServerQuery): Promise<T> => await new Promise<T>((resolve, reject) => {
    const id = ++nextId
    waiting.set(id, { resolve, reject })
    child.send({ id, query })
  })

  await ask({ kind: 'createNamespace', name: namespace })
  return {
    local: true,
    description: `local API server ${url} (${tls ? 'TLS' : 'plain HTTP'}, in a process of its own on this machine)`,
    kubeconfig,
    namespace,
    eventRequests: async () => await ask<EventRequest[]>({ kind: 'eventRequests' }),
    clearRequests: async () => { await ask({ kind: 'clearRequests' }) },
    events: async () => await ask<StoredEvent[]>({ kind: 'events', namespace }),
    priorityLevel: async level => await ask<number>({ kind: 'priorityLevel', ...level }),
    close: async () => {
      const exited = once(child, 'exit')
      await ask({ kind: 'close' }).catch(() => {})
      await exited
    }
  }
}

async function openCluster (kubeconfig: string): Promise<Target> {
  const k8s = await import('@kubernetes/client-node')
  const kc = new k8s.KubeConfig()
  // KUBECONFIG may list several files; the first names the cluster.
  kc.loadFromFile(kubeconfig.split(delimiter)[0])
  const core = kc.makeApiClient(k8s.CoreV1Api)
  // A namespace of the run's own, deleted afterwards: its events go with it.
  const namespace = `pino-k8s-events-bench-${Date.now().toString(36)}`
  await core.createNamespace({ body: { metadata: { name: namespace } } })
  return {
    local: false,
    description: `cluster ${kc.getCurrentCluster()?.server ?? '?'} (context ${kc.getCurrentContext()}), namespace ${namespace}`,
    kubeconfig,
    namespace,
    eventRequests: async () => undefined,
    clearRequests: async () => {},
    events: async () => {
      const found: StoredEvent[] = []
      let next: string | undefined
      do {
        const page = await core.listNamespacedEvent({ namespace, limit: 500, _continue: next })
        for (const event of page.items) {
          found.push({
            name: event.metadata?.name ?? '',
            object: event.involvedObject?.name ?? '',
            count: event.count ?? event.series?.count ?? 1,
            message: event.message ?? '',
            type: event.type ?? ''
          })
        }
        next = page.metadata?._continue
      } while (next !== undefined && next !== '')
      return found
    },
    close: async () => {
      await core.deleteNamespace({ name: namespace }).catch(() => {})
    }
  }
}
