// Delivery: which record is written next, and what its answer means. Records wait in a bounded queue (ready for a
// request slot, or waiting for a retry or a token); at most `concurrency` requests are out, at most one per record,
// so occurrences that arrive meanwhile add up and go out together in the next request. While a flush waits (and
// at shutdown) the rate limits no longer hold counts back and more requests may be out: the process is about to
// stop, and the API server, not the limits, is then the bound. Either way the server's rejections for overload
// shrink how many are out (concurrency.ts).
import { randomBytes } from 'node:crypto'
import type { ApiClient, ApiResult, Config, Diagnostics, Source, Stats } from '../types.js'
import type { Correlator } from '../correlate/index.js'
import { describeError } from '../fields.js'
import { unsentCount, type EventRecord } from '../correlate/record.js'
import { TokenBucket } from '../correlate/token-bucket.js'
import { applyAnswer, endBatch, type AnswerContext } from './answer.js'
import { writerOf } from './body.js'
import { AdaptiveConcurrency, OverloadNotice } from './concurrency.js'
import type { DropDetail, DropReporter } from './drops.js'
import { FlushWaiters } from './flush-waiters.js'
import { isOverload, type DropCause, type Operation } from './outcome.js'
import { DeliveryQueue } from './queue.js'
import { buildRequest, nextOperation } from './requests.js'
import { WakeTimer } from './wake-timer.js'

/**
 * Requests out at once while flushing. A real API server writes 1,000 Events over keep-alive HTTPS in about 1.2 s
 * with 8 connections and 1.0 s with 32; more gain little and cost a TLS handshake each.
 */
export const FLUSH_CONCURRENCY = 32

/** connections the HTTP client must allow: the flush's, or more when `concurrency` asks for more */
export function connectionsFor (concurrency: number): number {
  return Math.max(FLUSH_CONCURRENCY, concurrency)
}

export interface Scheduler {
  /** whether a new record may join the queue */
  hasRoom (): boolean
  /** the record just counted an occurrence */
  noteWork (record: EventRecord): void
  /** the dedup cache forgot the record */
  evicted (record: EventRecord): void
  /** resolves when every occurrence counted so far is written or dropped, or after timeoutMs */
  flush (timeoutMs: number): Promise<void>
  /**
   * drops what is still unsent (cause 'closed') or sent without an answer yet (cause 'unconfirmed': it may have
   * landed), and stops every timer
   */
  shutdown (): void
}

