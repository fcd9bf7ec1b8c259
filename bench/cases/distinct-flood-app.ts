// One run of case 7 in a fresh process: a million warnings, each with its own message, spread over many objects.
// 'app' logs as fast as the application can; 'worker' waits whenever pino's thread stream asks for 'drain', so only
// the worker's own memory is seen, not a backlog of lines waiting for it in the application.
import { once } from 'node:events'
import { answer, readInput, runMain } from '../child.js'
import { podReference, rssMb, yieldToEventLoop } from '../harness.js'
import { startBenchLogger, type Destination } from '../logger.js'

export interface DistinctFloodInput {
  destination: Destination
  pace: 'app' | 'worker'
  warnings: number
  objects: number
  sampleEvery: number
  kubeconfig: string
  namespace: string
  options?: Record<string, unknown>
}

export interface DistinctFloodAnswer {
  /** RSS (MB) after every `sampleEvery` warnings, the first before any */
  rssSamples: number[]
  /** at the same moments, the main thread's own memory: its JS heap plus buffers (where a backlog for the worker waits) */
  mainThreadSamples: number[]
  /** RSS after logger.flush() answered */
  rssFlushedMb: number
  /** epoch ms of the first warning */
  startedAt: number
  loggedMs: number
  flushedMs: number
  /** ms until the transport had closed: its last requests go out while it closes */
  closedMs: number
  posted?: number
  patched?: number
  retried?: number
  dropped?: Record<string, number>
}

function mainThreadMb (): number {
  const usage = process.memoryUsage()
  return (usage.heapUsed + usage.external) / 1048576
}

runMain(async () => {
  const input = readInput<DistinctFloodInput>()
  const bench = await startBenchLogger(input.destination, { component: 'bench-distinct', kubeconfig: input.kubeconfig, ...input.options })
  const bound = Array.from({ length: input.objects }, (_, i) => bench.logger.child({ k8sObject: podReference(`distinct-${i}`, input.namespace) }))
  const stream = bench.stream
  // Waiting for 'drain' waits on Atomics.waitAsync, which does not keep a process alive, and pino unrefs its worker.
  const keepAlive = setInterval(() => {}, 1000)
  const rssSamples = [rssMb()]
  const mainThreadSamples = [mainThreadMb()]
  const startedAt = Date.now()
  const started = performance.now()
  for (let i = 0; i < input.warnings; i++) {
    bound[i % bound.length].warn({ reason: 'ReconcileFailed' }, `reconcile failed: resource version ${i} is stale`)
    if (i % 1000 === 999) {
      await yieldToEventLoop()
      if (input.pace === 'worker' && stream?.writableNeedDrain === true) await once(stream, 'drain')
    }
    if ((i + 1) % input.sampleEvery === 0) {
      rssSamples.push(rssMb())
      mainThreadSamples.push(mainThreadMb())
    }
  }
  const loggedMs = performance.now() - started
  await bench.flush()
  const flushedMs = performance.now() - started
  const rssFlushedMb = rssMb()
  await bench.close()
  const closedMs = performance.now() - started
  clearInterval(keepAlive)
  const stats = bench.stats()
  const result: DistinctFloodAnswer = {
    rssSamples, mainThreadSamples, rssFlushedMb, startedAt, loggedMs, flushedMs, closedMs, posted: stats?.posted, patched: stats?.patched, retried: stats?.retried, dropped: stats?.dropped
  }
  answer(result)
})
