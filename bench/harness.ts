// What every benchmark case shares: its size, how it reports, and how it measures time and memory.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

export type Scale = 'full' | 'tiny'

/** BENCH_SCALE=tiny shrinks every case to about 1 % so CI can run all code paths in seconds. */
export const scale: Scale = process.env.BENCH_SCALE === 'tiny' ? 'tiny' : 'full'

export function sized (full: number, tiny: number): number {
  return scale === 'tiny' ? tiny : full
}

/** The package entry, resolved the way pino resolves `target: 'pino-k8s-events'`. */
export const TRANSPORT_TARGET = createRequire(import.meta.url).resolve('pino-k8s-events')

/** A compiled file beside this one, e.g. benchFile('transports/discard.js'). */
export function benchFile (relative: string): string {
  return new URL(relative, import.meta.url).pathname
}

export interface Row {
  /** what is measured, in words */
  measure: string
  /** the figure: a ratio or a count */
  value: string
  /** the requirement, when there is one */
  bar?: string
  met?: boolean
  /** the paired ratios were spread too wide to tell met from missed: `met` is left out */
  noisy?: boolean
  /** absolute figures, for context only */
  context?: string
}

export interface CaseResult {
  id: number
  title: string
  /** where the events went */
  target: string
  rows: Row[]
  notes: string[]
}

const RESULT_PREFIX = 'BENCH_RESULT '

