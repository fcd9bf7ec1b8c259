// The recorder engine: every EventShape is counted on its Event at once (correlate) and written later
// (deliver), so recording never waits on the API and never throws into pino's stream loop.
import type { ApiClient, Config, Diagnostics, EventShape, Source, Stats } from './types.js'
import { systemClock, type Clock } from './clock.js'
import { createCorrelator } from './correlate/index.js'
import { createDropReporter } from './deliver/drops.js'
import { DROP_CAUSES } from './deliver/outcome.js'
import { createScheduler, type Scheduler } from './deliver/scheduler.js'

export interface Recorder {
  /** O(1)-ish, synchronous, never throws */
  record (shape: EventShape): void
  /** resolves when everything recorded so far is on the server or dropped, or when timeoutMs passed; never rejects */
  flush (timeoutMs?: number): Promise<void>
  /** flush, then stop timers and close the client; never rejects; afterwards record() does nothing */
  close (timeoutMs?: number): Promise<void>
  stats (): Stats
}

/** counters kept by the stages before the recorder, merged into the stats it reports */
export type LineStats = Pick<Stats, 'linesRead' | 'linesSelected' | 'invalidLines' | 'invalidBindings'>

const STATS_EVERY_MS = 1000

/**
 * A clock read once per turn of the event loop: pino hands the worker thousands of lines in one turn, and reading
 * the clock costs about as much as counting an occurrence. Within a turn it lags by at most what the turn took,
 * milliseconds, which the aggregation window (minutes) does not notice; lines carry their own time.
 */
function oncePerTurn (clock: () => number): () => number {
  let reading: number | undefined
  const forget = (): void => { reading = undefined }
  return () => {
    if (reading === undefined) {
      reading = clock()
      queueMicrotask(forget)
    }
    return reading
  }
}

function errorMessage (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

export function createRecorder (opts: {
  config: Config
  source: Source
  client: ApiClient
  diagnostics: Diagnostics
  /** the system's clocks unless a test steps its own */
  clock?: Clock
  lineStats?: () => LineStats
}): Recorder {
  const { config, source, client, diagnostics } = opts
  const clock = opts.clock ?? systemClock
  const now = (): number => clock.monotonic()
  const observeTime = oncePerTurn(now)
  const counters: Stats = {
    linesRead: 0,
    linesSelected: 0,
    eventsObserved: 0,
    posted: 0,
    patched: 0,
    retried: 0,
    dropped: Object.fromEntries(DROP_CAUSES.map(cause => [cause, 0])),
    invalidLines: 0,
    invalidBindings: 0
  }
  const drops = createDropReporter({
    api: config.api, diagnostics, dropped: counters.dropped, now, server: () => client.server, queueSize: config.delivery.queueSize
  })
  // The correlator reports evictions to delivery, which needs the correlator itself: tie them after both exist.
  let evictionHandler: Scheduler | undefined
  const correlator = createCorrelator({ config, source, wallClock: oncePerTurn(() => clock.wall()), onEvict: record => evictionHandler?.evicted(record) })
  const delivery = createScheduler({ config, source, client, correlator, drops, stats: counters, diagnostics, now })
  evictionHandler = delivery
  let closing: Promise<void> | undefined

  function snapshot (): Stats {
    let lines: Partial<LineStats> = {}
    try { lines = opts.lineStats?.() ?? {} } catch {}
    return { ...counters, ...lines, dropped: { ...counters.dropped } }
  }

  let lastReported = ''
  function reportStats (): void {
    try {
      const stats = snapshot()
      const text = JSON.stringify(stats)
      if (text === lastReported) return
      lastReported = text
      diagnostics.emit('k8sEventsStats', stats)
    } catch {}
  }
  const statsTimer = setInterval(reportStats, STATS_EVERY_MS)
  statsTimer.unref()

  async function flush (timeoutMs: number = config.delivery.flushTimeoutMs): Promise<void> {
    try {
      await delivery.flush(timeoutMs)
    } catch (err) {
      diagnostics.warn('internal', `flushing events failed: ${errorMessage(err)}`)
    }
    // Sent before the flush is answered: whoever flushed sees the counters that include everything it waited for.
    reportStats()
  }

  async function flushAndStop (timeoutMs: number): Promise<void> {
    await flush(timeoutMs)
    try {
      delivery.shutdown()
      clearInterval(statsTimer)
      reportStats()
      const summary = drops.summary()
      if (summary !== undefined) diagnostics.warn('summary', summary, 0)
      client.close()
    } catch (err) {
      diagnostics.warn('internal', `closing failed: ${errorMessage(err)}`)
    }
  }

  return {
    record (shape) {
      if (closing !== undefined) return
      try {
        counters.eventsObserved++
        const observed = correlator.observe(shape, observeTime(), delivery.hasRoom())
        if (observed === undefined) {
          drops.drop('queue-full', 1, shape, { message: `the queue of events waiting to be written is full (${config.delivery.queueSize})` })
          return
        }
        delivery.noteWork(observed.record)
      } catch (err) {
        diagnostics.warn('internal', `recording an event failed: ${errorMessage(err)}`)
      }
    },
    flush,
    close (timeoutMs = config.delivery.flushTimeoutMs) {
      closing ??= flushAndStop(timeoutMs).catch(() => {})
      return closing
    },
    stats: snapshot
  }
}
