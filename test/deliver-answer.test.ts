// What each API answer does to a record, without a server: the paths that are hard to provoke over HTTP
// (a lost answer after a write landed, endless conflicts, retry age) are checked here one by one.
import t from 'tap'
import { applyAnswer, type AnswerContext } from '../lib/deliver/answer.js'
import { writeAnnotationOf } from '../lib/deliver/body.js'
import { nextOperation } from '../lib/deliver/requests.js'
import { newRecord, unsentCount, type EventRecord } from '../lib/correlate/record.js'
import type { ApiResult } from '../lib/types.js'

const WRITE_ANNOTATION = writeAnnotationOf({ component: 'pino-k8s-events', instance: 'devbox-1' })
const limits: AnswerContext = { api: 'v1', writeAnnotation: WRITE_ANNOTATION, maxAttempts: 4, maxRetryAgeMs: 10_000 }
const noJitter = (): number => 1

/** a record with `sending` occurrences in its current batch, as dispatch leaves it */
function sendingRecord (sending: number, over: Partial<EventRecord> = {}): EventRecord {
  const record = newRecord({
    key: 'k', name: 'demo-pod.abc', namespace: 'lab', spamKey: 's', type: 'Warning', reason: 'BackOff', action: 'Log',
    regarding: { apiVersion: 'v1', kind: 'Pod', name: 'demo-pod', namespace: 'lab' }, message: 'm', aggregate: false, time: 0
  })
  record.sending = sending
  record.observedSeq = 7
  record.delivery.batchId = 'batch-7'
  record.delivery.batchSeq = 7
  return Object.assign(record, over)
}

function answer (status: number, body?: unknown): ApiResult {
  return { kind: 'response', status, body }
}

function stored (count: number, resourceVersion: string, writeId = 'someone-else'): unknown {
  return { metadata: { name: 'demo-pod.abc', resourceVersion, annotations: { [WRITE_ANNOTATION]: writeId } }, count }
}

t.test('a created Event: the server count and resourceVersion become the base, the batch is settled', async t => {
  const record = sendingRecord(3)
  t.equal(nextOperation(record), 'create')
  t.same(applyAnswer(record, 'create', answer(201, stored(3, '10')), limits, 0), { kind: 'written', op: 'create' })
  t.match(record, { serverCount: 3, sending: 0, server: 'present', resourceVersion: '10', settledSeq: 7 })
  t.equal(nextOperation(record), 'patch')
})

t.test('409 AlreadyExists → read; the read count is the base for a PATCH that adds ours', async t => {
  const record = sendingRecord(4)
  t.same(applyAnswer(record, 'create', answer(409, { reason: 'AlreadyExists' }), limits, 0), { kind: 'continue' })
  t.equal(nextOperation(record), 'read')
  t.same(applyAnswer(record, 'read', answer(200, stored(10, '22')), limits, 0), { kind: 'continue' })
  t.match(record, { serverCount: 10, sending: 4, resourceVersion: '22', server: 'present' })
  t.equal(nextOperation(record), 'patch')
  t.equal(record.serverCount + record.sending, 14, 'the PATCH will carry 14')
})

t.test('a read that finds our own write of this batch: it landed, nothing is sent twice', async t => {
  const record = sendingRecord(2, { server: 'unknown' })
  applyAnswer(record, 'read', answer(200, stored(5, '30', 'batch-7')), limits, 0)
  t.match(record, { serverCount: 5, sending: 0, settledSeq: 7 })
  t.equal(unsentCount(record), 0)
})

t.test('409 Conflict on a PATCH → read again', async t => {
  const record = sendingRecord(1, { server: 'present', serverCount: 3, resourceVersion: '5' })
  t.same(applyAnswer(record, 'patch', answer(409, { reason: 'Conflict' }), limits, 0), { kind: 'continue' })
  t.equal(nextOperation(record), 'read')
})

t.test('a PATCH answered 404 → create again, with everything counted so far', async t => {
  const record = sendingRecord(2, { server: 'present', serverCount: 40, resourceVersion: '5' })
  applyAnswer(record, 'patch', answer(404, { reason: 'NotFound' }), limits, 0)
  t.equal(nextOperation(record), 'create')
  t.equal(record.resourceVersion, undefined)
  t.equal(record.serverCount + record.sending, 42, 'the new Event starts at the accumulated count')
})

t.test('lost races are never given up by count: they back off with jitter until maxRetryAge', async t => {
  const record = sendingRecord(1, { server: 'present', serverCount: 3, resourceVersion: '5' })
  let now = 1000
  const steps = []
  for (let i = 0; i < 200; i++) {
    const step = applyAnswer(record, 'patch', answer(409, { reason: 'Conflict' }), limits, now, noJitter)
    steps.push(step)
    if (step.kind === 'drop') break
    now = step.kind === 'back-off' ? step.at : now
    applyAnswer(record, 'read', answer(200, stored(3 + i, String(6 + i))), limits, now)
  }
  t.same(steps[0], { kind: 'continue' }, 'the first lost race is followed at once')
  t.same(steps.slice(1, 4), [{ kind: 'back-off', at: 1010 }, { kind: 'back-off', at: 1030 }, { kind: 'back-off', at: 1070 }], 'then pauses in a doubling window')
  t.ok(steps.length > 15, `${steps.length} lost races, and still trying until maxRetryAge`)
  t.match(steps.at(-1), { kind: 'drop', cause: 'conflict', detail: { message: /409\/404, \d+ times over \d+ s/ } })
  t.ok(now - 1000 <= limits.maxRetryAgeMs, 'given up when the next attempt would pass maxRetryAge after the first lost race')
  t.equal(record.delivery.failures, 0, 'lost races use up no attempts')
})