/** The one line a case prints for run.js to collect. */
export function emitResult (result: CaseResult): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`)
}

export function parseResultLine (line: string): CaseResult | undefined {
  return line.startsWith(RESULT_PREFIX) ? JSON.parse(line.slice(RESULT_PREFIX.length)) as CaseResult : undefined
}

/** Progress for whoever watches the run; stderr keeps stdout for results. */
export function progress (text: string): void {
  process.stderr.write(`  ${text}\n`)
}

export function median (values: number[]): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Nearest-rank percentile, p in 0..100. */
export function percentile (values: number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1]
}

const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4))

/**
 * CPU time of the main thread alone, in ms. process.cpuUsage() adds up every thread, pino's worker included, so
 * Linux's per-thread schedstat (nanoseconds on the CPU) is read instead; elsewhere the process total stands in.
 */
export function mainThreadCpuMs (): number {
  try {
    // The kernel brings a running thread's time up to date only at its tick (every 4 ms here) or when the thread
    // sleeps: read while running, the figure lags by up to a tick, 1 % of a case's measurement. A 1 ms sleep first
    // makes it exact to the microsecond, and costs no CPU.
    Atomics.wait(SLEEP_CELL, 0, 0, 1)
    const text = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8')
    return Number(text.split(' ')[0]) / 1e6
  } catch {
    const usage = process.cpuUsage()
    return (usage.user + usage.system) / 1000
  }
}

export const MAIN_THREAD_CPU_SOURCE = (() => {
  try {
    readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8')
    return 'main-thread CPU time from /proc/self/task/<pid>/schedstat'
  } catch {
    return 'process CPU time (all threads): per-thread CPU time is not available on this system'
  }
})()

export function rssMb (): number {
  return process.memoryUsage().rss / 1048576
}

/** Highest RSS of this process so far, worker threads included. */
export function peakRssMb (): number {
  return process.resourceUsage().maxRSS / 1024
}

export const yieldToEventLoop = async (): Promise<void> => await new Promise(resolve => setImmediate(resolve))
export const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

export function fixed (value: number, digits = 1): string {
  if (!Number.isFinite(value)) return String(value)
  return value.toFixed(digits)
}

export function ratio (value: number, digits = 2): string {
  return `${fixed(value, digits)}×`
}

export function count (value: number): string {
  return Math.round(value).toLocaleString('en-US')
}

export function perSecond (value: number): string {
  return `${count(value)}/s`
}

export function atMost (value: number, limit: number): boolean {
  return Number.isFinite(value) && value <= limit
}

export function atLeast (value: number, limit: number): boolean {
  return Number.isFinite(value) && value >= limit
}

/** The command that points one case at a real cluster instead of the local API server. */
export function clusterCommand (id: number): string {
  return `KUBECONFIG=~/.kube/config npm run bench -- --case ${id}`
}

/** A child process's answer: the last line of its stdout that parses as JSON. */
export function lastJsonLine<T> (stdout: string): T {
  const lines = stdout.trim().split('\n').reverse()
  for (const line of lines) {
    try {
      return JSON.parse(line) as T
    } catch {}
  }
  throw new Error(`no JSON answer in: ${stdout.slice(-500)}`)
}

/** The reference a k8sObject binding carries, as the package's serializer leaves it. */
export function podReference (name: string, namespace: string): { apiVersion: string, kind: string, name: string, namespace: string, uid: string } {
  let hash = 0
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0
  const hex = hash.toString(16).padStart(8, '0')
  return { apiVersion: 'v1', kind: 'Pod', name, namespace, uid: `${hex}-0000-4000-8000-${hex}0000` }
}

/**
 * Whether memory samples stay flat: the mean of the later half against the mean of the earlier half. Single samples
 * swing with every garbage collection; a backlog or a leak moves the whole later half up.
 */
export function flatness (samples: number[]): { earlier: number, later: number, ratio: number } {
  const middle = Math.floor(samples.length / 2)
  const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length)
  const earlier = mean(samples.slice(0, Math.max(1, middle)))
  const later = mean(samples.slice(middle))
  return { earlier, later, ratio: later / earlier }
}

/** Samples grow by at most this much from the earlier half to the later half and still count as flat. */
export const FLAT_RATIO = 1.1

/** Dropped occurrences by cause, the causes with none left out. */
export function describeDrops (dropped: Record<string, number> | undefined): string {
  const causes = Object.entries(dropped ?? {}).filter(([, n]) => n > 0).map(([cause, n]) => `${count(n)} ${cause}`)
  return causes.length === 0 ? 'none' : causes.join(', ')
}

/**
 * A bar over paired ratios: `atMost` (≤ limit) or `atLeast` (≥ limit). Its margin is how far the limit lies from 1,
 * the same-cost ratio: a spread of paired ratios wider than that cannot tell met from missed.
 */
export interface PairedBar { limit: number, direction: 'atMost' | 'atLeast' }

export interface PairedVerdict {
  median: number
  /** the middle half of the paired ratios (nearest-rank 25th to 75th percentile): one odd pair does not widen it */
  low: number
  high: number
  /** too noisy to judge: the middle half is wider than the bar's margin and lies on both sides of the limit */
  noisy: boolean
  /** undefined when noisy */
  met?: boolean
}

export function judgePairs (ratios: number[], bar: PairedBar): PairedVerdict {
  const value = median(ratios)
  const low = percentile(ratios, 25)
  const high = percentile(ratios, 75)
  const margin = Math.abs(bar.limit - 1)
  // A middle half wholly on one side of the limit says which side the run is on, however wide it is.
  const straddles = low < bar.limit && high > bar.limit
  const noisy = !(ratios.length > 0) || (high - low > margin && straddles)
  const met = bar.direction === 'atMost' ? atMost(value, bar.limit) : atLeast(value, bar.limit)
  return { median: value, low, high, noisy, met: noisy ? undefined : met }
}

/**
 * Runs paired measurements (`pair(i)` answers one pair's ratio) until they can be judged: `pairs` of them, then two
 * more at a time while they are too noisy, up to `maxPairs`. A run still too noisy then says so.
 */
export async function pairedRatios (pairs: number, maxPairs: number, bar: PairedBar, pair: (index: number) => Promise<number>): Promise<{ ratios: number[], verdict: PairedVerdict }> {
  const ratios: number[] = []
  while (ratios.length < pairs) ratios.push(await pair(ratios.length))
  let verdict = judgePairs(ratios, bar)
  while (verdict.noisy && ratios.length < maxPairs) {
    progress(`paired ratios ${fixed(verdict.low, 3)}–${fixed(verdict.high, 3)} (middle half) are too spread to judge against ${fixed(bar.limit, 2)}: two more pairs`)
    for (let i = 0; i < 2 && ratios.length < maxPairs; i++) ratios.push(await pair(ratios.length))
    verdict = judgePairs(ratios, bar)
  }
  return { ratios, verdict }
}

/** How a verdict reads in a row's context. */
export function spreadWords (verdict: PairedVerdict, bar: PairedBar): string {
  const words = `middle half of the paired ratios ${fixed(verdict.low, 3)}–${fixed(verdict.high, 3)}`
  return verdict.noisy ? `${words}: wider than the bar's margin (${fixed(Math.abs(bar.limit - 1), 2)}) and on both sides of it, too noisy to judge` : words
}
