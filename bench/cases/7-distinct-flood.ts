// Case 7: two million warnings with distinct messages over a thousand objects. Memory must stay flat, and the API
// server must see no more requests than the limits allow.
import { runChild } from '../child.js'
import { atMost, benchFile, count, describeDrops, emitResult, FLAT_RATIO, flatness, fixed, progress, ratio, sized, type Row } from '../harness.js'
import type { Destination } from '../logger.js'
import { openTarget, type EventRequest } from '../target.js'
import type { DistinctFloodAnswer, DistinctFloodInput } from './distinct-flood-app.js'

const WARNINGS = sized(2_000_000, 10_000)
const OBJECTS = sized(1000, 100)
const SAMPLE_EVERY = sized(50_000, 500)
/**
 * Samples taken in the first quarter of the warnings are left out: the worker's heap grows to its working size over
 * the first few hundred thousand distinct lines, and its garbage collections swing the RSS by 20–30 % with a period
 * of as many again (a run of 3,000,000 stays within 178–219 MB after its first 200,000). Two million warnings give the
 * halves compared after that several such periods each, so that they compare memory, not the phase of a collection.
 */
const WARMUP_SAMPLES = Math.ceil(WARNINGS / 4 / SAMPLE_EVERY)
const QPS = 20
const BURST = 100
const QUEUE_SIZE = 1000
/** how long the end may wait for pending Events; the default 5 s would only make the run longer */
const FLUSH_TIMEOUT_MS = sized(2000, 200)

const PACE_WORDS = {
  worker: 'logged no faster than the worker takes lines (waiting for the thread stream\'s \'drain\')',
  app: 'logged as fast as the application can'
}

function last (samples: number[]): number {
  return samples[samples.length - 1]
}

/** Flatness after the warm-up: start-up grows the heaps to their working size before it. */
function steady (samples: number[]): ReturnType<typeof flatness> {
  return flatness(samples.slice(WARMUP_SAMPLES))
}

function halves (samples: number[]): string {
  const { earlier, later } = steady(samples)
  return `mean of the earlier half ${fixed(earlier, 0)} MB, of the later half ${fixed(later, 0)} MB`
}

function describe (run: DistinctFloodAnswer): string {
  return `RSS first ${fixed(run.rssSamples[0], 0)}, last ${fixed(last(run.rssSamples), 0)}, max ${fixed(Math.max(...run.rssSamples), 0)} MB`
}

