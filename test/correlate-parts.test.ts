import t from 'tap'
import { LruCache } from '../lib/correlate/lru.js'
import { TokenBucket } from '../lib/correlate/token-bucket.js'
import { createAggregator } from '../lib/correlate/aggregator.js'
import { fingerprint } from '../lib/correlate/fingerprint.js'
import { createSpamFilter } from '../lib/correlate/spam-filter.js'
import { combinedMessage, COMBINED_PREFIX } from '../lib/correlate/combined-message.js'
import { createKeyMaker, nameIdentity, spamKey } from '../lib/correlate/keys.js'
import { eventName } from '../lib/correlate/names.js'
import { createHash } from 'node:crypto'
import type { EventShape, Source } from '../lib/types.js'

const eventKey = (source: Source, shape: EventShape): string => createKeyMaker(source)(shape).event
const aggregateKey = (source: Source, shape: EventShape): string => createKeyMaker(source)(shape).aggregate

const source: Source = { component: 'kubelet', instance: 'kublet.node1' }
function shape (over: Partial<EventShape> = {}, ref: Partial<EventShape['regarding']> = {}): EventShape {
  return {
    type: 'Normal',
    reason: 'Started',
    message: 'my message',
    action: 'Log',
    namespace: 'my-ns',
    time: 0,
    ...over,
    regarding: { apiVersion: 'v1', kind: 'Pod', name: 'my-pod', namespace: 'my-ns', uid: 'C934D34AFB20242', fieldPath: 'spec.containers{mycontainer}', ...ref }
  }
}

t.test('the LRU forgets the least recently used entry and reports it', async t => {
  const evicted: string[] = []
  const lru = new LruCache<string, number>(2, key => evicted.push(key))
  lru.set('a', 1)
  lru.set('b', 2)
  t.equal(lru.get('a'), 1, 'reading a marks it as used')
  lru.set('c', 3)
  t.same(evicted, ['b'])
  t.equal(lru.get('b'), undefined)
  t.equal(lru.size, 2)
  lru.set('a', 10)
  t.same(evicted, ['b'], 'replacing a value evicts nothing')
  t.equal(lru.get('a'), 10)
})

t.test('the LRU stays at its size under a flood of keys', async t => {
  const lru = new LruCache<number, number>(100)
  for (let i = 0; i < 100_000; i++) lru.set(i, i)
  t.equal(lru.size, 100)
  t.equal(lru.get(99_999), 99_999)
  t.equal(lru.get(99_899), undefined)
})

t.test('a token bucket gives its burst, then one token per 1/qps seconds', async t => {
  const bucket = new TokenBucket(25, 1 / 300, 0)
  let taken = 0
  while (bucket.take(0)) taken++
  t.equal(taken, 25)
  t.equal(bucket.msUntilToken(0), 300_000)
  t.notOk(bucket.take(299_999))
  t.equal(bucket.msUntilToken(299_999), 1)
  t.ok(bucket.take(300_000))
  t.notOk(bucket.take(300_000))
  t.ok(bucket.take(10_000_000), 'refills after a long pause')
  let afterPause = 1
  while (bucket.take(10_000_000)) afterPause++
  t.equal(afterPause, 25, 'never more than the burst')
})

t.test('a bucket without refill never gets a token back', async t => {
  const bucket = new TokenBucket(1, 0, 0)
  t.ok(bucket.take(0))
  t.equal(bucket.msUntilToken(1e12), Infinity)
})

t.test('keys: same object and reason with different messages are similar, a different reason is not (client-go TestEventAggregatorByReasonFunc)', async t => {
  const one = shape({ message: 'message 1' })
  const two = shape({ message: 'message 2' })
  const otherReason = shape({ reason: 'Killed' })
  t.equal(aggregateKey(source, one), aggregateKey(source, two))
  t.not(eventKey(source, one), eventKey(source, two))
  t.not(aggregateKey(source, one), aggregateKey(source, otherReason))
  t.equal(aggregateKey(source, one), aggregateKey(source, shape({}, { fieldPath: 'spec.containers{other}' })), 'fieldPath is not in the aggregate key')
  t.not(eventKey(source, one), eventKey(source, shape({ message: 'message 1' }, { fieldPath: 'spec.containers{other}' })), 'fieldPath is in the event key')
  t.equal(spamKey(source, one), spamKey(source, otherReason), 'reason and message are not in the spam key')
  t.not(spamKey(source, one), spamKey(source, shape({ type: 'Warning' })), 'type is in the spam key')
  t.not(spamKey(source, one), spamKey(source, shape({}, { uid: 'other' })), 'uid is in the spam key')
})

t.test('keys: a value that contains a separator cannot make two events look the same', async t => {
  t.not(eventKey(source, shape({ reason: 'a', message: 'b|c' })), eventKey(source, shape({ reason: 'a|b', message: 'c' })))
})

