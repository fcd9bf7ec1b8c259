// Case 3: start-up time and memory of the worker, next to a bare worker and one that loads @kubernetes/client-node.
import { runChild } from '../child.js'
import { atMost, benchFile, emitResult, fixed, median, progress, sized } from '../harness.js'
import { DESTINATIONS, type Destination } from '../logger.js'
import { openTarget } from '../target.js'
import type { StartupAnswer, StartupInput } from './startup-app.js'

const REPETITIONS = sized(7, 1)
const BAR_READY_MS = 100
const BAR_ADDED_MB = 20

async function main (): Promise<void> {
  const target = await openTarget({ namespace: 'bench-startup' })
  const destinations: Destination[] = ['transport', 'discarding-worker', 'client-node-worker']
  const runs: Record<string, StartupAnswer[]> = { transport: [], 'discarding-worker': [], 'client-node-worker': [] }
  try {
    for (let rep = 0; rep < REPETITIONS; rep++) {
      const order = destinations.map((_, i) => destinations[(i + rep) % destinations.length])
      for (const destination of order) {
        const input: StartupInput = { destination, kubeconfig: target.kubeconfig, namespace: target.namespace }
        const result = await runChild<StartupAnswer>(benchFile('cases/startup-app.js'), input, { nodeFlags: ['--expose-gc'] })
        runs[destination].push(result)
        progress(`repetition ${rep + 1}/${REPETITIONS} ${DESTINATIONS[destination]}: ready in ${fixed(result.readyMs, 0)} ms, ` +
          `+${fixed(result.addedAtReadyMb)} MB at ready, +${fixed(result.addedAfterFirstLineMb)} MB after a first line`)
      }
    }
  } finally {
    await target.close()
  }
  const ready = (destination: Destination): number => median(runs[destination].map(run => run.readyMs))
  const added = (destination: Destination): number => median(runs[destination].map(run => run.addedAtReadyMb))
  const afterFirst = (destination: Destination): number => median(runs[destination].map(run => run.addedAfterFirstLineMb))

  emitResult({
    id: 3,
    title: 'Start-up and footprint',
    target: target.description,
    rows: [
      {
        measure: `time from pino.transport() to 'ready', pino-k8s-events, median of ${REPETITIONS} fresh processes (ms)`,
        value: fixed(ready('transport'), 0),
        bar: `≤ ${BAR_READY_MS} ms`,
        met: atMost(ready('transport'), BAR_READY_MS),
        context: `bare worker ${fixed(ready('discarding-worker'), 0)} ms (+${fixed(ready('transport') - ready('discarding-worker'), 0)} ms for pino-k8s-events); ` +
          `worker with @kubernetes/client-node ${fixed(ready('client-node-worker'), 0)} ms`
      },
      {
        measure: 'RSS added by starting the pino-k8s-events worker (MB, median)',
        value: fixed(added('transport'), 1),
        bar: `≤ ${BAR_ADDED_MB} MB`,
        met: atMost(added('transport'), BAR_ADDED_MB),
        context: `bare worker +${fixed(added('discarding-worker'))} MB (pino-k8s-events adds ${fixed(added('transport') - added('discarding-worker'))} MB over it); ` +
          `worker with @kubernetes/client-node +${fixed(added('client-node-worker'))} MB`
      },
      {
        measure: 'RSS added once a first bound line has become an Event (MB, median)',
        value: fixed(afterFirst('transport'), 1),
        context: `bare worker +${fixed(afterFirst('discarding-worker'))} MB, worker with @kubernetes/client-node +${fixed(afterFirst('client-node-worker'))} MB (neither posts)`
      }
    ],
    notes: [
      'RSS is the whole process (the worker thread included), measured 300 ms after each step, after a main-thread GC; ' +
      'the baseline is the same process with pino loaded and no worker yet.'
    ]
  })
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`)
  process.exitCode = 1
})
