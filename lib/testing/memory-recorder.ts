// The recorder of the testing entry: the production correlator decides which Event each occurrence belongs to, and
// instead of delivery the Events are kept in memory as the API server would hold them once everything is written.
// No worker, no network, no timers: a line logged is an Event readable on the next statement.
import type { Config, Diagnostics, ObjectReference, Source, Stats } from '../types.js'
import { describeError } from '../fields.js'
import { systemClock, type Clock } from '../clock.js'
import { createCorrelator, type Correlator } from '../correlate/index.js'
import { objectReference } from '../deliver/body.js'
import type { LineStats, Recorder } from '../recorder.js'

/** One Event as a test reads it: plain data, a copy each time. */
export interface RecordedEvent {
  type: string
  reason: string
  /** `message` on core/v1, `note` on events.k8s.io/v1 */
  message: string
  action: string
  /** the object the Event is about, as stored: empty fields left out */
  regarding: Record<string, string>
  /** the second object it names, when the line had a related binding */
  related?: Record<string, string>
  /** occurrences counted on this Event */
  count: number
  /** the namespace the Event is stored in */
  namespace: string
  /** the Event's name, the same one production would write */
  name: string
}

interface StoredEvent {
  name: string
  namespace: string
  type: string
  reason: string
  message: string
  action: string
  regarding: ObjectReference
  related?: ObjectReference
  count: number
}

export interface MemoryRecorder extends Recorder {
  /** every Event in the order of its first occurrence */
  events (): RecordedEvent[]
  /** forgets the Events and everything correlation remembered: the next line starts afresh */
  clear (): void
}

function toRecorded (event: StoredEvent): RecordedEvent {
  return {
    type: event.type,
    reason: event.reason,
    message: event.message,
    action: event.action,
    regarding: objectReference(event.regarding),
    ...(event.related === undefined ? {} : { related: objectReference(event.related) }),
    count: event.count,
    namespace: event.namespace,
    name: event.name
  }
}

export function createMemoryRecorder (opts: {
  config: Config
  source: Source
  lineStats: () => LineStats
  diagnostics: Diagnostics
  /** the system's clocks unless a test brings its own */
  clock?: Clock
}): MemoryRecorder {
  const { config, source } = opts
  const clock = opts.clock ?? systemClock
  // Keyed by where the server keeps an Event: a record the dedup cache forgot and made again continues its Event.
  let stored = new Map<string, StoredEvent>()
  let correlator: Correlator = newCorrelator()
  const counters = { eventsObserved: 0, posted: 0, patched: 0 }

  function newCorrelator (): Correlator {
    // Nothing waits for delivery here, so a forgotten record has nothing left to write.
    return createCorrelator({ config, source, wallClock: () => clock.wall(), onEvict: () => {} })
  }

  function record (shape: Parameters<Recorder['record']>[0]): void {
    counters.eventsObserved++
    const observed = correlator.observe(shape, clock.monotonic(), true)
    if (observed === undefined) return
    const { record } = observed
    // Delivered at once: nothing stays pending.
    record.pending = 0
    const id = `${record.namespace}/${record.name}`
    let event = stored.get(id)
    if (event === undefined) {
      event = {
        name: record.name,
        namespace: record.namespace,
        type: record.type,
        reason: record.reason,
        message: record.message,
        action: record.action,
        regarding: { ...record.regarding },
        related: record.related === undefined ? undefined : { ...record.related },
        count: 0
      }
      stored.set(id, event)
      counters.posted++
    } else {
      counters.patched++
    }
    event.count++
    // An aggregate's combined message follows the latest occurrence, as a core/v1 patch carries it. (On
    // events.k8s.io/v1 the note is fixed when the Event is created, which in production is after a burst of lines.)
    if (record.aggregate) event.message = record.message
  }

  function stats (): Stats {
    return {
      ...opts.lineStats(),
      eventsObserved: counters.eventsObserved,
      posted: counters.posted,
      patched: counters.patched,
      retried: 0,
      dropped: {}
    }
  }

  return {
    record (shape) {
      try {
        record(shape)
      } catch (err) {
        opts.diagnostics.warn('internal', `recording an event failed: ${describeError(err)}`)
      }
    },
    flush: async () => {},
    close: async () => {},
    stats,
    events: () => [...stored.values()].map(toRecorded),
    clear () {
      stored = new Map()
      correlator = newCorrelator()
      counters.eventsObserved = counters.posted = counters.patched = 0
    }
  }
}
