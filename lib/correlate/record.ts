// One Event as this process knows it: what it says, how many occurrences it has seen, what the server holds,
// and where it stands in delivery. Correlation creates and counts records; delivery moves them along.
import type { ObjectReference } from '../types.js'

/** What the server is believed to hold under the record's name: decides between POST, GET and PATCH. */
export type ServerView = 'absent' | 'unknown' | 'present'

/**
 * idle: nothing to send. parked: has occurrences but no room in the pending queue yet. ready: waiting for a
 * request slot. waiting: for a token of its object's bucket, or for a retry. in-flight: a request is out.
 */
export type DeliveryState = 'idle' | 'parked' | 'ready' | 'waiting' | 'in-flight'

export interface EventRecord {
  readonly key: string
  /** deterministic, so that restarts and replicas find the same Event */
  readonly name: string
  readonly namespace: string
  readonly spamKey: string
  readonly regarding: ObjectReference
  /** the second object the Event names; never on an aggregate, which stands for several */
  readonly related?: ObjectReference
  readonly type: string
  readonly reason: string
  readonly action: string
  /** for an aggregate, the latest combined message */
  message: string
  readonly aggregate: boolean
  /** epoch ms of the first and the latest occurrence */
  firstTime: number
  lastTime: number

  /** occurrences not yet carried by any request */
  pending: number
  /** occurrences carried by the current batch: the request in flight, or its retries */
  sending: number
  /** the count the server held when it last answered */
  serverCount: number
  server: ServerView
  resourceVersion?: string
  /** sequence number of the latest occurrence counted here */
  observedSeq: number
  /** every occurrence up to this sequence number is on the server or dropped */
  settledSeq: number
  /** whether the dedup cache still holds the record (else only delivery does) */
  cached: boolean

  delivery: {
    state: DeliveryState
    /** monotonic ms (lib/clock.ts) when a waiting record is due again */
    wakeAt: number
    waitingFor: 'token' | 'retry' | undefined
    /** marks the writes of the current batch on the server, to tell whether a write whose answer was lost landed */
    batchId: string
    /** observedSeq when the current batch was formed */
    batchSeq: number
    failures: number
    /** monotonic ms of the current batch's first failure, against which maxRetryAge is measured */
    firstFailureAt: number
    reauthenticated: boolean
    /** 409 and 404 turns taken for the current batch */
    detours: number
    /**
     * a write of the current batch went unanswered or failed on the server's side, and may have landed: until a
     * read tells, the batch keeps its occurrences as they were, or a landed write would be counted wrong
     */
    unconfirmedWrite: boolean
  }
}

export interface NewRecord {
  key: string
  name: string
  namespace: string
  spamKey: string
  regarding: ObjectReference
  related?: ObjectReference
  type: string
  reason: string
  action: string
  message: string
  aggregate: boolean
  time: number
}

export function newRecord (fields: NewRecord): EventRecord {
  const { time } = fields
  // Every field written out, resourceVersion too: records of one shape keep the code that counts occurrences on them
  // fast, where a spread and fields added later give each its own.
  return {
    key: fields.key,
    name: fields.name,
    namespace: fields.namespace,
    spamKey: fields.spamKey,
    regarding: fields.regarding,
    related: fields.related,
    type: fields.type,
    reason: fields.reason,
    action: fields.action,
    message: fields.message,
    aggregate: fields.aggregate,
    resourceVersion: undefined,
    firstTime: time,
    lastTime: time,
    pending: 0,
    sending: 0,
    serverCount: 0,
    server: 'absent',
    observedSeq: 0,
    settledSeq: 0,
    cached: true,
    delivery: {
      state: 'idle',
      wakeAt: 0,
      waitingFor: undefined,
      batchId: '',
      batchSeq: 0,
      failures: 0,
      firstFailureAt: 0,
      reauthenticated: false,
      detours: 0,
      unconfirmedWrite: false
    }
  }
}

/** occurrences this process has seen and not yet settled */
export function unsentCount (record: EventRecord): number {
  return record.pending + record.sending
}