t.test('endless 409/404 turns on create end as a conflict drop after maxRetryAge', async t => {
  const record = sendingRecord(1)
  let now = 0
  let step
  for (let i = 0; i < 1000; i++) {
    step = applyAnswer(record, i % 2 === 0 ? 'create' : 'read', answer(i % 2 === 0 ? 409 : 404), limits, now, noJitter)
    if (step.kind === 'drop') break
    if (step.kind === 'back-off') now = step.at
  }
  t.match(step, { kind: 'drop', cause: 'conflict' })
})

t.test('a write that may have landed keeps its batch closed until a read tells; a definite refusal does not', async t => {
  const record = sendingRecord(2, { server: 'present', serverCount: 3, resourceVersion: '5' })
  applyAnswer(record, 'patch', answer(429, undefined), limits, 0, noJitter)
  t.equal(record.delivery.unconfirmedWrite, false, '429: the server never read it')
  applyAnswer(record, 'patch', answer(409, { reason: 'Conflict' }), limits, 0, noJitter)
  t.equal(record.delivery.unconfirmedWrite, false, '409: refused')
  applyAnswer(record, 'read', answer(200, stored(4, '6')), limits, 0)
  applyAnswer(record, 'patch', { kind: 'network', code: 'ECONNRESET', message: 'reset' }, limits, 0, noJitter)
  t.equal(record.delivery.unconfirmedWrite, true, 'an unanswered write may have landed')
  applyAnswer(record, 'patch', answer(409, { reason: 'Conflict' }), limits, 0, noJitter)
  t.equal(record.delivery.unconfirmedWrite, true, 'a later 409 does not say whether the earlier write landed')
  applyAnswer(record, 'read', answer(200, stored(5, '8')), limits, 0)
  t.equal(record.delivery.unconfirmedWrite, false, 'a read without our mark: it did not')
  applyAnswer(record, 'patch', answer(500), limits, 0, noJitter)
  t.equal(record.delivery.unconfirmedWrite, true, 'a 500 may come after the write')
})

t.test('retries back off, and stop after maxAttempts', async t => {
  const record = sendingRecord(1)
  const steps = [1, 2, 3, 4].map(() => applyAnswer(record, 'create', answer(503), limits, 1000, noJitter))
  t.same(steps.slice(0, 3), [{ kind: 'retry', at: 1200 }, { kind: 'retry', at: 1400 }, { kind: 'retry', at: 1800 }])
  t.match(steps[3], { kind: 'drop', cause: 'retries-exhausted', detail: { message: '4 attempt(s) failed, the last with 503 HTTP 503' } })
})

t.test('retries stop when the next one would come later than maxRetryAgeMs after the first failure', async t => {
  const record = sendingRecord(1)
  t.same(applyAnswer(record, 'create', { kind: 'network', code: 'ECONNREFUSED', message: 'refused' }, limits, 0, noJitter), { kind: 'retry', at: 200 })
  const late = applyAnswer(record, 'create', answer(429, { details: { retryAfterSeconds: 20 } }), limits, 300, noJitter)
  t.match(late, { kind: 'drop', cause: 'retries-exhausted' })
})

t.test('429 waits at least Retry-After, spread up to half as long again', async t => {
  const record = sendingRecord(1)
  t.same(applyAnswer(record, 'create', { kind: 'response', status: 429, body: {}, retryAfterSeconds: 2 }, limits, 0, noJitter), { kind: 'retry', at: 3000 })
  t.same(applyAnswer(sendingRecord(1), 'create', { kind: 'response', status: 429, body: {}, retryAfterSeconds: 2 }, limits, 0, () => 0), { kind: 'retry', at: 2000 })
})

t.test('overload rejections use up no attempts: only maxRetryAge ends them', async t => {
  const record = sendingRecord(1)
  const long = { ...limits, maxRetryAgeMs: 60_000 }
  let now = 0
  const steps = []
  for (let i = 0; i < 20; i++) {
    const step = applyAnswer(record, 'create', { kind: 'response', status: 429, body: undefined, retryAfterSeconds: 1 }, long, now, noJitter)
    steps.push(step.kind)
    if (step.kind !== 'retry') break
    now = step.at
  }
  t.ok(steps.filter(kind => kind === 'retry').length > long.maxAttempts, `${steps.length} rejections, more than maxAttempts (${long.maxAttempts})`)
  t.equal(steps.at(-1), 'drop', 'until maxRetryAge')
  t.equal(record.delivery.failures, 0)
})

