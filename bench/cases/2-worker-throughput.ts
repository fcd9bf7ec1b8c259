// Case 2: how many lines per second the worker takes, with and without a binding, against a worker that discards
// them (pino's own pipe, the limit of any transport) fed the same lines in the same run; and whether the
// application's memory stays flat while lines arrive at half the discarding worker's rate.
import { runChild } from '../child.js'
import { atMost, benchFile, count, emitResult, FLAT_RATIO, flatness, fixed, median, pairedRatios, perSecond, progress, ratio, sized, spreadWords, type PairedBar, type Row } from '../harness.js'
import type { Destination } from '../logger.js'
import { openTarget } from '../target.js'
import type { LineKind, ThroughputAnswer, ThroughputInput } from './throughput-app.js'

const REPETITIONS = sized(5, 1)
/** pairs a run too noisy to judge may grow to */
const MAX_REPETITIONS = sized(11, 1)
const MAX_LINES: Record<LineKind, number> = { plain: sized(2_000_000, 20_000), bound: sized(1_000_000, 10_000), mixed: sized(2_000_000, 20_000), spread: sized(1_000_000, 10_000) }
/**
 * pino-k8s-events ÷ discarding worker, on every mix: a worker slower than pino's own pipe leaves lines waiting in the
 * application's memory, and case 1's application pays for them (buffer growth, GC)
 */
const BAR: PairedBar = { limit: 0.95, direction: 'atLeast' }
const KINDS: LineKind[] = ['plain', 'bound', 'mixed', 'spread']
/** the kinds whose application memory is watched while lines arrive at a fixed rate */
const PACED_KINDS: LineKind[] = ['plain', 'bound']
/** the paced runs: this share of the discarding worker's rate, measured just before */
const PACED_SHARE = 0.5
const PACED_SECONDS = sized(4, 0.05)
/** the heap grows to its working size in the first second; growth after it means a backlog */
const WARM_SECONDS = sized(1, 0)
const KIND_WORDS: Record<LineKind, string> = {
  plain: 'lines without a binding',
  bound: 'lines bound to one object (deduplicated into one Event)',
  mixed: 'case 1\'s mix (one line in ten bound to one of 20 objects)',
  spread: 'lines bound to one of 1,000 objects (one Event each)'
}

/** RSS samples once the heaps have reached their working size; a backlog makes them climb from there. */
function steady (run: ThroughputAnswer): ReturnType<typeof flatness> {
  const samples = run.rssSamples.filter(([at]) => at > WARM_SECONDS).map(([, rss]) => rss)
  return flatness(samples.length > 0 ? samples : [run.rssBeforeMb, run.rssAfterMb])
}

/** CPU of the worker (and every other thread but the main one) per line, in ns: what a busy machine leaves alone */
const cpuPerLine = (run: ThroughputAnswer): number => (run.otherThreadsCpuMs * 1e6) / run.lines

async function main (): Promise<void> {
  const target = await openTarget({ namespace: 'bench-throughput' })
  const measure = async (destination: Destination, kind: LineKind, mode: 'max' | 'paced', rate?: number): Promise<ThroughputAnswer> => {
    const input: ThroughputInput = {
      destination,
      kind,
      mode,
      lines: mode === 'max' ? MAX_LINES[kind] : Math.round((rate ?? 0) * PACED_SECONDS),
      rate,
      kubeconfig: target.kubeconfig,
      namespace: target.namespace
    }
    const result = await runChild<ThroughputAnswer>(benchFile('cases/throughput-app.js'), input)
    progress(`${destination} ${kind} ${mode}: ${perSecond(result.linesPerSecond)}, ${fixed(cpuPerLine(result), 0)} ns CPU per line, RSS ${fixed(result.rssBeforeMb)} → ${fixed(result.rssAfterMb)} MB (max ${fixed(result.rssMaxMb)})`)
    return result
  }

  const rows: Row[] = []
  const notes: string[] = []
  try {
    for (const kind of KINDS) {
      const ours: ThroughputAnswer[] = []
      const discarding: ThroughputAnswer[] = []
      // Pairs in alternating order, so that a machine getting busier or quieter favours neither.
      const { ratios: pairRatios, verdict } = await pairedRatios(REPETITIONS, MAX_REPETITIONS, BAR, async rep => {
        const order: Destination[] = rep % 2 === 0 ? ['discarding-worker', 'transport'] : ['transport', 'discarding-worker']
        for (const destination of order) (destination === 'transport' ? ours : discarding).push(await measure(destination, kind, 'max'))
        return ours[rep].linesPerSecond / discarding[rep].linesPerSecond
      })
      const cpuRatios = ours.map((run, i) => cpuPerLine(discarding[i]) / cpuPerLine(run))
      const rate = median(ours.map(run => run.linesPerSecond))
      const baseline = median(discarding.map(run => run.linesPerSecond))
      rows.push({
        measure: `worker throughput, ${KIND_WORDS[kind]}: pino-k8s-events ÷ discarding worker fed the same lines, median of ${pairRatios.length} paired runs`,
        value: ratio(verdict.median),
        bar: `≥ ${ratio(BAR.limit)}`,
        met: verdict.met,
        noisy: verdict.noisy,
        context: `paired ratios ${pairRatios.map(r => fixed(r, 2)).join(', ')} (${spreadWords(verdict, BAR)}); median rates: pino-k8s-events ${perSecond(rate)}, discarding worker ${perSecond(baseline)} ` +
          `(${count(ours[0].lines)} lines each); worker CPU per line: pino-k8s-events ${fixed(median(ours.map(cpuPerLine)), 0)} ns, discarding ` +
          `${fixed(median(discarding.map(cpuPerLine)), 0)} ns (discarding ÷ pino-k8s-events ${ratio(median(cpuRatios))})`
      })
      if (!PACED_KINDS.includes(kind)) continue

      const pacedRate = Math.round(PACED_SHARE * baseline)
      const paced = await measure('transport', kind, 'paced', pacedRate)
      const pacedBaseline = await measure('discarding-worker', kind, 'paced', pacedRate)
      const flat = steady(paced)
      rows.push({
        measure: `application RSS while ${KIND_WORDS[kind]} arrive at ${ratio(PACED_SHARE)} the discarding worker's rate for ${PACED_SECONDS} s: later half of the samples after ${WARM_SECONDS} s ÷ earlier half`,
        value: ratio(flat.ratio),
        bar: `flat (≤ ${ratio(FLAT_RATIO)})`,
        met: atMost(flat.ratio, FLAT_RATIO),
        context: `${perSecond(pacedRate)}; RSS ${fixed(paced.rssBeforeMb)} MB before, means ${fixed(flat.earlier)} → ${fixed(flat.later)} MB, ${fixed(paced.rssAfterMb)} MB at the end; ` +
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
    'Finished log lines, each a millisecond later than the one before as pino writes them, are written straight into ' +
    'pino\'s thread stream in chunks of 500, waiting for \'drain\', so the worker is the bottleneck; the time runs from ' +
    'the first write until logger.flush() answers. The discarding worker is pino-abstract-transport splitting lines and ' +
    'dropping them: pino\'s own pipe, the limit of any transport. Worker CPU is that of every thread but the main one, ' +
    'which a busy machine does not change as it changes rates. ' +
    'The paced runs write like pino does, without waiting for \'drain\': a worker that falls behind shows as RSS that keeps ' +
    `climbing after the heaps have reached their working size in the first ${WARM_SECONDS} s (RSS sampled every 250 ms).`
  )
  emitResult({ id: 2, title: 'Worker throughput', target: target.description, rows, notes })
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`)
  process.exitCode = 1
})
