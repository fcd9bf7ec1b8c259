// One measurement of case 9 in a fresh process: an application logs with winston, one call in ten through a child
// logger bound to a Kubernetes object, and the main thread's CPU time for the calls is taken.
import winston from 'winston'
import { answer, readInput, runMain } from '../child.js'
import { mainThreadCpuMs, podReference, yieldToEventLoop } from '../harness.js'
import { K8sEventsTransport } from '../../lib/winston/index.js'
import { DiscardTransport } from '../transports/winston-discard.js'

export type WinstonDestination = 'transport' | 'discarding'

export interface WinstonMainThreadInput {
  destination: WinstonDestination
  calls: number
  warmupCalls: number
  objects: number
  kubeconfig: string
  namespace: string
}

export interface WinstonMainThreadAnswer {
  /** main-thread CPU from the first call until the transport's flush answered */
  cpuMs: number
  /** lines the transport dropped on the application's side */
  dropped: number
  posted?: number
}

const CALLS_PER_TURN = 1000

runMain(async () => {
  const input = readInput<WinstonMainThreadInput>()
  let latest: any
  const transport = input.destination === 'transport'
    ? new K8sEventsTransport({ component: 'bench-winston', kubeconfig: input.kubeconfig })
    : new DiscardTransport()
  transport.on('k8sEventsStats', (stats: unknown) => { latest = stats })
  const logger = winston.createLogger({ level: 'info', format: winston.format.json(), transports: [transport] })
  const bound = Array.from({ length: input.objects }, (_, i) => logger.child({ k8sObject: podReference(`web-${i}`, input.namespace) }))
  const flush = async (): Promise<void> => { if (transport instanceof K8sEventsTransport) await transport.flush() }

  async function logCalls (calls: number): Promise<void> {
    for (let i = 0; i < calls; i++) {
      if (i % 10 === 0) bound[(i / 10) % bound.length].info('reconciled', { reason: 'Reconciled', generation: i })
      else logger.info('request handled', { reqId: i, route: '/api/items' })
      if (i % CALLS_PER_TURN === CALLS_PER_TURN - 1) await yieldToEventLoop()
    }
  }

  await logCalls(input.warmupCalls)
  await flush()
  const cpuBefore = mainThreadCpuMs()
  await logCalls(input.calls)
  await flush()
  const cpuMs = mainThreadCpuMs() - cpuBefore
  await new Promise(resolve => logger.on('finish', resolve).end())
  answer({ cpuMs, dropped: (latest?.dropped?.['worker-behind'] ?? 0) + (latest?.dropped?.['queue-full'] ?? 0), posted: latest?.posted } satisfies WinstonMainThreadAnswer)
})
