// Case 2: how many lines per second the worker takes, with and without a binding, and whether the application's
// memory stays flat while lines arrive at the required rate.
import { runChild } from '../child.js'
import { atLeast, atMost, benchFile, count, emitResult, FLAT_RATIO, flatness, fixed, median, perSecond, progress, ratio, sized, type Row } from '../harness.js'
import type { Destination } from '../logger.js'
import { openTarget } from '../target.js'
import type { LineKind, ThroughputAnswer, ThroughputInput } from './throughput-app.js'

const REPETITIONS = sized(3, 1)
const MAX_LINES: Record<LineKind, number> = { plain: sized(2_000_000, 20_000), bound: sized(1_000_000, 10_000), mixed: sized(2_000_000, 20_000) }
/** the mix has no bar of its own: it tells whether the worker keeps up with case 1's application */
const BAR_RATE: Partial<Record<LineKind, number>> = { plain: 1_000_000, bound: 200_000 }
const PACED_SECONDS = sized(4, 0.05)
/** the heap grows to its working size in the first second; growth after it means a backlog */
const WARM_SECONDS = sized(1, 0)
const KIND_WORDS: Record<LineKind, string> = {
  plain: 'lines without a binding',
  bound: 'lines bound to one object (deduplicated into one Event)',
  mixed: 'case 1\'s mix (one line in ten bound to one of 20 objects)'
}

/** RSS samples once the heaps have reached their working size; a backlog makes them climb from there. */
function steady (run: ThroughputAnswer): ReturnType<typeof flatness> {
  const samples = run.rssSamples.filter(([at]) => at > WARM_SECONDS).map(([, rss]) => rss)
  return flatness(samples.length > 0 ? samples : [run.rssBeforeMb, run.rssAfterMb])
}

async function main (): Promise<void> {
  const target = await openTarget({ namespace: 'bench-throughput' })
  const measure = async (destination: Destination, kind: LineKind, mode: 'max' | 'paced'): Promise<ThroughputAnswer> => {
    const input: ThroughputInput = {
      destination,
      kind,
      mode,
      lines: mode === 'max' ? MAX_LINES[kind] : Math.round((BAR_RATE[kind] ?? 0) * PACED_SECONDS),
      rate: BAR_RATE[kind],
      kubeconfig: target.kubeconfig,
      namespace: target.namespace
    }
    const result = await runChild<ThroughputAnswer>(benchFile('cases/throughput-app.js'), input)
    progress(`${destination} ${kind} ${mode}: ${perSecond(result.linesPerSecond)}, RSS ${fixed(result.rssBeforeMb)} → ${fixed(result.rssAfterMb)} MB (max ${fixed(result.rssMaxMb)})`)
    return result
  }

  const rows: Row[] = []
  const notes: string[] = []
  try {
    for (const kind of ['plain', 'bound', 'mixed'] as LineKind[]) {
      const barRate = BAR_RATE[kind]
      const ours: ThroughputAnswer[] = []
      const discarding: ThroughputAnswer[] = []
      for (let rep = 0; rep < REPETITIONS; rep++) {
        discarding.push(await measure('discarding-worker', kind, 'max'))
        ours.push(await measure('transport', kind, 'max'))
      }
      const rate = median(ours.map(run => run.linesPerSecond))
      const baseline = median(discarding.map(run => run.linesPerSecond))
      rows.push({
        measure: `worker throughput, ${KIND_WORDS[kind]}, median of ${REPETITIONS}`,
        value: perSecond(rate),
        bar: barRate === undefined ? undefined : `≥ ${perSecond(barRate)}`,
        met: barRate === undefined ? undefined : atLeast(rate, barRate),
        context: `${count(ours[0].lines)} lines in ${fixed(median(ours.map(run => run.ms)), 0)} ms; discarding worker ${perSecond(baseline)} ` +
          `(pino-k8s-events ÷ discarding = ${ratio(rate / baseline)})`
      })
      if (barRate === undefined) continue

      const paced = await measure('transport', kind, 'paced')
      const pacedBaseline = await measure('discarding-worker', kind, 'paced')
      const flat = steady(paced)
      rows.push({
        measure: `application RSS while ${KIND_WORDS[kind]} arrive at ${perSecond(barRate)} for ${PACED_SECONDS} s: later half of the samples after ${WARM_SECONDS} s ÷ earlier half`,
        value: ratio(flat.ratio),
        bar: `flat (≤ ${ratio(FLAT_RATIO)})`,
        met: atMost(flat.ratio, FLAT_RATIO),
        context: `RSS ${fixed(paced.rssBeforeMb)} MB before, means ${fixed(flat.earlier)} → ${fixed(flat.later)} MB, ${fixed(paced.rssAfterMb)} MB at the end; ` +
          `backlog at the end: logger.flush() took ${fixed(paced.flushMs, 0)} ms; discarding worker at the same rate: ` +
          `means ${fixed(steady(pacedBaseline).earlier)} → ${fixed(steady(pacedBaseline).later)} MB (${ratio(steady(pacedBaseline).ratio)})`
      })
      if (kind === 'bound') {
        const observed = ours[ours.length - 1].eventsObserved
        notes.push(`The last bound run counted ${observed === undefined ? '?' : count(observed)} occurrences on its Event (warm-up lines included).`)
      }
    }
  } finally {
    await target.close()
  }
  notes.unshift(
    'Finished log lines are written straight into pino\'s thread stream in chunks of 500, waiting for \'drain\', so the ' +
    'worker is the bottleneck; the time runs from the first write until logger.flush() answers. ' +
    'The paced runs write like pino does, without waiting for \'drain\': a worker that falls behind shows as RSS that keeps ' +
    `climbing after the heaps have reached their working size in the first ${WARM_SECONDS} s (RSS sampled every 250 ms).`
  )
  emitResult({ id: 2, title: 'Worker throughput', target: target.description, rows, notes })
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`)
  process.exitCode = 1
})
