// What an API answer means for the record that caused it. Only the causes that another attempt can fix are
// retried; everything the server will answer the same way again is dropped with one clear cause.
import type { ApiResult } from '../types.js'

export type Operation = 'create' | 'read' | 'patch'

export const DROP_CAUSES = ['queue-full', 'forbidden', 'invalid', 'not-found', 'conflict', 'namespace-terminating',
  'retries-exhausted', 'unauthorized', 'no-connection', 'evicted', 'closed', 'unconfirmed'] as const
export type DropCause = typeof DROP_CAUSES[number]

export type Outcome =
  | { kind: 'ok', body: any }
  /** create answered AlreadyExists: another process (or an earlier life of this one) made it; read it */
  | { kind: 'exists' }
  /** patch with an outdated resourceVersion: read again and recompute */
  | { kind: 'conflict' }
  /** patch or read found nothing (the Event expired after its TTL or was deleted): create it again */
  | { kind: 'gone' }
  /**
   * another attempt may succeed. An answer from the server uses up one of maxAttempts; a network failure does
   * not (`network`), nor does a server too busy to take the request (`overload`): an outage or an overload is
   * bounded by maxRetryAge alone and everything waits for the server to take requests again.
   */
  | { kind: 'retry', notBeforeMs: number, detail: string, network: boolean, overload: boolean }
  | { kind: 'reauthenticate', detail: string }
  /** status and reason are absent when the request never reached the server */
  | { kind: 'drop', cause: DropCause, status?: number, reason?: string, detail: string }

/**
 * Failures on our side of the connection that no retry can mend: no usable configuration, a request that cannot
 * be written, a client already closed.
 */
const PERMANENT_NETWORK_CODES: Record<string, DropCause> = {
  NOCONFIG: 'no-connection',
  EINVALIDPATH: 'invalid',
  EINVALIDBODY: 'invalid',
  ECLOSED: 'invalid'
}

function statusMessage (status: number, body: any): string {
  return typeof body?.message === 'string' && body.message !== '' ? body.message : `HTTP ${status}`
}

function isNamespaceTerminating (body: any): boolean {
  const causes: unknown = body?.details?.causes
  return Array.isArray(causes) && causes.some(cause => cause?.reason === 'NamespaceTerminating' || cause?.type === 'NamespaceTerminating')
}

function retryAfterMs (result: { retryAfterSeconds?: number, body: any }): number {
  const fromBody: unknown = result.body?.details?.retryAfterSeconds
  const seconds = Math.max(result.retryAfterSeconds ?? 0, typeof fromBody === 'number' ? fromBody : 0)
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0
}

/**
 * The server turned the request away unread because it is busy: 429 (API Priority and Fairness, or a rate limit),
 * or 503 with Retry-After. Nothing of it was written, and sending less at once is the remedy.
 */
export function isOverload (result: ApiResult): boolean {
  if (result.kind !== 'response') return false
  return result.status === 429 || (result.status === 503 && retryAfterMs(result) > 0)
}

export function classify (op: Operation, result: ApiResult): Outcome {
  if (result.kind === 'network') {
    const detail = `${result.code}: ${result.message}`
    const cause = Object.hasOwn(PERMANENT_NETWORK_CODES, result.code) ? PERMANENT_NETWORK_CODES[result.code] : undefined
    return cause === undefined ? { kind: 'retry', notBeforeMs: 0, detail, network: true, overload: false } : { kind: 'drop', cause, detail }
  }
  const { status, body } = result
  const detail = statusMessage(status, body)
  const reason = typeof body?.reason === 'string' ? body.reason : ''
  if (status >= 200 && status < 300) return { kind: 'ok', body }
  if (status === 429 || status === 408 || status >= 500) {
    return { kind: 'retry', notBeforeMs: retryAfterMs(result), detail: `${status} ${detail}`, network: false, overload: isOverload(result) }
  }
  if (status === 401) return { kind: 'reauthenticate', detail }
  if (status === 403) {
    const cause = isNamespaceTerminating(body) ? 'namespace-terminating' : 'forbidden'
    return { kind: 'drop', cause, status, reason, detail }
  }
  if (status === 404) return op === 'create' ? { kind: 'drop', cause: 'not-found', status, reason, detail } : { kind: 'gone' }
  // Only these two 409s have a remedy; any other conflict would be answered the same way again.
  if (status === 409 && op === 'create' && reason === 'AlreadyExists') return { kind: 'exists' }
  if (status === 409 && op === 'patch' && reason === 'Conflict') return { kind: 'conflict' }
  if (status === 409) return { kind: 'drop', cause: 'conflict', status, reason, detail }
  return { kind: 'drop', cause: 'invalid', status, reason, detail }
}
