// Case 1: what the transport costs the application's main thread, next to a worker that discards every line.
import { runChild } from '../child.js'
import { benchFile, count, emitResult, fixed, MAIN_THREAD_CPU_SOURCE, median, pairedRatios, progress, ratio, sized, spreadWords, type PairedBar } from '../harness.js'
import { DESTINATIONS, type Destination } from '../logger.js'
import { openTarget } from '../target.js'
import type { MainThreadAnswer, MainThreadInput } from './main-thread-app.js'

const CALLS = sized(1_000_000, 10_000)
const REPETITIONS = sized(7, 1)
/** pairs a run too noisy to judge may grow to */
const MAX_REPETITIONS = sized(15, 1)
const OBJECTS = 20
const BAR: PairedBar = { limit: 1.05, direction: 'atMost' }

async function main (): Promise<void> {
  const target = await openTarget({ namespace: 'bench-main-thread' })
  const destinations: Destination[] = ['transport', 'discarding-worker', 'dev-null']
  const runs: Record<string, MainThreadAnswer[]> = { transport: [], 'discarding-worker': [], 'dev-null': [] }
  let verdict
  try {
    ({ verdict } = await pairedRatios(REPETITIONS, MAX_REPETITIONS, BAR, async rep => {
      // Each repetition starts with another destination, so that no destination always runs first or last.
      const order = destinations.map((_, i) => destinations[(i + rep) % destinations.length])
      for (const destination of order) {
        const input: MainThreadInput = {
          destination, calls: CALLS, warmupCalls: Math.round(CALLS / 10), objects: OBJECTS, kubeconfig: target.kubeconfig, namespace: target.namespace
        }
        const result = await runChild<MainThreadAnswer>(benchFile('cases/main-thread-app.js'), input)
        runs[destination].push(result)
        progress(`repetition ${rep + 1} ${DESTINATIONS[destination]}: ${fixed(result.cpuMs, 0)} ms main-thread CPU, ${fixed(result.loopMs, 0)} ms loop`)
      }
      return runs.transport[rep].cpuMs / runs['discarding-worker'][rep].cpuMs
    }))
  } finally {
    await target.close()
  }

  const paired = (other: Destination): number[] => runs.transport.map((run, i) => run.cpuMs / runs[other][i].cpuMs)
  const versusDevNull = median(paired('dev-null'))
  const cpu = (destination: Destination): number => median(runs[destination].map(run => run.cpuMs))
  const loop = (destination: Destination): number => median(runs[destination].map(run => run.loopMs))
  const rssGrowth = (destination: Destination): number => median(runs[destination].map(run => run.rssAfterMb - run.rssBeforeMb))
  const errors = runs.transport.reduce((sum, run) => sum + run.errors, 0)
  const last = runs.transport[runs.transport.length - 1]

  emitResult({
    id: 1,
    title: 'Main-thread cost',
    target: target.description,
    rows: [
      {
        measure: `main-thread CPU for ${count(CALLS)} log calls (10 % bound to one of ${OBJECTS} objects), pino-k8s-events ÷ discarding worker, median of ${runs.transport.length} paired runs`,
        value: ratio(verdict.median, 3),
        bar: `≤ ${ratio(BAR.limit)}`,
        met: verdict.met,
        noisy: verdict.noisy,
        context: `paired ratios ${fixed(Math.min(...paired('discarding-worker')), 3)}–${fixed(Math.max(...paired('discarding-worker')), 3)}, ${spreadWords(verdict, BAR)}; ` +
          `median CPU: pino-k8s-events ${fixed(cpu('transport'), 0)} ms, discarding worker ${fixed(cpu('discarding-worker'), 0)} ms; ` +
          `${fixed(cpu('transport') * 1000 / CALLS, 2)} µs per call`
      },
      {
        measure: 'the same, pino-k8s-events ÷ pino writing to /dev/null (no worker)',
        value: ratio(versusDevNull, 3),
        context: `median CPU /dev/null ${fixed(cpu('dev-null'), 0)} ms; loop wall time: pino-k8s-events ${fixed(loop('transport'), 0)} ms, ` +
          `discarding ${fixed(loop('discarding-worker'), 0)} ms, /dev/null ${fixed(loop('dev-null'), 0)} ms`
      },
      {
        measure: 'application RSS growth during the calls, pino-k8s-events − discarding worker (MB)',
        value: fixed(rssGrowth('transport') - rssGrowth('discarding-worker'), 1),
        context: `median growth: pino-k8s-events ${fixed(rssGrowth('transport'), 1)} MB, discarding ${fixed(rssGrowth('discarding-worker'), 1)} MB; ` +
          `writes in the last run: ${last?.posted ?? '?'} created, ${last?.patched ?? '?'} patched (Event names are deterministic, so later runs continue the first run's Events); stream errors: ${errors}`
      }
    ],
    notes: [
      `Each run is a fresh process: ${count(Math.round(CALLS / 10))} warm-up calls, then ${count(CALLS)} measured calls, ` +
        'yielding to the event loop every 1,000 calls; CPU is counted until logger.flush() answers. ' + MAIN_THREAD_CPU_SOURCE + '.'
    ]
  })
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`)
  process.exitCode = 1
})
