// Delivery: which record is written next, and what its answer means. Records wait in a bounded queue (ready
// for a request slot, or waiting for a retry); at most `concurrency` requests are out, at most one per record, so
// occurrences that arrive meanwhile add up and go out together in the next request. Records waiting for their
// object's token stay out of that queue: the dedup cache bounds them, and once it forgets one, the queue does.
import { randomBytes } from 'node:crypto'
import type { ApiClient, ApiResult, Config, Diagnostics, Source, Stats } from '../types.js'
import type { Correlator } from '../correlate/index.js'
import { describeError } from '../fields.js'
import { unsentCount, type EventRecord } from '../correlate/record.js'
import { TokenBucket } from '../correlate/token-bucket.js'
import { applyAnswer, endBatch, type AnswerContext } from './answer.js'
import { writerOf } from './body.js'
import type { DropDetail, DropReporter } from './drops.js'
import type { DropCause, Operation } from './outcome.js'
import { buildRequest, nextOperation } from './requests.js'

/** setTimeout fires at once beyond 2^31 ms; a longer wait is taken in steps */
const MAX_TIMER_MS = 3_600_000

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

interface FlushWaiter {
  /** each record with occurrences when the flush began → the sequence number of its latest one then */
  records: Map<EventRecord, number>
  finish: () => void
}