t.test('401: one reauthentication per batch, then unauthorized', async t => {
  const record = sendingRecord(1)
  t.same(applyAnswer(record, 'create', answer(401), limits, 0), { kind: 'reauthenticate' })
  t.match(applyAnswer(record, 'create', answer(401, { message: 'Unauthorized' }), limits, 0), { kind: 'drop', cause: 'unauthorized', detail: { status: 401 } })
  const next = sendingRecord(1)
  applyAnswer(next, 'create', answer(401), limits, 0)
  applyAnswer(next, 'create', answer(201, stored(1, '1')), limits, 0)
  t.same(applyAnswer(next, 'patch', answer(401), limits, 0), { kind: 'reauthenticate' }, 'a success resets it')
})

t.test('a success resets the failure count of the next batch', async t => {
  const record = sendingRecord(1)
  applyAnswer(record, 'create', answer(500), limits, 0)
  applyAnswer(record, 'create', answer(201, stored(1, '1')), limits, 0)
  t.equal(record.delivery.failures, 0)
})

t.test('network failures lengthen the backoff but do not use up maxAttempts; maxRetryAge still ends them', async t => {
  const record = sendingRecord(1)
  const refused: ApiResult = { kind: 'network', code: 'ECONNREFUSED', message: 'refused' }
  const long = { ...limits, maxRetryAgeMs: 300_000 }
  let now = 0
  const steps = []
  for (let i = 0; i < 12; i++) {
    const step = applyAnswer(record, 'create', refused, long, now, noJitter)
    steps.push(step)
    if (step.kind === 'retry') now = step.at
  }
  t.ok(steps.every(step => step.kind === 'retry'), `12 network failures, more than maxAttempts (${long.maxAttempts}), and still retrying`)
  t.equal(now - (steps.at(-2) as { at: number }).at, 30_000, 'backing off at the 30 s ceiling')
  t.same(applyAnswer(record, 'create', answer(503), long, now, noJitter).kind, 'retry', 'an answer from the server counts one attempt')
  while (true) {
    const step = applyAnswer(record, 'create', refused, long, now, noJitter)
    if (step.kind !== 'retry') {
      t.match(step, { kind: 'drop', cause: 'retries-exhausted', detail: { message: /attempt\(s\) failed, the last with ECONNREFUSED/ } })
      t.ok(now + 30_000 > 300_000, `given up when the next retry would pass maxRetryAge (at ${now} ms)`)
      break
    }
    now = step.at
  }
})

t.test('answers from the server still count: maxAttempts of them end the batch, network failures between them aside', async t => {
  const record = sendingRecord(1)
  const long = { ...limits, maxRetryAgeMs: 300_000 }
  const steps = [503, 'net', 503, 'net', 429, 'net', 503, 500].map(what => applyAnswer(record, 'patch',
    what === 'net' ? { kind: 'network', code: 'ECONNRESET', message: 'reset' } : answer(what as number), long, 0, noJitter))
  t.same(steps.map(step => step.kind), ['retry', 'retry', 'retry', 'retry', 'retry', 'retry', 'retry', 'drop'], 'the fourth failing server answer is the last; the 429 is none')
  t.match(steps.at(-1), { cause: 'retries-exhausted', detail: { message: /^8 attempt\(s\) failed, the last with 500/ } })
})

t.test('a 2xx read without a readable Event is retried, never built on', async t => {
  for (const body of [undefined, 'not an event', {}, { metadata: { name: 'demo-pod.abc' } }]) {
    const record = sendingRecord(2, { server: 'unknown', serverCount: 5, resourceVersion: '9' })
    t.same(applyAnswer(record, 'read', answer(200, body), limits, 0, noJitter), { kind: 'retry', at: 200 }, JSON.stringify(body))
    t.match(record, { server: 'unknown', serverCount: 5, sending: 2, resourceVersion: '9' }, 'what the record knew is kept')
    t.equal(nextOperation(record), 'read', 'read again')
  }
})

t.test("a read finds our own landed write under our key, whatever another replica wrote under its own", async t => {
  const record = sendingRecord(2, { server: 'unknown' })
  const other = writeAnnotationOf({ component: 'pino-k8s-events', instance: 'devbox-2' })
  const body = { metadata: { name: 'demo-pod.abc', resourceVersion: '31', annotations: { [WRITE_ANNOTATION]: 'batch-7', [other]: 'their-batch' } }, count: 6 }
  applyAnswer(record, 'read', answer(200, body), limits, 0)
  t.match(record, { serverCount: 6, sending: 0, settledSeq: 7 })
})

t.test('a client that cannot send drops the batch at once', async t => {
  const record = sendingRecord(3)
  t.match(applyAnswer(record, 'create', { kind: 'network', code: 'NOCONFIG', message: 'no configuration' }, limits, 0),
    { kind: 'drop', cause: 'no-connection', detail: { message: 'NOCONFIG: no configuration', status: undefined } })
  t.match(applyAnswer(sendingRecord(1), 'patch', { kind: 'network', code: 'ECLOSED', message: 'the client is closed' }, limits, 0),
    { kind: 'drop', cause: 'invalid' })
})
