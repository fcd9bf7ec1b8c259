// Case 9: what the winston transport costs the application's main thread, next to a winston transport that
// discards every line (same logger, format and lines).
import { runChild } from '../child.js'
import { benchFile, count, emitResult, fixed, MAIN_THREAD_CPU_SOURCE, median, pairedRatios, progress, ratio, sized, spreadWords, type PairedBar } from '../harness.js'
import { openTarget } from '../target.js'
import type { WinstonDestination, WinstonMainThreadAnswer, WinstonMainThreadInput } from './winston-main-thread-app.js'

const CALLS = sized(300_000, 5_000)
const REPETITIONS = sized(11, 1)
/** pairs a run too noisy to judge may grow to */
const MAX_REPETITIONS = sized(21, 1)
const OBJECTS = 20
const BAR: PairedBar = { limit: 1.05, direction: 'atMost' }
// The steady state an operator runs in: the transport's worker starts, compiles its code and connects during the
// warm-up, work the discarding transport never does; as many warm-up calls as measured ones leave that behind.
const WARMUP_CALLS = CALLS

async function main (): Promise<void> {
  const target = await openTarget({ namespace: 'bench-winston' })
  const destinations: WinstonDestination[] = ['transport', 'discarding']
  const runs: Record<WinstonDestination, WinstonMainThreadAnswer[]> = { transport: [], discarding: [] }
  let verdict
  try {
    ({ verdict } = await pairedRatios(REPETITIONS, MAX_REPETITIONS, BAR, async rep => {
      const order = rep % 2 === 0 ? destinations : [...destinations].reverse()
      for (const destination of order) {
        const input: WinstonMainThreadInput = {
          destination, calls: CALLS, warmupCalls: WARMUP_CALLS, objects: OBJECTS, kubeconfig: target.kubeconfig, namespace: target.namespace
        }
        const result = await runChild<WinstonMainThreadAnswer>(benchFile('cases/winston-main-thread-app.js'), input)
        runs[destination].push(result)
        progress(`repetition ${rep + 1} ${destination}: ${fixed(result.cpuMs, 0)} ms main-thread CPU`)
      }
      return runs.transport[rep].cpuMs / runs.discarding[rep].cpuMs
    }))
  } finally {
    await target.close()
  }

  const paired = runs.transport.map((run, i) => run.cpuMs / runs.discarding[i].cpuMs)
  const cpu = (destination: WinstonDestination): number => median(runs[destination].map(run => run.cpuMs))
  const dropped = runs.transport.reduce((sum, run) => sum + run.dropped, 0)

  emitResult({
    id: 9,
    title: 'winston main-thread cost',
    target: target.description,
    rows: [
      {
        measure: `main-thread CPU for ${count(CALLS)} winston calls (format.json(), 10 % bound to one of ${OBJECTS} objects), K8sEventsTransport ÷ a transport that discards lines, median of ${paired.length} paired runs`,
        value: ratio(verdict.median, 3),
        bar: `≤ ${ratio(BAR.limit)}`,
        met: verdict.met,
        noisy: verdict.noisy,
        context: `paired ratios ${fixed(Math.min(...paired), 3)}–${fixed(Math.max(...paired), 3)}, ${spreadWords(verdict, BAR)}; median CPU: K8sEventsTransport ${fixed(cpu('transport'), 0)} ms ` +
          `(${fixed(cpu('transport') * 1000 / CALLS, 2)} µs per call), discarding ${fixed(cpu('discarding'), 0)} ms (${fixed(cpu('discarding') * 1000 / CALLS, 2)} µs per call); ` +
          `lines dropped in the application: ${count(dropped)}`
      }
    ],
    notes: [
      `Each run is a fresh process: ${count(WARMUP_CALLS)} warm-up calls (the worker thread starts, compiles and connects meanwhile), then ${count(CALLS)} measured calls, yielding to the event loop every 1,000 calls; ` +
        'CPU is counted until the transport\'s flush() answers (the worker has handled every line). ' + MAIN_THREAD_CPU_SOURCE + '.'
    ]
  })
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`)
  process.exitCode = 1
})