export function createScheduler (opts: {
  config: Config
  source: Source
  client: ApiClient
  correlator: Correlator
  drops: DropReporter
  stats: Stats
  diagnostics: Diagnostics
  now: () => number
  random?: () => number
}): Scheduler {
  const { config, source, client, correlator, drops, stats, diagnostics, now } = opts
  const { delivery } = config
  const random = opts.random ?? Math.random
  const concurrency = Math.max(1, delivery.concurrency)
  const writer = writerOf(source)
  const answerContext: AnswerContext = {
    api: config.api, writeAnnotation: writer.writeAnnotation, maxAttempts: delivery.maxAttempts, maxRetryAgeMs: delivery.maxRetryAgeMs
  }
  const globalLimit = new TokenBucket(delivery.burst, delivery.qps, now())
  const batchPrefix = randomBytes(4).toString('hex')
  let batchCounter = 0

  // Insertion-ordered sets: the oldest record goes first.
  const ready = new Set<EventRecord>()
  /** waiting for a token of their object's bucket */
  const throttled = new Set<EventRecord>()
  /** the throttled ones the dedup cache forgot: only delivery holds them now, so they take room in the queue */
  const throttledUncached = new Set<EventRecord>()
  const retrying = new Set<EventRecord>()
  const parked = new Set<EventRecord>()
  const inFlight = new Set<EventRecord>()
  const flushWaiters = new Set<FlushWaiter>()
  let flushing = 0
  let closed = false
  let wakeTimer: NodeJS.Timeout | undefined
  let wakeAt = Infinity
  let pumpQueued = false

  /** for callbacks of timers and promises: a throw there would reach pino's worker as an uncaught exception */
  function safely (what: string, work: () => void): void {
    try {
      work()
    } catch (err) {
      diagnostics.warn('internal', `${what} failed: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  const queued = (): number => ready.size + retrying.size + throttledUncached.size
  const hasRoom = (): boolean => queued() < delivery.queueSize

  function setState (record: EventRecord, state: EventRecord['delivery']['state']): void {
    const from = record.delivery.state
    if (from === 'ready') ready.delete(record)
    else if (from === 'waiting') {
      throttled.delete(record)
      throttledUncached.delete(record)
      retrying.delete(record)
    } else if (from === 'parked') parked.delete(record)
    else if (from === 'in-flight') inFlight.delete(record)
    record.delivery.state = state
    if (state === 'ready') ready.add(record)
    else if (state === 'waiting') {
      if (record.delivery.waitingFor === 'token') {
        throttled.add(record)
        if (!record.cached) throttledUncached.add(record)
      } else retrying.add(record)
    } else if (state === 'parked') parked.add(record)
    else if (state === 'in-flight') inFlight.add(record)
    // Records with work must stay findable even when the dedup cache forgets them.
    if (state === 'idle' || state === 'parked') correlator.log.unpin(record)
    else correlator.log.pin(record)
  }

  function armTimer (at: number): void {
    if (closed || !Number.isFinite(at) || (wakeTimer !== undefined && wakeAt <= at)) return
    if (wakeTimer !== undefined) clearTimeout(wakeTimer)
    wakeAt = at
    wakeTimer = setTimeout(() => { safely('waking delivery', wake) }, Math.min(MAX_TIMER_MS, Math.max(0, at - now())))
    wakeTimer.unref()
  }

  function wake (): void {
    wakeTimer = undefined
    wakeAt = Infinity
    const time = now()
    let next = Infinity
    for (const group of [throttled, retrying]) {
      for (const record of group) {
        if (record.delivery.wakeAt <= time) setState(record, 'ready')
        else next = Math.min(next, record.delivery.wakeAt)
      }
    }
    armTimer(next)
    pump()
  }

  function waitUntil (record: EventRecord, at: number, waitingFor: 'token' | 'retry'): void {
    record.delivery.wakeAt = at
    record.delivery.waitingFor = waitingFor
    setState(record, 'waiting')
    armTimer(at)
  }

  function schedulePump (): void {
    if (pumpQueued || closed) return
    pumpQueued = true
    queueMicrotask(() => {
      pumpQueued = false
      safely('sending events', pump)
    })
  }

  function pump (): void {
    if (closed) return
    const time = now()
    while (inFlight.size < concurrency && ready.size > 0) {
      // While flushing, counts must reach the server whatever the buckets say: the process is about to stop, and
      // concurrency still bounds what is asked of the server at once.
      const globalWait = flushing === 0 ? globalLimit.msUntilToken(time) : 0
      if (globalWait > 0) {
        armTimer(time + globalWait)
        break
      }
      const record = ready.values().next().value as EventRecord
      const op = nextOperation(record)
      // Reads carry no occurrences.
      if (op !== 'read' && flushing === 0) {
        const tokenWait = correlator.takeToken(record, time)
        if (tokenWait > 0) {
          waitUntil(record, time + tokenWait, 'token')
          continue
        }
      }
      globalLimit.take(time)
      dispatch(record, op)
    }
    admitParked()
  }

  function admitParked (): void {
    for (const record of parked) {
      if (!hasRoom()) return
      setState(record, 'ready')
    }
  }

  function dispatch (record: EventRecord, op: Operation): void {
    const state = record.delivery
    if (record.sending === 0) {
      record.sending = record.pending
      record.pending = 0
      state.batchId = `${batchPrefix}-${(++batchCounter).toString(36)}`
      state.batchSeq = record.observedSeq
    }
    setState(record, 'in-flight')
    let answer: Promise<ApiResult>
    try {
      answer = client.request(buildRequest(config.api, writer, record, op, delivery.requestTimeoutMs))
    } catch (err) {
      answer = Promise.resolve({ kind: 'network', code: 'EREQUEST', message: describeError(err) })
    }
    answer
      .catch((err: unknown): ApiResult => ({ kind: 'network', code: 'EREQUEST', message: describeError(err) }))
      .then(result => { safely('handling an API answer', () => { complete(record, op, result) }) })
      .catch(() => {})
  }

  function complete (record: EventRecord, op: Operation, result: ApiResult): void {
    if (closed) return
    setState(record, 'idle')
    const step = applyAnswer(record, op, result, answerContext, now(), random)
    switch (step.kind) {
      case 'written':
        if (step.op === 'create') stats.posted++
        else stats.patched++
        break
      case 'retry':
        stats.retried++
        waitUntil(record, step.at, 'retry')
        break
      case 'reauthenticate':
        stats.retried++
        client.reloadCredentials()
        break
      case 'drop':
        drop(record, step.cause, step.detail)
        break
      case 'continue':
        break
    }
    if (record.delivery.state === 'idle' && unsentCount(record) > 0) setState(record, 'ready')
    settled(record)
    pump()
  }

  function drop (record: EventRecord, cause: DropCause, detail: DropDetail): void {
    const count = unsentCount(record)
    record.pending = 0
    endBatch(record, record.observedSeq)
    if (record.delivery.state !== 'idle' && record.delivery.state !== 'in-flight') {
      setState(record, 'idle')
    }
    drops.drop(cause, count, record, detail)
  }

  function settled (record: EventRecord): void {
    for (const waiter of flushWaiters) {
      const seqAtFlush = waiter.records.get(record)
      if (seqAtFlush === undefined) continue
      if (unsentCount(record) === 0 || record.settledSeq >= seqAtFlush) waiter.records.delete(record)
      if (waiter.records.size === 0) waiter.finish()
    }
  }

  function releaseThrottled (): void {
    for (const record of throttled) setState(record, 'ready')
  }

  return {
    hasRoom,
    noteWork (record) {
      if (closed || record.delivery.state !== 'idle') return
      setState(record, hasRoom() ? 'ready' : 'parked')
      schedulePump()
    },
    evicted (record) {
      if (closed) return
      const state = record.delivery.state
      const throttledUncounted = state === 'waiting' && record.delivery.waitingFor === 'token' && !throttledUncached.has(record)
      if (state !== 'parked' && !throttledUncounted) return
      if (hasRoom()) {
        if (throttledUncounted) throttledUncached.add(record)
        else {
          setState(record, 'ready')
          schedulePump()
        }
        return
      }
      drop(record, 'evicted', { message: 'the event cache and the pending queue are full' })
      settled(record)
    },
    flush (timeoutMs) {
      const records = new Map<EventRecord, number>()
      for (const group of [ready, throttled, retrying, parked, inFlight]) {
        for (const record of group) if (unsentCount(record) > 0) records.set(record, record.observedSeq)
      }
      if (closed || records.size === 0) return Promise.resolve()
      return new Promise<void>(resolve => {
        let timer: NodeJS.Timeout | undefined
        const waiter: FlushWaiter = {
          records,
          finish () {
            if (!flushWaiters.delete(waiter)) return
            clearTimeout(timer)
            flushing--
            resolve()
          }
        }
        flushWaiters.add(waiter)
        flushing++
        timer = setTimeout(waiter.finish, Math.min(2 ** 31 - 1, Math.max(0, timeoutMs)))
        timer.unref()
        releaseThrottled()
        pump()
      })
    },
    shutdown () {
      if (closed) return
      // Sent but unanswered: the server may have them, so they are told apart from those never sent.
      for (const record of inFlight) {
        drops.drop('unconfirmed', record.sending, record, { message: 'the transport closed while the write was in flight; it may have landed' })
        record.sending = 0
      }
      for (const group of [ready, throttled, retrying, parked, inFlight]) {
        for (const record of group) drop(record, 'closed', { message: 'the transport closed before the event was written' })
      }
      closed = true
      if (wakeTimer !== undefined) clearTimeout(wakeTimer)
      wakeTimer = undefined
      for (const waiter of flushWaiters) waiter.finish()
      ready.clear()
      throttled.clear()
      throttledUncached.clear()
      retrying.clear()
      parked.clear()
      inFlight.clear()
    }
  }
}
