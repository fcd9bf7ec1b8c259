// The correlator, composed as client-go's events_cache.go composes it: the aggregator decides which Event an
// occurrence belongs to, the dedup log counts it there, and the spam filter gates every request about the
// object. It never sends anything: it only knows what and how much; delivery decides when.
import type { Config, EventShape, Source } from '../types.js'
import { createAggregator, type Aggregator } from './aggregator.js'
import { combinedMessage } from './combined-message.js'
import { createEventLog, type EventLog } from './event-log.js'
import { createKeyMaker, nameIdentity, spamKey } from './keys.js'
import { eventName } from './names.js'
import { newRecord, type EventRecord } from './record.js'
import { createSpamFilter } from './spam-filter.js'
import { isUsableTime } from './usable-time.js'

export interface Observation {
  record: EventRecord
  created: boolean
}

export interface Correlator {
  /**
   * Counts one occurrence on its record. A record that does not exist yet is made only when `mayCreate`;
   * otherwise the result is undefined and nothing was counted. `now` is a monotonic reading (lib/clock.ts).
   */
  observe (shape: EventShape, now: number, mayCreate: boolean): Observation | undefined
  /** 0 when the record's object may have another request at `now` (monotonic; a token was taken), else the ms to wait */
  takeToken (record: EventRecord, now: number): number
  readonly log: EventLog
}

export function createCorrelator (opts: {
  config: Pick<Config, 'correlation'>
  source: Source
  /** epoch ms, for an occurrence whose own time the server cannot take (default Date.now) */
  wallClock?: () => number
  /** a record the dedup cache forgot; it may still have occurrences to write */
  onEvict: (record: EventRecord) => void
}): Correlator {
  const { cacheSize, aggregate, rateLimit } = opts.config.correlation
  const { source } = opts
  const wallClock = opts.wallClock ?? Date.now
  const aggregator: Aggregator | undefined = aggregate === false
    ? undefined
    : createAggregator({ cacheSize, maxEvents: aggregate.maxEvents, intervalSeconds: aggregate.intervalSeconds })
  const spamFilter = createSpamFilter({ cacheSize, rateLimit })
  const log = createEventLog({ cacheSize, onEvict: opts.onEvict })
  const keysOf = createKeyMaker(source)
  let seq = 0

  function count (record: EventRecord, time: number): void {
    record.pending++
    record.observedSeq = ++seq
    if (time > record.lastTime) record.lastTime = time
    if (time < record.firstTime) record.firstTime = time
  }

  return {
    observe (shape, now, mayCreate) {
      // `now` is monotonic: it times the aggregation window, and never stands for when an occurrence happened.
      const time = isUsableTime(shape.time) ? shape.time : wallClock()
      const keys = keysOf(shape)
      let message = shape.message
      let aggregated = false
      if (aggregator !== undefined && aggregator.observe(keys.aggregate, shape.message, now)) {
        message = combinedMessage(shape.message)
        aggregated = true
      }
      const key = aggregated ? keys.aggregate : keys.event
      const existing = log.find(key)
      if (existing !== undefined) {
        if (aggregated) existing.message = message
        count(existing, time)
        return { record: existing, created: false }
      }
      if (!mayCreate) return undefined
      // The aggregate stands for several subobjects, so it names none.
      const regarding = aggregated ? { ...shape.regarding, fieldPath: undefined } : shape.regarding
      const record = newRecord({
        key,
        name: eventName(shape.regarding.name, shape.regarding.kind, nameIdentity(source, shape, aggregated)),
        namespace: shape.namespace,
        spamKey: spamKey(source, shape),
        regarding,
        type: shape.type,
        reason: shape.reason,
        action: shape.action,
        message,
        aggregate: aggregated,
        time
      })
      log.add(record)
      count(record, time)
      return { record, created: true }
    },
    takeToken (record, now) {
      return spamFilter.take(record.spamKey, now)
    },
    log
  }
}
