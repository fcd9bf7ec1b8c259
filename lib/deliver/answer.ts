// What one API answer does to the record that asked: its counts, what the server is believed to hold, and
// the step delivery takes next. Pure apart from the record itself, so every path can be reasoned about alone.
import type { ApiResult, EventsApi } from '../types.js'
import type { EventRecord } from '../correlate/record.js'
import { countOf, isReadableEvent, resourceVersionOf, writeIdOf } from './body.js'
import type { DropDetail } from './drops.js'
import { backoffMs, classify, type DropCause, type Operation } from './outcome.js'

/** 409/404 turns for one batch before it is given up: several replicas writing one Event need a few */
export const MAX_DETOURS = 10

export type Step =
  /** the batch is on the server */
  | { kind: 'written', op: 'create' | 'patch' }
  /** send again as soon as there is a slot: the next request follows from what the server holds */
  | { kind: 'continue' }
  /** `at`: monotonic ms, on the clock `now` was read from */
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
 * Network failures of each record's current batch. They lengthen the backoff like any failure but do not use up
 * maxAttempts, so a long outage is bounded by maxRetryAge alone. Kept beside the record, not on it, because the
 * record's shape belongs to correlation; weak, so a forgotten record takes its entry with it.
 */
const networkFailures = new WeakMap<EventRecord, number>()

/** the batch is settled (written or dropped): every occurrence up to `settledSeq` is accounted for */
export function endBatch (record: EventRecord, settledSeq: number): void {
  const state = record.delivery
  record.sending = 0
  record.settledSeq = Math.max(record.settledSeq, settledSeq)
  state.failures = 0
  networkFailures.delete(record)
  state.detours = 0
  state.reauthenticated = false
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
}

function detour (record: EventRecord, op: Operation): Step {
  record.delivery.detours++
  if (record.delivery.detours <= MAX_DETOURS) return { kind: 'continue' }
  return { kind: 'drop', cause: 'conflict', detail: { message: 'the Event kept changing or disappearing while it was written (409/404)', op } }
}

function retry (record: EventRecord, context: AnswerContext, outcome: { notBeforeMs: number, detail: string, network: boolean }, now: number, random: () => number): Step {
  const state = record.delivery
  let network = networkFailures.get(record) ?? 0
  if (state.failures + network === 0) state.firstFailureAt = now
  if (outcome.network) networkFailures.set(record, ++network)
  else state.failures++
  const attempts = state.failures + network
  const at = now + Math.max(backoffMs(attempts, random), outcome.notBeforeMs)
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
          return retry(record, context, { notBeforeMs: 0, detail: `${status} without a readable Event`, network: false }, now, random)
        }
        adopt(record, context, outcome.body)
        return { kind: 'continue' }
      }
      confirm(record, context.api, outcome.body)
      return { kind: 'written', op }
    case 'exists':
    case 'conflict':
      record.server = 'unknown'
      return detour(record, op)
    case 'gone':
      // Created again with the accumulated count; firstTimestamp stays the original.
      record.server = 'absent'
      record.resourceVersion = undefined
      return detour(record, op)
    case 'reauthenticate':
      if (record.delivery.reauthenticated) {
        return { kind: 'drop', cause: 'unauthorized', detail: { message: outcome.detail, status: 401, reason: 'Unauthorized', op } }
      }
      record.delivery.reauthenticated = true
      return { kind: 'reauthenticate' }
    case 'retry':
      return retry(record, context, outcome, now, random)
    case 'drop':
      return { kind: 'drop', cause: outcome.cause, detail: { message: outcome.detail, status: outcome.status, reason: outcome.reason, op } }
  }
}
