// One run of case 5 in a fresh process: one warning about each of many objects, either the way applications post
// Events today (awaiting @kubernetes/client-node on the main thread, one after the other) or through pino-k8s-events.
import { delimiter } from 'node:path'
import { answer, readInput, runMain } from '../child.js'
import { mainThreadCpuMs, podReference, sleep, yieldToEventLoop } from '../harness.js'
import { startBenchLogger } from '../logger.js'

export interface StormInput {
  way: 'naive' | 'transport'
  objects: number
  /** object names are `${prefix}-${i}` */
  prefix: string
  kubeconfig: string
  namespace: string
  /** transport options beside component and kubeconfig */
  options?: Record<string, unknown>
  /** watch delivery for this long instead of waiting for logger.flush() */
  observeMs?: number
}

export interface StormAnswer {
  /** epoch ms of the first log call or request */
  startedAt: number
  /** ms until the last call returned */
  callsMs: number
  /** ms until everything was delivered (flush answered, or the last request answered) or the observation ended */
  doneMs: number
  /** main-thread CPU over the same span */
  cpuMs: number
  failures: number
  posted?: number
  dropped?: Record<string, number>
}

const REASON = 'FailedScheduling'
const MESSAGE = '0/3 nodes are available: 3 Insufficient memory.'

async function naive (input: StormInput): Promise<StormAnswer> {
  const { CoreV1Api, KubeConfig } = await import('@kubernetes/client-node')
  const kubeConfig = new KubeConfig()
  // KUBECONFIG may list several files; the first names the cluster.
  kubeConfig.loadFromFile(input.kubeconfig.split(delimiter)[0])
  const api = kubeConfig.makeApiClient(CoreV1Api)
  let failures = 0
  const startedAt = Date.now()
  const cpuBefore = mainThreadCpuMs()
  const started = performance.now()
  for (let i = 0; i < input.objects; i++) {
    const reference = podReference(`${input.prefix}-${i}`, input.namespace)
    const now = new Date()
    try {
      await api.createNamespacedEvent({
        namespace: input.namespace,
        body: {
          metadata: { generateName: `${reference.name}.` },
          involvedObject: reference,
          reason: REASON,
          message: MESSAGE,
          type: 'Warning',
          count: 1,
          firstTimestamp: now,
          lastTimestamp: now,
          source: { component: 'bench-storm' }
        }
      })
    } catch {
      failures++
    }
  }
  const callsMs = performance.now() - started
  return { startedAt, callsMs, doneMs: callsMs, cpuMs: mainThreadCpuMs() - cpuBefore, failures }
}

async function throughTransport (input: StormInput): Promise<StormAnswer> {
  const bench = await startBenchLogger('transport', { component: 'bench-storm', kubeconfig: input.kubeconfig, ...input.options })
  const startedAt = Date.now()
  const cpuBefore = mainThreadCpuMs()
  const started = performance.now()
  for (let i = 0; i < input.objects; i++) {
    bench.logger.child({ k8sObject: podReference(`${input.prefix}-${i}`, input.namespace) }).warn({ reason: REASON }, MESSAGE)
    if (i % 1000 === 999) await yieldToEventLoop()
  }
  const callsMs = performance.now() - started
  if (input.observeMs !== undefined) await sleep(Math.max(0, input.observeMs - (performance.now() - started)))
  else await bench.flush()
  const doneMs = performance.now() - started
  const cpuMs = mainThreadCpuMs() - cpuBefore
  await bench.close()
  const stats = bench.stats()
  return { startedAt, callsMs, doneMs, cpuMs, failures: bench.errors.length, posted: stats?.posted, dropped: stats?.dropped }
}

runMain(async () => {
  const input = readInput<StormInput>()
  answer(input.way === 'naive' ? await naive(input) : await throughTransport(input))
})
