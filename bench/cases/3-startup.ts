// Case 3: start-up time and memory of the worker, as ratios to a bare worker that discards lines (what pino's worker
// costs anyway), with one that loads @kubernetes/client-node beside them.
import { runChild } from '../child.js'
import { atMost, benchFile, emitResult, fixed, median, progress, ratio, sized } from '../harness.js'
import { DESTINATIONS, type Destination } from '../logger.js'
import { openTarget } from '../target.js'
import type { StartupAnswer, StartupInput } from './startup-app.js'

const REPETITIONS = sized(7, 1)
/** pino-k8s-events ÷ bare worker */
const BAR_READY_RATIO = 2
const BAR_ADDED_RATIO = 1.5

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
        measure: `time from pino.transport() to 'ready', pino-k8s-events ÷ bare worker, medians of ${REPETITIONS} fresh processes each`,
        value: ratio(ready('transport') / ready('discarding-worker')),
        bar: `≤ ${ratio(BAR_READY_RATIO)}`,
        met: atMost(ready('transport') / ready('discarding-worker'), BAR_READY_RATIO),
        context: `pino-k8s-events ${fixed(ready('transport'), 0)} ms, bare worker ${fixed(ready('discarding-worker'), 0)} ms; ` +
          `worker with @kubernetes/client-node ${fixed(ready('client-node-worker'), 0)} ms (${ratio(ready('client-node-worker') / ready('discarding-worker'))})`
      },
      {
        measure: 'RSS added by starting the worker, pino-k8s-events ÷ bare worker (medians)',
        value: ratio(added('transport') / added('discarding-worker')),
        bar: `≤ ${ratio(BAR_ADDED_RATIO)}`,
        met: atMost(added('transport') / added('discarding-worker'), BAR_ADDED_RATIO),
        context: `pino-k8s-events +${fixed(added('transport'))} MB, bare worker +${fixed(added('discarding-worker'))} MB; ` +
          `worker with @kubernetes/client-node +${fixed(added('client-node-worker'))} MB (${ratio(added('client-node-worker') / added('discarding-worker'))})`
      },
      {
        measure: 'RSS added once a first bound line has become an Event, pino-k8s-events ÷ bare worker (medians)',
        value: ratio(afterFirst('transport') / afterFirst('discarding-worker')),
        context: `pino-k8s-events +${fixed(afterFirst('transport'))} MB, bare worker +${fixed(afterFirst('discarding-worker'))} MB, ` +
          `worker with @kubernetes/client-node +${fixed(afterFirst('client-node-worker'))} MB (neither posts)`
      }
    ],
    notes: [
      'RSS is the whole process (the worker thread included), measured 300 ms after each step, after a main-thread GC; ' +
      'the baseline is the same process with pino loaded and no worker yet. The bare worker is case 2\'s discarding worker: ' +
      'pino\'s worker thread with pino-abstract-transport and nothing else, what any transport costs before it does anything.'
    ]
  })
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`)
  process.exitCode = 1
})
