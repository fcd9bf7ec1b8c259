// One run of case 10 in a fresh process: after one warm-up Event, `events` distinct warnings, then logger.flush(),
// timed from the first of them until the flush answered; the transport then closes.
import { answer, readInput, runMain } from '../child.js'
import { podReference } from '../harness.js'
import { startBenchLogger } from '../logger.js'

export interface OverloadInput {
  kubeconfig: string
  namespace: string
  events: number
  /** names the run's objects, so every run's Events are new to the server */
  prefix: string
  options: Record<string, unknown>
}

export interface OverloadAnswer {
  /** from the first warning until logger.flush() answered */
  ms: number
  posted?: number
  retried?: number
  dropped?: Record<string, number>
}

runMain(async () => {
  const input = readInput<OverloadInput>()
  const bench = await startBenchLogger('transport', { component: 'bench-overload', kubeconfig: input.kubeconfig, ...input.options })
  const loggers = Array.from({ length: input.events }, (_, i) => bench.logger.child({ k8sObject: podReference(`${input.prefix}${i}`, input.namespace) }))
  // One Event first, so that loading the connection code and the first TLS handshake are not timed.
  bench.logger.child({ k8sObject: podReference(`${input.prefix}warm-up`, input.namespace) }).warn({ reason: 'WarmUp' }, 'before the timed warnings')
  await bench.flush()
  const started = performance.now()
  for (const logger of loggers) logger.warn({ reason: 'Overloaded' }, 'a warning of its own')
  await bench.flush()
  const ms = performance.now() - started
  await bench.close()
  const stats = bench.stats()
  const result: OverloadAnswer = { ms, posted: stats?.posted, retried: stats?.retried, dropped: stats?.dropped }
  answer(result)
})
