// One measurement of case 1 in a fresh process: an application makes log calls, one in ten through a child logger
// bound to a Kubernetes object, and the main thread's CPU time for them is taken.
import { answer, readInput, runMain } from '../child.js'
import { mainThreadCpuMs, podReference, rssMb, yieldToEventLoop } from '../harness.js'
import { startBenchLogger, type Destination } from '../logger.js'

export interface MainThreadInput {
  destination: Destination
  calls: number
  warmupCalls: number
  objects: number
  kubeconfig: string
  namespace: string
}

export interface MainThreadAnswer {
  /** main-thread CPU from the first call until logger.flush() answered */
  cpuMs: number
  /** wall time of the calls, event-loop turns included */
  loopMs: number
  rssBeforeMb: number
  rssAfterMb: number
  errors: number
  posted?: number
  patched?: number
}

// An application yields to its event loop now and then; pino's thread stream moves lines to the worker then.
const CALLS_PER_TURN = 1000

runMain(async () => {
  const input = readInput<MainThreadInput>()
  const bench = await startBenchLogger(input.destination, { component: 'bench-main-thread', kubeconfig: input.kubeconfig })
  const { logger } = bench
  const bound = Array.from({ length: input.objects }, (_, i) => logger.child({ k8sObject: podReference(`web-${i}`, input.namespace) }))

  async function logCalls (calls: number): Promise<void> {
    for (let i = 0; i < calls; i++) {
      if (i % 10 === 0) bound[(i / 10) % bound.length].info({ reason: 'Reconciled', generation: i }, 'reconciled')
      else logger.info({ reqId: i, route: '/api/items' }, 'request handled')
      if (i % CALLS_PER_TURN === CALLS_PER_TURN - 1) await yieldToEventLoop()
    }
  }

  // The same warm-up for every destination, so that none is measured while pino's own code is still cold.
  await logCalls(input.warmupCalls)
  await bench.flush()

  const rssBeforeMb = rssMb()
  const cpuBefore = mainThreadCpuMs()
  const started = performance.now()
  await logCalls(input.calls)
  const loopMs = performance.now() - started
  await bench.flush()
  const cpuMs = mainThreadCpuMs() - cpuBefore
  const rssAfterMb = rssMb()
  await bench.close()
  const stats = bench.stats()
  const result: MainThreadAnswer = {
    cpuMs,
    loopMs,
    rssBeforeMb,
    rssAfterMb,
    errors: bench.errors.length,
    posted: stats?.posted,
    patched: stats?.patched
  }
  answer(result)
})
