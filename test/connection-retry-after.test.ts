import t from 'tap'
import { classifyNetworkError, parseRetryAfter } from '../lib/connection/index.js'

t.test('Retry-After in delay-seconds', async t => {
  t.equal(parseRetryAfter('3'), 3)
  t.equal(parseRetryAfter(' 0 '), 0)
  t.equal(parseRetryAfter(['7', '9']), 7)
  t.equal(parseRetryAfter('999999999'), 86400, 'capped at a day')
})

t.test('Retry-After as an HTTP date counts from now, rounding up, never negative', async t => {
  const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT')
  t.equal(parseRetryAfter('Wed, 21 Oct 2026 07:28:10 GMT', now), 10)
  t.equal(parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', now + 1500), 0)
  t.equal(parseRetryAfter('Wed, 21 Oct 2026 07:28:01 GMT', now + 200), 1)
})

t.test('an absent or unreadable Retry-After is undefined', async t => {
  t.equal(parseRetryAfter(undefined), undefined)
  t.equal(parseRetryAfter(''), undefined)
  t.equal(parseRetryAfter('-5'), undefined)
  t.equal(parseRetryAfter('1.5'), undefined)
  t.equal(parseRetryAfter('soon'), undefined)
})

t.test('network errors keep their code and say where, without secrets', async t => {
  const refused = classifyNetworkError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'POST https://127.0.0.1:1/api')
  t.equal(refused.kind, 'network')
  t.equal(refused.code, 'ECONNREFUSED')
  t.match(refused.message, /^POST https:\/\/127\.0\.0\.1:1\/api: connect ECONNREFUSED/)
  const hangUp = classifyNetworkError(new Error('socket hang up'), 'GET x')
  t.equal(hangUp.code, 'ECONNRESET')
  const untrusted = classifyNetworkError(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'GET x')
  t.match(untrusted.message, /not signed by the configured certificate authority/)
  const leaky = classifyNetworkError(new Error('failed with Authorization: Bearer abc.def.ghi'), 'GET x')
  t.equal(leaky.code, 'ENETWORK')
  t.notMatch(leaky.message, /abc\.def\.ghi/)
})
