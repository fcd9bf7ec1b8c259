// One measurement of case 2 in a fresh process: finished log lines go straight into pino's thread stream, so the
// main thread costs next to nothing and the time taken is the worker's. 'max' writes as fast as the worker takes
// lines; 'paced' writes at a fixed rate and watches whether the application's memory grows.
import { once } from 'node:events'
import { answer, readInput, runMain } from '../child.js'
import { mainThreadCpuMs, podReference, rssMb, sleep } from '../harness.js'
import { startBenchLogger, type Destination } from '../logger.js'

/** mixed: case 1's stream, one line in ten bound to one of 20 objects; spread: every line bound to one of 1,000 */
export type LineKind = 'plain' | 'bound' | 'mixed' | 'spread'

export interface ThroughputInput {
  destination: Destination
  kind: LineKind
  mode: 'max' | 'paced'
  /** rounded up to whole chunks */
  lines: number
  /** lines per second, for 'paced' */
  rate?: number
  kubeconfig: string
  namespace: string
}

export interface ThroughputAnswer {
  lines: number
  ms: number
  linesPerSecond: number
  rssBeforeMb: number
  rssAfterMb: number
  rssMaxMb: number
  /** [seconds since the first write, RSS MB], every 250 ms */
  rssSamples: Array<[number, number]>
  /** how long logger.flush() took after the last write: the worker's backlog */
  flushMs: number
  /** CPU time of every thread but the main one (the worker, mostly) from the first write until the flush answered */
  otherThreadsCpuMs: number
  errors: number
  eventsObserved?: number
}

const LINES_PER_CHUNK = 500
const SPREAD_OBJECTS = 1000
const PACE_TICK_MS = 5

function lineOf (bound: boolean, namespace: string, object: string, time: number): string {
  const base = { level: bound ? 40 : 30, time, pid: process.pid, hostname: 'bench-host' }
  const fields = bound
    ? { ...base, k8sObject: podReference(object, namespace), reason: 'BackOff', msg: 'Back-off restarting failed container' }
    : { ...base, reqId: 123456, route: '/api/items', msg: 'request handled' }
  return JSON.stringify(fields) + '\n'
}

function objectOf (kind: LineKind, line: number): string {
  if (kind === 'mixed') return `web-${Math.floor(line / 10) % 20}`
  if (kind === 'spread') return `web-${line % SPREAD_OBJECTS}`
  return 'web-0'
}

/**
 * Each line a millisecond after the one before, as pino writes them: only the time differs between repeats. The
 * chunks are written in turn; together they hold every object of the kind.
 */
function chunksOf (kind: LineKind, namespace: string): string[] {
  const started = Date.now()
  const chunks: string[] = []
  const count = kind === 'spread' ? Math.max(1, Math.ceil(SPREAD_OBJECTS / LINES_PER_CHUNK)) : 1
  for (let c = 0; c < count; c++) {
    let chunk = ''
    for (let i = 0; i < LINES_PER_CHUNK; i++) {
      const line = c * LINES_PER_CHUNK + i
      const bound = kind !== 'plain' && (kind !== 'mixed' || line % 10 === 0)
      chunk += lineOf(bound, namespace, objectOf(kind, line), started + line)
    }
    chunks.push(chunk)
  }
  return chunks
}

/** On a busy machine the wall time depends on what else runs; the CPU the worker took does not. */
function otherThreadsCpuMs (): number {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000 - mainThreadCpuMs()
}

runMain(async () => {
  const input = readInput<ThroughputInput>()
  const lines = Math.ceil(input.lines / LINES_PER_CHUNK) * LINES_PER_CHUNK
  const bench = await startBenchLogger(input.destination, { component: 'bench-throughput', kubeconfig: input.kubeconfig })
  const stream = bench.stream
  if (stream === undefined) throw new Error('case 2 needs a worker')
  const chunks = chunksOf(input.kind, input.namespace)
  let next = 0
  const nextChunk = (): string => chunks[next++ % chunks.length]
  // Waiting for 'drain' waits on Atomics.waitAsync, which does not keep a process alive, and pino unrefs its worker.
  const keepAlive = setInterval(() => {}, 1000)

  async function writeAsFastAsTaken (lines: number): Promise<void> {
    for (let written = 0; written < lines; written += LINES_PER_CHUNK) {
      if (!stream!.write(nextChunk())) await once(stream!, 'drain')
    }
  }

  await writeAsFastAsTaken(Math.min(lines, 50_000))
  await bench.flush()

  const rssBeforeMb = rssMb()
  let rssMaxMb = rssBeforeMb
  const rssSamples: Array<[number, number]> = []
  const started = performance.now()
  const otherThreadsCpuBefore = otherThreadsCpuMs()
  let samples = 0
  const sampler = setInterval(() => {
    const rss = rssMb()
    rssMaxMb = Math.max(rssMaxMb, rss)
    if (++samples % 5 === 0) rssSamples.push([(performance.now() - started) / 1000, rss])
  }, 50)
  if (input.mode === 'max') {
    await writeAsFastAsTaken(lines)
  } else {
    // Like pino: no waiting for 'drain', so a worker that falls behind shows as memory in the application.
    const rate = input.rate ?? 1
    let written = 0
    while (written < lines) {
      const due = Math.min(lines, Math.floor(((performance.now() - started) / 1000) * rate))
      while (written + LINES_PER_CHUNK <= due) {
        stream.write(nextChunk())
        written += LINES_PER_CHUNK
      }
      if (written < lines) await sleep(PACE_TICK_MS)
    }
  }
  const writesDone = performance.now()
  await bench.flush()
  const finished = performance.now()
  const otherThreadsCpu = otherThreadsCpuMs() - otherThreadsCpuBefore
  clearInterval(sampler)
  const rssAfterMb = rssMb()
  rssMaxMb = Math.max(rssMaxMb, rssAfterMb)
  await bench.close()
  clearInterval(keepAlive)
  const ms = finished - started
  const result: ThroughputAnswer = {
    lines,
    ms,
    linesPerSecond: lines / (ms / 1000),
    rssBeforeMb,
    rssAfterMb,
    rssMaxMb,
    rssSamples,
    flushMs: finished - writesDone,
    otherThreadsCpuMs: otherThreadsCpu,
    errors: bench.errors.length,
    eventsObserved: bench.stats()?.eventsObserved
  }
  answer(result)
})
