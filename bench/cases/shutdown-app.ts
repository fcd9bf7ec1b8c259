// One run of case 8 in a fresh process: `events` distinct warnings logged through the transport, then
// process.exit(0) at once, as an operator that stops right after a burst of work. pino ends the transport inside
// process.exit, so the pending Events are written while this process exits; the parent times it until the end.
import { readInput, runMain } from '../child.js'
import { podReference } from '../harness.js'
import { startBenchLogger } from '../logger.js'

export interface ShutdownInput {
  kubeconfig: string
  namespace: string
  events: number
  objects: number
  /** names the run's objects, so every run's Events are new to the server */
  prefix: string
}

/** printed on stdout just before the first warning is logged */
export interface ShutdownStart { startedAt: number }

runMain(async () => {
  const input = readInput<ShutdownInput>()
  const bench = await startBenchLogger('transport', { component: 'bench-shutdown', kubeconfig: input.kubeconfig })
  const loggers = Array.from({ length: input.objects }, (_, i) => bench.logger.child({ k8sObject: podReference(`${input.prefix}${i}`, input.namespace) }))
  const start: ShutdownStart = { startedAt: Date.now() }
  process.stdout.write(`${JSON.stringify(start)}\n`)
  for (let i = 0; i < input.events; i++) loggers[i % loggers.length].warn({ reason: `Step${i}` }, `step ${i} failed`)
  process.exit(0)
})
