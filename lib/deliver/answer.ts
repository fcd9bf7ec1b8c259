// What one API answer does to the record that asked: its counts, what the server is believed to hold, and
// the step delivery takes next. Pure apart from the record itself, so every path can be reasoned about alone.
import type { ApiResult, EventsApi } from '../types.js'
import type { EventRecord } from '../correlate/record.js'
import { countOf, resourceVersionOf, writeIdOf } from './body.js'
import type { DropDetail } from './drops.js'
import { backoffMs, classify, type DropCause, type Operation } from './outcome.js'

/** 409/404 turns for one batch before it is given up: several replicas writing one Event need a few */
export const MAX_DETOURS = 10

export type Step =
  /** the batch is on the server */
  | { kind: 'written', op: 'create' | 'patch' }
  /** send again as soon as there is a slot: the next request follows from what the server holds */
  | { kind: 'continue' }
  | { kind: 'retry', at: number }
  /** read the credentials afresh, then send again */
  | { kind: 'reauthenticate' }
  | { kind: 'drop', cause: DropCause, detail: DropDetail }

export interface RetryLimits {
  api: EventsApi
  maxAttempts: number
  maxRetryAgeMs: number
}

/** the batch is settled (written or dropped): every occurrence up to `settledSeq` is accounted for */
export function endBatch (record: EventRecord, settledSeq: number): void {
  const state = record.delivery
  record.sending = 0
  record.settledSeq = Math.max(record.settledSeq, settledSeq)
  state.failures = 0
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
function adopt (record: EventRecord, api: EventsApi, body: any): void {
  record.serverCount = countOf(api, body) ?? 1
  record.resourceVersion = resourceVersionOf(body)
  record.server = 'present'
  // Our own write of this batch landed though its answer was lost: it is counted already.
  if (record.sending > 0 && writeIdOf(body) === record.delivery.batchId) endBatch(record, record.delivery.batchSeq)
}

function detour (record: EventRecord, op: Operation): Step {
  record.delivery.detours++
  if (record.delivery.detours <= MAX_DETOURS) return { kind: 'continue' }
  return { kind: 'drop', cause: 'conflict', detail: { message: 'the Event kept changing or disappearing while it was written (409/404)', op } }
}

function retry (record: EventRecord, limits: RetryLimits, notBeforeMs: number, detail: string, now: number, random: () => number): Step {
  const state = record.delivery
  state.failures++
  if (state.failures === 1) state.firstFailureAt = now
  const at = now + Math.max(backoffMs(state.failures, random), notBeforeMs)
  if (state.failures >= limits.maxAttempts || at - state.firstFailureAt > limits.maxRetryAgeMs) {
    return { kind: 'drop', cause: 'retries-exhausted', detail: { message: `${state.failures} attempt(s) failed, the last with ${detail}` } }
  }
  return { kind: 'retry', at }
}

export function applyAnswer (record: EventRecord, op: Operation, result: ApiResult, limits: RetryLimits, now: number, random: () => number = Math.random): Step {
  const outcome = classify(op, result)
  switch (outcome.kind) {
    case 'ok':
      if (op === 'read') {
        adopt(record, limits.api, outcome.body)
        return { kind: 'continue' }
      }
      confirm(record, limits.api, outcome.body)
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
      return retry(record, limits, outcome.notBeforeMs, outcome.detail, now, random)
    case 'drop':
      return { kind: 'drop', cause: outcome.cause, detail: { message: outcome.detail, status: outcome.status, reason: outcome.reason, op } }
  }
}