t.test('the name identity leaves the instance out, so replicas and restarts continue one Event', async t => {
  const other: Source = { component: 'kubelet', instance: 'another-pod' }
  t.equal(nameIdentity(source, shape(), false), nameIdentity(other, shape(), false))
  t.not(eventKey(source, shape()), eventKey(other, shape()))
  t.not(nameIdentity(source, shape(), false), nameIdentity({ component: 'other', instance: 'x' }, shape(), false))
  t.not(nameIdentity(source, shape(), true), nameIdentity(source, shape(), false))
})

t.test('the aggregator: the 10th distinct message within the window aggregates, identical ones never do', async t => {
  const aggregator = createAggregator({ cacheSize: 10, maxEvents: 10, intervalSeconds: 600 })
  for (let i = 0; i < 9; i++) t.notOk(aggregator.observe('k', `m${i}`, i * 1000), `distinct message ${i + 1} passes`)
  t.ok(aggregator.observe('k', 'm9', 9000), 'the 10th distinct message aggregates')
  t.ok(aggregator.observe('k', 'm10', 10_000), 'so does every further distinct one')
  const same = createAggregator({ cacheSize: 10, maxEvents: 10, intervalSeconds: 600 })
  let aggregated = 0
  for (let i = 0; i < 100; i++) if (same.observe('k', 'same', i)) aggregated++
  t.equal(aggregated, 0, 'one message repeated 100 times never aggregates')
})

t.test('a message fingerprint is a safe integer, equal for equal texts and apart for different ones', async t => {
  t.equal(fingerprint('disk pressure'), fingerprint('disk ' + 'pressure'))
  t.ok(Number.isSafeInteger(fingerprint('€'.repeat(400))))
  const seen = new Set<number>()
  for (let i = 0; i < 100_000; i++) seen.add(fingerprint(`replica ${i} is not ready`))
  seen.add(fingerprint(''))
  seen.add(fingerprint('\u0100'))
  seen.add(fingerprint('\u0001'))
  t.equal(seen.size, 100_003, 'no two of 100 003 distinct messages share a fingerprint')
})

t.test('the aggregator window is rolling: a pause longer than the interval starts over', async t => {
  const aggregator = createAggregator({ cacheSize: 10, maxEvents: 3, intervalSeconds: 600 })
  t.notOk(aggregator.observe('k', 'a', 0))
  t.notOk(aggregator.observe('k', 'b', 600_000))
  t.ok(aggregator.observe('k', 'c', 1_200_000), 'each occurrence keeps the window open')
  t.notOk(aggregator.observe('k', 'd', 1_800_001), 'after more than 600 s of quiet the count restarts')
})

t.test('the spam filter keeps a bucket per key and answers how long to wait', async t => {
  const filter = createSpamFilter({ cacheSize: 10, rateLimit: { burst: 2, qps: 1 } })
  t.equal(filter.take('a', 0), 0)
  t.equal(filter.take('a', 0), 0)
  t.equal(filter.take('a', 0), 1000)
  t.equal(filter.take('b', 0), 0, 'another key has its own burst')
  t.equal(filter.take('a', 1000), 0)
  const off = createSpamFilter({ cacheSize: 10, rateLimit: false })
  let allowed = 0
  for (let i = 0; i < 1000; i++) if (off.take('a', 0) === 0) allowed++
  t.equal(allowed, 1000, 'without a rate limit every request may go')
})

t.test('the combined message keeps within 1024 UTF-8 bytes without splitting a character', async t => {
  t.equal(combinedMessage('short'), COMBINED_PREFIX + 'short')
  const long = 'start' + '€'.repeat(400) + 'end'
  const combined = combinedMessage(long)
  t.ok(Buffer.byteLength(combined) <= 1024, `${Buffer.byteLength(combined)} bytes`)
  t.ok(combined.startsWith(COMBINED_PREFIX + 'start'))
  t.ok(combined.endsWith('end'))
  t.match(combined, /\.\.\./)
  t.notMatch(combined, /\uFFFD/, 'no broken character')
  t.equal(Buffer.byteLength(combinedMessage('x'.repeat(2000))), 1024, 'an ASCII message fills the limit exactly')
})

t.test('Event names differ per API, and core/v1 keeps the names it always had', async t => {
  const core = eventName('demo-pod', 'Pod', 'identity')
  t.equal(eventName('demo-pod', 'Pod', 'identity', 'v1'), core)
  const series = eventName('demo-pod', 'Pod', 'identity', 'events.k8s.io/v1')
  t.not(series, core)
  t.match(series, /^demo-pod\.[0-9a-f]{32}$/)
  t.equal(core, `demo-pod.${createHash('sha256').update('identity').digest('hex').slice(0, 32)}`, 'the core/v1 hash is unchanged')
})
