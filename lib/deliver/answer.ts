// What one API answer does to the record that asked: its counts, what the server is believed to hold, and
// the step delivery takes next. Pure apart from the record itself, so every path can be reasoned about alone.
import type { ApiResult, EventsApi } from '../types.js'
import type { EventRecord } from '../correlate/record.js'
import { backoffMs, conflictBackoffMs, retryAfterSpreadMs } from './backoff.js'
import { countOf, isReadableEvent, resourceVersionOf, writeIdOf } from './body.js'
import type { DropDetail } from './drops.js'
import { classify, type DropCause, type Operation } from './outcome.js'

export type Step =
  /** the batch is on the server */
  | { kind: 'written', op: 'create' | 'patch' }
  /** send again as soon as there is a slot: the next request follows from what the server holds */
  | { kind: 'continue' }
  /** another writer won the race, again: send the next request at `at`, so that the writers fall out of step */
  | { kind: 'back-off', at: number }
  /** `at` (here and above): monotonic ms, on the clock `now` was read from */
  | { kind: 'retry', at: number }
  /** read the credentials afresh, then send again */
  | { kind: 'reauthenticate' }
  | { kind: 'drop', cause: DropCause, detail: DropDetail }

/** what answers are read against: the API's form, our own write annotation, and how long to keep trying */
export interface AnswerContext {
  api: EventsApi
  /** this writer's annotation key (see writeAnnotationOf) */
  writeAnnotation: string
  /** answers from the server that may fail per batch; network failures are not counted here */
  maxAttempts: number
  maxRetryAgeMs: number
}

/**
 * Network failures and overload rejections of each record's current batch. They lengthen the backoff like any
 * failure but do not use up maxAttempts, so a long outage or overload is bounded by maxRetryAge alone. Kept beside
 * the record, not on it, because the record's shape belongs to correlation; weak, so a forgotten record takes its
 * entry with it.
 */
const uncountedFailures = new WeakMap<EventRecord, number>()

/** the batch is settled (written or dropped): every occurrence up to `settledSeq` is accounted for */
export function endBatch (record: EventRecord, settledSeq: number): void {
  const state = record.delivery
  record.sending = 0
  record.settledSeq = Math.max(record.settledSeq, settledSeq)
  state.failures = 0
  uncountedFailures.delete(record)
  state.detours = 0
  state.reauthenticated = false
  state.unconfirmedWrite = false
}

/** the batch's first trouble of any kind starts the time maxRetryAge bounds */
function noteTrouble (record: EventRecord, now: number): void {
  const state = record.delivery
  if (state.failures + (uncountedFailures.get(record) ?? 0) + state.detours === 0) state.firstFailureAt = now
}

function confirm (record: EventRecord, api: EventsApi, body: any): void {
  record.serverCount = countOf(api, body) ?? record.serverCount + record.sending
  record.resourceVersion = resourceVersionOf(body) ?? record.resourceVersion
  record.server = 'present'
  endBatch(record, record.delivery.batchSeq)
}

/** after a 409: what the server holds becomes the base of the next write */
function adopt (record: EventRecord, context: AnswerContext, body: any): void {
  record.serverCount = countOf(context.api, body) ?? 1
  record.resourceVersion = resourceVersionOf(body)
  record.server = 'present'
  // Our own write of this batch landed though its answer was lost: it is counted already.
  if (record.sending > 0 && writeIdOf(body, context.writeAnnotation) === record.delivery.batchId) endBatch(record, record.delivery.batchSeq)
  // Otherwise none of this batch's writes is on the server: what came meanwhile may join the next write.
  else record.delivery.unconfirmedWrite = false
}

/**
 * Another writer changed (or deleted) the Event between our read and our write. Each lost race means another
 * writer made progress, so losing is no failure: the batch keeps trying for as long as maxRetryAge allows, pausing
 * a little longer and more randomly each time, and takes in whatever else was counted meanwhile.
 */
function detour (record: EventRecord, op: Operation, context: AnswerContext, now: number, random: () => number): Step {
  const state = record.delivery
  noteTrouble(record, now)
  state.detours++
  const at = now + conflictBackoffMs(state.detours, random)
  if (at - state.firstFailureAt > context.maxRetryAgeMs) {
    const message = `the Event kept changing or disappearing while it was written (409/404, ${state.detours} times over ${Math.round((now - state.firstFailureAt) / 1000)} s)`
    return { kind: 'drop', cause: 'conflict', detail: { message, op } }
  }
  return at > now ? { kind: 'back-off', at } : { kind: 'continue' }
}

function retry (record: EventRecord, op: Operation, context: AnswerContext, outcome: { notBeforeMs: number, detail: string, network: boolean, overload: boolean }, now: number, random: () => number): Step {
  const state = record.delivery
  noteTrouble(record, now)
  let uncounted = uncountedFailures.get(record) ?? 0
  if (outcome.network || outcome.overload) uncountedFailures.set(record, ++uncounted)
  else state.failures++
  // A server that turned the request away for overload never read it; any other failure may come after the write.
  if (op !== 'read' && !outcome.overload) state.unconfirmedWrite = true
  const attempts = state.failures + uncounted
  const at = now + Math.max(backoffMs(attempts, random), retryAfterSpreadMs(outcome.notBeforeMs, random))
  if (state.failures >= context.maxAttempts || at - state.firstFailureAt > context.maxRetryAgeMs) {
    return { kind: 'drop', cause: 'retries-exhausted', detail: { message: `${attempts} attempt(s) failed, the last with ${outcome.detail}` } }
  }
  return { kind: 'retry', at }
}

export function applyAnswer (record: EventRecord, op: Operation, result: ApiResult, context: AnswerContext, now: number, random: () => number = Math.random): Step {
  const outcome = classify(op, result)
  switch (outcome.kind) {
    case 'ok':
      if (op === 'read') {
        if (!isReadableEvent(outcome.body)) {
          const status = result.kind === 'response' ? result.status : 0
          return retry(record, op, context, { notBeforeMs: 0, detail: `${status} without a readable Event`, network: false, overload: false }, now, random)
        }
        adopt(record, context, outcome.body)
        return { kind: 'continue' }
      }
      confirm(record, context.api, outcome.body)
      return { kind: 'written', op }
    case 'exists':
    case 'conflict':
      record.server = 'unknown'
      return detour(record, op, context, now, random)
    case 'gone':
      // Created again with the accumulated count; firstTimestamp stays the original.
      record.server = 'absent'
      record.resourceVersion = undefined
      // Nothing is there: no earlier write of this batch can be counted on the server.
      record.delivery.unconfirmedWrite = false
      return detour(record, op, context, now, random)
    case 'reauthenticate':
      if (record.delivery.reauthenticated) {
        return { kind: 'drop', cause: 'unauthorized', detail: { message: outcome.detail, status: 401, reason: 'Unauthorized', op } }
      }
      record.delivery.reauthenticated = true
      return { kind: 'reauthenticate' }
    case 'retry':
      return retry(record, op, context, outcome, now, random)
    case 'drop':
      return { kind: 'drop', cause: outcome.cause, detail: { message: outcome.detail, status: outcome.status, reason: outcome.reason, op } }
  }
}
