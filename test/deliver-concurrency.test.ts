// The in-flight limit that adapts to what the API server admits: halved by an overload rejection (once per burst),
// grown by about one per round of admitted requests, never past the ceiling that applies, never below 1.
import t from 'tap'
import { AdaptiveConcurrency, OverloadNotice } from '../lib/deliver/concurrency.js'

t.test('starts at its initial value, held to the ceiling that applies', async t => {
  const limit = new AdaptiveConcurrency(32)
  t.equal(limit.slots(8), 8, 'concurrency')
  t.equal(limit.slots(32), 32, 'while flushing')
})

t.test('a rejection halves what was in use; the rejections of one burst count once', async t => {
  const limit = new AdaptiveConcurrency(32)
  const sent = limit.generation
  limit.rejected(sent, 16)
  t.equal(limit.slots(16), 8, 'half of the 16 in use, not of 32')
  for (let i = 0; i < 10; i++) limit.rejected(sent, 16)
  t.equal(limit.slots(16), 8, 'the other rejections of requests sent under the old limit are the same signal')
  limit.rejected(limit.generation, 16)
  limit.rejected(limit.generation, 16)
  limit.rejected(limit.generation, 16)
  limit.rejected(limit.generation, 16)
  t.equal(limit.slots(16), 1, 'down to 1')
  limit.rejected(limit.generation, 16)
  t.equal(limit.slots(16), 1, 'and no lower')
})

t.test('admitted requests grow it by about one per round, up to the ceiling only', async t => {
  const limit = new AdaptiveConcurrency(32)
  limit.rejected(limit.generation, 8)
  limit.rejected(limit.generation, 8)
  limit.rejected(limit.generation, 8)
  t.equal(limit.slots(8), 1)
  limit.admitted(8)
  t.equal(limit.slots(8), 2, 'one round of one request')
  limit.admitted(8)
  limit.admitted(8)
  t.equal(limit.slots(8), 2, 'two more admitted: 2.9, not yet 3')
  limit.admitted(8)
  t.equal(limit.slots(8), 3, 'about one more per round of requests')
  for (let i = 0; i < 100; i++) limit.admitted(8)
  t.equal(limit.slots(8), 8, 'up to concurrency')
  t.equal(limit.slots(32), 8, 'not past it while nothing needed more: a flush starts from what was in use')
  for (let i = 0; i < 1000; i++) limit.admitted(32)
  t.equal(limit.slots(32), 32, 'a flush grows it further')
})

t.test('overload is told once when it brings the limit down to one request at a time, and recovery once', async t => {
  const lines: string[] = []
  const notice = new OverloadNotice((_key, message) => { lines.push(message) }, () => 'https://api.example:6443')
  notice.update(4, 8)
  t.same(lines, [], 'a passing rejection is no news')
  notice.update(1, 8)
  notice.update(1, 8)
  notice.update(2, 8)
  t.equal(lines.length, 1, 'once')
  t.match(lines[0], /the API server at https:\/\/api\.example:6443 keeps rejecting requests for overload \(429 Too Many Requests.*nothing is lost unless it lasts maxRetryAge.*more seats \(API Priority and Fairness\) or lower `concurrency`/)
  notice.update(8, 8)
  notice.update(8, 8)
  t.equal(lines.length, 2)
  t.equal(lines[1], 'the API server at https://api.example:6443 admits requests again: up to 8 at once')
  notice.update(1, 1)
  t.equal(lines.length, 2, 'concurrency 1 is the user\'s choice, not overload')
})