async function main (): Promise<void> {
  const target = await openTarget({ namespace: 'bench-distinct' })
  const run = async (destination: Destination, pace: 'app' | 'worker'): Promise<{ answer: DistinctFloodAnswer, requests?: EventRequest[] }> => {
    const input: DistinctFloodInput = {
      destination,
      pace,
      warnings: WARNINGS,
      objects: OBJECTS,
      sampleEvery: SAMPLE_EVERY,
      kubeconfig: target.kubeconfig,
      namespace: target.namespace,
      options: { flushTimeout: FLUSH_TIMEOUT_MS }
    }
    await target.clearRequests()
    const answer = await runChild<DistinctFloodAnswer>(benchFile('cases/distinct-flood-app.js'), input)
    progress(`${destination}, ${pace} pace: RSS ${answer.rssSamples.map(mb => fixed(mb, 0)).join(', ')} MB; ` +
      `main-thread heap and buffers ${answer.mainThreadSamples.map(mb => fixed(mb, 0)).join(', ')} MB; ` +
      `logged in ${fixed(answer.loggedMs, 0)} ms, flushed after ${fixed(answer.flushedMs, 0)} ms`)
    return { answer, requests: await target.eventRequests() }
  }

  let paced, flooding, baseline
  try {
    paced = await run('transport', 'worker')
    flooding = await run('transport', 'app')
    baseline = await run('discarding-worker', 'app')
  } finally {
    await target.close()
  }

  const ours = paced.answer
  const requests = paced.requests
  const requestCount = requests?.length ?? ((ours.posted ?? 0) + (ours.patched ?? 0) + (ours.retried ?? 0))
  // While the flood lasts the global limit holds; once logging is over, logger.flush() writes what the bounded queue
  // holds (at most QUEUE_SIZE Events) without waiting for tokens, so that a clean exit loses nothing.
  const floodEnd = ours.startedAt + ours.loggedMs
  const duringFlood = requests?.filter(r => r.time <= floodEnd).length ?? requestCount
  const spanSeconds = ours.loggedMs / 1000
  const allowed = Math.floor(BURST + QPS * spanSeconds)
  const atFlush = requestCount - duringFlood
  const linesPerSecond = (answer: DistinctFloodAnswer): number => WARNINGS / (answer.flushedMs / 1000)

  const rows: Row[] = [
    {
      measure: `application RSS, ${count(WARNINGS)} distinct warnings on ${count(OBJECTS)} objects ${PACE_WORDS.worker}: ` +
        `later half of the samples ÷ earlier half`,
      value: ratio(steady(ours.rssSamples).ratio),
      bar: `flat (≤ ${ratio(FLAT_RATIO)})`,
      met: atMost(steady(ours.rssSamples).ratio, FLAT_RATIO),
      context: `${describe(ours)}, ${halves(ours.rssSamples)}; the worker took ${count(linesPerSecond(ours))} lines/s`
    },
    {
      measure: `the same, ${PACE_WORDS.app} (the worker falls behind: see case 2)`,
      value: ratio(steady(flooding.answer.rssSamples).ratio),
      context: `${describe(flooding.answer)}; the main thread's heap and buffers went from ` +
        `${fixed(flooding.answer.mainThreadSamples[0], 0)} to ${fixed(last(flooding.answer.mainThreadSamples), 0)} MB ` +
        `(lines waiting for the worker): logged in ${fixed(flooding.answer.loggedMs, 0)} ms, taken by the worker in ${fixed(flooding.answer.flushedMs, 0)} ms; ` +
        `discarding worker at the same pace: ${describe(baseline.answer)}, later ÷ earlier ${ratio(steady(baseline.answer.rssSamples).ratio)}`
    },
    {
      measure: `API requests (first run) while the warnings were logged, ${requests !== undefined ? 'counted by the server' : 'from the transport\'s counters'}, against the global limit (burst ${BURST} + ${QPS}/s over ${fixed(spanSeconds, 1)} s)`,
      value: count(duringFlood),
      bar: `≤ ${count(allowed)}`,
      met: duringFlood <= allowed,
      context: `${count(ours.posted ?? 0)} POST, ${count(ours.patched ?? 0)} PATCH, ${count(ours.retried ?? 0)} retried in all; occurrences dropped: ${describeDrops(ours.dropped)}`
    },
    {
      measure: `API requests in all, the final logger.flush() included, which writes the bounded queue without waiting for tokens`,
      value: count(requestCount),
      bar: `≤ ${count(allowed + QUEUE_SIZE)} (the limit while logging + queueSize ${count(QUEUE_SIZE)})`,
      met: requestCount <= allowed + QUEUE_SIZE,
      context: `${count(atFlush)} after the last warning was logged; a clean exit loses nothing that was queued, what the queue could not hold was dropped and counted`
    }
  ]

  emitResult({
    id: 7,
    title: 'Memory under distinct floods',
    target: target.description,
    rows,
    notes: [
      `RSS is the whole process, worker included, sampled every ${count(SAMPLE_EVERY)} log calls; flat means the mean of the ` +
      'later half of the samples (those of the first quarter of the warnings, while the heaps grow to their working size, left out) is within 10 % of the earlier half\'s, ' +
      'since single samples swing with every garbage collection. The first run shows the ' +
      'worker\'s own memory; the second adds what pino keeps in the application while the worker is behind, which ' +
      'grows with any transport slower than the application. ' +
      `flushTimeout is ${FLUSH_TIMEOUT_MS} ms so that the runs end soon after the warnings; every other option is at its default.`
    ]
  })
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`)
  process.exitCode = 1
})