export function createScheduler (opts: {
  config: Config
  source: Source
  client: ApiClient
  correlator: Correlator
  drops: DropReporter
  stats: Stats
  diagnostics: Diagnostics
  /** monotonic ms (lib/clock.ts): every wait and deadline here is a duration, never a time of day */
  now: () => number
  random?: () => number
}): Scheduler {
  const { config, source, client, correlator, drops, stats, diagnostics, now } = opts
  const { delivery } = config
  const random = opts.random ?? Math.random
  const concurrency = Math.max(1, delivery.concurrency)
  const flushConcurrency = connectionsFor(concurrency)
  const writer = writerOf(source)
  const answerContext: AnswerContext = {
    api: config.api, writeAnnotation: writer.writeAnnotation, maxAttempts: delivery.maxAttempts, maxRetryAgeMs: delivery.maxRetryAgeMs
  }
  const globalLimit = new TokenBucket(delivery.burst, delivery.qps, now())
  const inFlightLimit = new AdaptiveConcurrency(flushConcurrency)
  const overloadNotice = new OverloadNotice(diagnostics.warn, () => client.server)
  const batchPrefix = randomBytes(4).toString('hex')
  let batchCounter = 0

  const queue = new DeliveryQueue(correlator.log, delivery.queueSize)
  const flushes = new FlushWaiters()
  const timer = new WakeTimer(() => { safely('waking delivery', wake) }, now)
  let closed = false
  let pumpQueued = false
  /**
   * Records waiting to retry because the network failed them. The server's next answer means it is back: they go
   * at once rather than after a backoff that a long outage has grown to half a minute.
   */
  const waitingOnNetwork = new WeakSet<EventRecord>()
  let networkWaits = false

  /** for callbacks of timers and promises: a throw there would reach pino's worker as an uncaught exception */
  function safely (what: string, work: () => void): void {
    try {
      work()
    } catch (err) {
      diagnostics.warn('internal', `${what} failed: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  // --- retry and token timing

  function waitUntil (record: EventRecord, at: number, waitingFor: 'token' | 'retry'): void {
    record.delivery.wakeAt = at
    record.delivery.waitingFor = waitingFor
    queue.move(record, 'waiting')
    timer.wakeBy(at)
  }

  function wakeAfterOutage (): void {
    networkWaits = false
    for (const record of queue.retrying) {
      if (!waitingOnNetwork.delete(record)) continue
      record.delivery.wakeAt = now()
      queue.move(record, 'ready')
    }
  }

  function wake (): void {
    const time = now()
    let next = Infinity
    for (const group of [queue.throttled, queue.retrying]) {
      for (const record of group) {
        if (record.delivery.wakeAt <= time) queue.move(record, 'ready')
        else next = Math.min(next, record.delivery.wakeAt)
      }
    }
    timer.wakeBy(next)
    pump()
  }

  // --- the in-flight loop: ready records into request slots, answers back into states

  function schedulePump (): void {
    if (pumpQueued || closed) return
    pumpQueued = true
    queueMicrotask(() => {
      pumpQueued = false
      safely('sending events', pump)
    })
  }

  /** the most requests out at once that the options allow just now */
  function ceiling (): number {
    return flushes.active ? flushConcurrency : concurrency
  }

  function pump (): void {
    if (closed) return
    const time = now()
    const flushing = flushes.active
    const slots = inFlightLimit.slots(ceiling())
    while (queue.inFlight.size < slots && queue.ready.size > 0) {
      // While flushing, counts must reach the server whatever the buckets say: the process is about to stop.
      const globalWait = flushing ? 0 : globalLimit.msUntilToken(time)
      if (globalWait > 0) {
        timer.wakeBy(time + globalWait)
        break
      }
      const record = queue.ready.values().next().value as EventRecord
      const op = nextOperation(record)
      // Only new occurrences pay their object's token, once, when their batch is formed: retries and the requests
      // after a lost race are free, so one Event failing through an outage cannot use up its object's burst.
      if (record.sending === 0 && !flushing) {
        const tokenWait = correlator.takeToken(record, time)
        if (tokenWait > 0) {
          waitUntil(record, time + tokenWait, 'token')
          continue
        }
      }
      globalLimit.take(time)
      dispatch(record, op)
    }
    queue.admitParked()
  }

  function dispatch (record: EventRecord, op: Operation): void {
    const state = record.delivery
    if (record.sending === 0) {
      record.sending = record.pending
      record.pending = 0
      state.batchId = `${batchPrefix}-${(++batchCounter).toString(36)}`
      state.batchSeq = record.observedSeq
    } else if (op !== 'read' && !state.unconfirmedWrite && record.pending > 0) {
      // None of the batch's writes is on the server: what was counted since joins this write, so a writer that
      // keeps losing races to other replicas carries everything it holds when it wins.
      record.sending += record.pending
      record.pending = 0
      state.batchSeq = record.observedSeq
    }
    const generation = inFlightLimit.generation
    queue.move(record, 'in-flight')
    let answer: Promise<ApiResult>
    try {
      answer = client.request(buildRequest(config.api, writer, record, op, delivery.requestTimeoutMs))
    } catch (err) {
      answer = Promise.resolve({ kind: 'network', code: 'EREQUEST', message: describeError(err) })
    }
    answer
      .catch((err: unknown): ApiResult => ({ kind: 'network', code: 'EREQUEST', message: describeError(err) }))
      .then(result => { safely('handling an API answer', () => { complete(record, op, result, generation) }) })
      .catch(() => {})
  }

  function complete (record: EventRecord, op: Operation, result: ApiResult, generation: number): void {
    if (closed) return
    if (isOverload(result)) inFlightLimit.rejected(generation, ceiling())
    else if (result.kind === 'response') inFlightLimit.admitted(ceiling())
    if (result.kind === 'response' && networkWaits) wakeAfterOutage()
    overloadNotice.update(inFlightLimit.slots(ceiling()), ceiling())
    queue.move(record, 'idle')
    const step = applyAnswer(record, op, result, answerContext, now(), random)
    switch (step.kind) {
      case 'written':
        if (step.op === 'create') stats.posted++
        else stats.patched++
        break
      case 'retry':
        stats.retried++
        waitUntil(record, step.at, 'retry')
        if (result.kind === 'network') {
          waitingOnNetwork.add(record)
          networkWaits = true
        } else waitingOnNetwork.delete(record)
        break
      case 'back-off':
        waitUntil(record, step.at, 'retry')
        break
      case 'reauthenticate':
        // The client asked for a new credential when the 401 arrived; the record goes out again with it.
        stats.retried++
        break
      case 'drop':
        drop(record, step.cause, step.detail)
        break
      case 'continue':
        break
    }
    if (record.delivery.state === 'idle' && unsentCount(record) > 0) queue.move(record, 'ready')
    flushes.settled(record)
    pump()
  }

  function drop (record: EventRecord, cause: DropCause, detail: DropDetail): void {
    const count = unsentCount(record)
    record.pending = 0
    endBatch(record, record.observedSeq)
    if (record.delivery.state !== 'idle' && record.delivery.state !== 'in-flight') queue.move(record, 'idle')
    drops.drop(cause, count, record, detail)
  }

  // --- admission, flush and shutdown

  function evicted (record: EventRecord): void {
    if (closed) return
    const state = record.delivery.state
    const throttledUncounted = state === 'waiting' && record.delivery.waitingFor === 'token' && !queue.throttledUncached.has(record)
    if (state !== 'parked' && !throttledUncounted) return
    if (queue.hasRoom()) {
      if (throttledUncounted) queue.throttledUncached.add(record)
      else {
        queue.move(record, 'ready')
        schedulePump()
      }
      return
    }
    drop(record, 'evicted', { message: 'the event cache and the pending queue are full' })
    flushes.settled(record)
  }

  async function flush (timeoutMs: number): Promise<void> {
    const records = new Map<EventRecord, number>()
    for (const record of queue.held()) if (unsentCount(record) > 0) records.set(record, record.observedSeq)
    if (closed || records.size === 0) return
    const done = flushes.wait(records, timeoutMs)
    queue.releaseThrottled()
    pump()
    await done
  }

  function shutdown (): void {
    if (closed) return
    // Sent but unanswered: the server may have them, so they are told apart from those never sent.
    for (const record of queue.inFlight) {
      drops.drop('unconfirmed', record.sending, record, { message: 'the transport closed while the write was in flight; it may have landed' })
      record.sending = 0
    }
    for (const record of queue.held()) drop(record, 'closed', { message: 'the transport closed before the event was written' })
    closed = true
    timer.stop()
    flushes.finishAll()
    queue.clear()
  }

  return {
    hasRoom: () => queue.hasRoom(),
    noteWork (record) {
      if (closed || record.delivery.state !== 'idle') return
      queue.move(record, queue.hasRoom() ? 'ready' : 'parked')
      schedulePump()
    },
    evicted,
    flush,
    shutdown
  }
}
