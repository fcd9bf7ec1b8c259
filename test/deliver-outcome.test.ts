import t from 'tap'
import { backoffMs, conflictBackoffMs, retryAfterSpreadMs } from '../lib/deliver/backoff.js'
import { classify, isOverload } from '../lib/deliver/outcome.js'
import type { ApiResult } from '../lib/types.js'

function answer (status: number, body?: unknown, retryAfterSeconds?: number): ApiResult {
  return { kind: 'response', status, body, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) }
}

t.test('success', async t => {
  t.same(classify('create', answer(201, { metadata: {} })), { kind: 'ok', body: { metadata: {} } })
  t.equal(classify('patch', answer(200, {})).kind, 'ok')
})

t.test('network failures, 5xx and 429 are retried; Retry-After from header or body, whichever is larger', async t => {
  t.same(classify('create', { kind: 'network', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }),
    { kind: 'retry', notBeforeMs: 0, detail: 'ECONNREFUSED: connect ECONNREFUSED', network: true, overload: false })
  t.match(classify('patch', answer(500, { message: 'etcd timeout' })), { kind: 'retry', network: false, overload: false })
  t.equal(classify('patch', answer(503)).kind, 'retry')
  const header = classify('create', answer(429, { details: { retryAfterSeconds: 1 } }, 3))
  t.equal(header.kind === 'retry' && header.notBeforeMs, 3000)
  const body = classify('create', answer(429, { details: { retryAfterSeconds: 5 } }, 2))
  t.equal(body.kind === 'retry' && body.notBeforeMs, 5000)
})

t.test('failures on our side of the connection are dropped at once: no retry can mend them', async t => {
  t.same(classify('create', { kind: 'network', code: 'NOCONFIG', message: 'no Kubernetes API configuration' }),
    { kind: 'drop', cause: 'no-connection', detail: 'NOCONFIG: no Kubernetes API configuration' })
  for (const code of ['EINVALIDPATH', 'EINVALIDBODY', 'ECLOSED']) {
    t.match(classify('patch', { kind: 'network', code, message: 'refused here' }), { kind: 'drop', cause: 'invalid', status: undefined }, code)
  }
  for (const code of ['ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'CREDENTIALS', 'toString']) {
    t.match(classify('create', { kind: 'network', code, message: 'x' }), { kind: 'retry', network: true }, code)
  }
})

t.test('401 asks for fresh credentials', async t => {
  t.equal(classify('create', answer(401, { message: 'Unauthorized', reason: 'Unauthorized' })).kind, 'reauthenticate')
})

t.test('403: RBAC is "forbidden", a terminating namespace is its own quiet cause', async t => {
  const rbac = classify('create', answer(403, { reason: 'Forbidden', message: 'events is forbidden: User "nobody" cannot create resource "events"' }))
  t.match(rbac, { kind: 'drop', cause: 'forbidden', status: 403, reason: 'Forbidden', detail: /cannot create/ })
  const terminating = classify('create', answer(403, {
    reason: 'Forbidden',
    message: 'events "x" is forbidden: unable to create new content in namespace doomed because it is being terminated',
    details: { causes: [{ reason: 'NamespaceTerminating', message: 'namespace doomed is being terminated', field: 'metadata.namespace' }] }
  }))
  t.match(terminating, { kind: 'drop', cause: 'namespace-terminating' })
})

t.test('404: a missing namespace drops a create; an update or read of a missing Event re-creates it', async t => {
  t.match(classify('create', answer(404, { reason: 'NotFound', message: 'namespaces "ghost" not found' })), { kind: 'drop', cause: 'not-found', detail: 'namespaces "ghost" not found' })
  t.same(classify('patch', answer(404)), { kind: 'gone' })
  t.same(classify('read', answer(404)), { kind: 'gone' })
})

t.test('409: a create finds the Event exists, a patch finds it changed', async t => {
  t.same(classify('create', answer(409, { reason: 'AlreadyExists' })), { kind: 'exists' })
  t.same(classify('patch', answer(409, { reason: 'Conflict' })), { kind: 'conflict' })
  t.match(classify('create', answer(409, { reason: 'Conflict', message: 'something else' })), { kind: 'drop', cause: 'conflict', detail: 'something else' },
    'any other 409 would be answered the same way again')
})

t.test('400, 422 and other client errors are dropped as invalid with the server message', async t => {
  t.match(classify('create', answer(422, { reason: 'Invalid', message: 'Event "x" is invalid: type: Invalid value' })), { kind: 'drop', cause: 'invalid', status: 422, reason: 'Invalid', detail: /is invalid/ })
  t.match(classify('create', answer(400, { reason: 'BadRequest', message: 'cannot parse' })), { kind: 'drop', cause: 'invalid', status: 400 })
  t.match(classify('patch', answer(415)), { kind: 'drop', cause: 'invalid', detail: 'HTTP 415' })
})

t.test('backoff doubles from 200 ms up to 30 s, with equal jitter', async t => {
  t.equal(backoffMs(1, () => 0), 100)
  t.equal(backoffMs(1, () => 1), 200)
  t.equal(backoffMs(2, () => 1), 400)
  t.equal(backoffMs(4, () => 0.5), 1200)
  t.equal(backoffMs(20, () => 1), 30_000)
  t.equal(backoffMs(20, () => 0), 15_000)
  for (let failures = 1; failures < 40; failures++) {
    const delay = backoffMs(failures)
    if (delay <= 0 || delay > 30_000) t.fail(`delay ${delay} after ${failures} failures`)
  }
})

t.test('overload: 429 (with or without Retry-After), and 503 only with Retry-After', async t => {
  // API Priority and Fairness answers 429 in text/plain: the body is no JSON Status.
  t.ok(isOverload(answer(429, undefined, 1)))
  t.ok(isOverload(answer(429)))
  t.ok(isOverload(answer(503, undefined, 2)))
  t.ok(isOverload(answer(503, { details: { retryAfterSeconds: 1 } })))
  t.notOk(isOverload(answer(503)))
  t.notOk(isOverload(answer(500, undefined, 1)))
  t.notOk(isOverload({ kind: 'network', code: 'ECONNRESET', message: 'reset' }))
  t.match(classify('create', answer(429, undefined, 1)), { kind: 'retry', overload: true, notBeforeMs: 1000, detail: '429 HTTP 429' })
})

t.test('lost races: the first is followed at once, later ones after a random pause in a doubling window up to 1 s', async t => {
  t.equal(conflictBackoffMs(1, () => 1), 0)
  t.equal(conflictBackoffMs(2, () => 1), 10)
  t.equal(conflictBackoffMs(3, () => 1), 20)
  t.equal(conflictBackoffMs(2, () => 0), 0, 'full jitter: anywhere in the window')
  t.equal(conflictBackoffMs(30, () => 1), 1000)
  t.equal(conflictBackoffMs(30, () => 0.5), 500)
})

t.test('Retry-After is spread over [1, 1.5] times itself, never earlier', async t => {
  t.equal(retryAfterSpreadMs(1000, () => 0), 1000)
  t.equal(retryAfterSpreadMs(1000, () => 1), 1500)
  t.equal(retryAfterSpreadMs(0, () => 1), 0)
  const spread = new Set(Array.from({ length: 50 }, () => retryAfterSpreadMs(1000)))
  t.ok(spread.size > 10, `${spread.size} different waits in 50`)
})
