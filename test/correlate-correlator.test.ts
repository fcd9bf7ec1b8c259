// client-go's correlator cases (events_cache_test.go C1-C9, SF1-SF3) and the TestEventf sequence, adapted:
// here an occurrence is counted on a record and the record is written later; "count" is everything the record
// has seen, and "skipped" becomes "must wait for a token" because throttled occurrences are kept.
import t, { type Test } from 'tap'
import { createCorrelator, type Correlator } from '../lib/correlate/index.js'
import { unsentCount, type EventRecord } from '../lib/correlate/record.js'
import type { Config, EventShape, ObjectReference, Source } from '../lib/types.js'

const source: Source = { component: 'kubelet', instance: 'kublet.node1' }
const pod: ObjectReference = { apiVersion: 'version', kind: 'Pod', name: 'my-pod', namespace: 'my-ns', uid: 'C934D34AFB20242', fieldPath: 'spec.containers{mycontainer}' }

function correlation (over: Partial<Config['correlation']> = {}): Pick<Config, 'correlation'> {
  return { correlation: { cacheSize: 4096, aggregate: { maxEvents: 10, intervalSeconds: 600 }, rateLimit: { burst: 25, qps: 1 / 300 }, ...over } }
}

function makeCorrelator (over: Partial<Config['correlation']> = {}, evicted: EventRecord[] = []): Correlator {
  return createCorrelator({ config: correlation(over), source, onEvict: record => evicted.push(record) })
}

function event (over: Partial<EventShape> = {}, ref: Partial<ObjectReference> = {}): EventShape {
  return { type: 'Normal', reason: 'my reasons are many', message: 'my message', action: 'Log', namespace: 'my-ns', time: 0, ...over, regarding: { ...pod, ...ref } }
}

/** everything the record has seen: what the server holds plus what is still to be written */
function total (record: EventRecord): number {
  return record.serverCount + unsentCount(record)
}

/** a clock that the test moves by hand */
function clock (): { now: () => number, tick: (seconds: number) => number } {
  let time = 1_700_000_000_000
  return { now: () => time, tick: seconds => (time += seconds * 1000) }
}

function observe (correlator: Correlator, shape: EventShape, now: number): EventRecord {
  const observed = correlator.observe({ ...shape, time: now }, now, true)
  if (observed === undefined) throw new Error('nothing observed')
  return observed.record
}

function timestampsAgree (t: Test, record: EventRecord): void {
  if (total(record) === 1) t.equal(record.firstTime, record.lastTime, 'count 1: first and last timestamp are equal')
  else t.ok(record.lastTime > record.firstTime, 'count > 1: the first timestamp is kept from the first occurrence')
}

t.test('C1 a single event is new, count 1', async t => {
  const c = makeCorrelator()
  const observed = c.observe(event({ time: 5 }), 5, true)
  t.ok(observed?.created)
  t.equal(total(observed!.record), 1)
  timestampsAgree(t, observed!.record)
  t.match(observed!.record.name, /^my-pod\.[0-9a-f]{32}$/)
})

t.test('C2 the same event just counts', async t => {
  const c = makeCorrelator()
  const { now, tick } = clock()
  observe(c, event(), now())
  tick(1)
  const observed = c.observe(event({ time: now() }), now(), true)
  t.notOk(observed?.created, 'the second occurrence updates the first Event (a PATCH)')
  t.equal(total(observed!.record), 2)
  timestampsAgree(t, observed!.record)
})

t.test('C3 the same event counts even past the aggregation threshold: identical messages never aggregate', async t => {
  const c = makeCorrelator()
  const { now, tick } = clock()
  for (let i = 0; i < 10; i++) {
    observe(c, event(), now())
    tick(30)
  }
  const record = observe(c, event(), now())
  t.equal(total(record), 11)
  t.notOk(record.aggregate)
  t.equal(record.message, 'my message')
  let throttled = 0
  for (let i = 0; i < 11; i++) if (c.takeToken(record, now()) > 0) throttled++
  t.equal(throttled, 0, '11 requests stay within the burst of 25')
})

t.test('C4 the same event too often must wait for a token; unlike client-go its count is kept', async t => {
  const c = makeCorrelator()
  const { now, tick } = clock()
  let record: EventRecord | undefined
  // Each occurrence asks for a token as if it went out alone, as client-go's recorder does.
  const waits: number[] = []
  for (let i = 0; i < 27; i++) {
    record = observe(c, event(), now())
    waits.push(c.takeToken(record, now()))
    tick(1)
  }
  t.same(waits.slice(0, 25), new Array(25).fill(0), 'the burst of 25 passes')
  t.ok(waits[25] > 0 && waits[26] > 0, 'the 26th and 27th must wait (client-go skips them)')
  t.ok(waits[26] <= 300_000, 'at most one refill period')
  t.equal(total(record!), 27, 'the throttled occurrences are still counted and will be written later')
})

t.test('C5 many unique events: a new unique one is its own Event with count 1', async t => {
  const c = makeCorrelator()
  const { now, tick } = clock()
  for (let i = 0; i < 30; i++) {
    observe(c, event({ reason: `reason-${i}`, namespace: `ns-${i}` }, { name: `pod-${i}`, namespace: `ns-${i}` }), now())
    tick(1)
  }
  const observed = c.observe(event({ time: now() }), now(), true)
  t.ok(observed?.created)
  t.equal(total(observed!.record), 1)
  t.equal(c.takeToken(observed!.record, now()), 0, 'the object has its own bucket')
})

function similar (i: number): EventShape {
  return event({ message: `similar message-${i}-similar message` }, { fieldPath: 'spec.containers{container1}' })
}

t.test('C6 similar events aggregate: the 10th distinct message goes to the combined Event', async t => {
  const c = makeCorrelator()
  const { now, tick } = clock()
  const records = new Set<EventRecord>()
  for (let i = 0; i < 9; i++) {
    records.add(observe(c, similar(i), now()))
    tick(1)
  }
  t.equal(records.size, 9, 'the first nine are Events of their own')
  const observed = c.observe(event({ message: 'similar message', time: now() }), now(), true)
  const record = observed!.record
  t.ok(observed?.created)
  t.ok(record.aggregate)
  t.equal(record.message, '(combined from similar events): similar message')
  t.equal(record.reason, 'my reasons are many')
  t.equal(record.type, 'Normal')
  t.same({ ...record.regarding, fieldPath: undefined }, { ...pod, fieldPath: undefined })
  t.equal(record.regarding.fieldPath, undefined, 'the aggregate names no single subobject')
  t.equal(total(record), 1)
  timestampsAgree(t, record)
})

t.test('C7 similar events many times count the aggregate', async t => {
  const c = makeCorrelator()
  const { now, tick } = clock()
  for (let i = 0; i < 10; i++) {
    observe(c, similar(i), now())
    tick(1)
  }
  const record = observe(c, event({ message: 'similar message' }), now())
  t.ok(record.aggregate)
  t.equal(total(record), 2)
  t.equal(record.message, '(combined from similar events): similar message', 'the message follows the latest occurrence')
  timestampsAgree(t, record)
})

t.test('C8 events from different containers do not aggregate', async t => {
  const c = makeCorrelator()
  const { now, tick } = clock()
  observe(c, event({}, { fieldPath: 'spec.containers{container2}' }), now())
  tick(1)
  const observed = c.observe(event({ time: now() }, { fieldPath: 'spec.containers{container1}' }), now(), true)
  t.ok(observed?.created)
  t.equal(total(observed!.record), 1)
  t.notOk(observed!.record.aggregate)
})

t.test('C9 similar events further apart than the aggregation interval do not aggregate', async t => {
  const c = makeCorrelator()
  const { now, tick } = clock()
  for (let i = 0; i < 9; i++) {
    observe(c, similar(i), now())
    tick(601)
  }
  const observed = c.observe(event({ time: now() }), now(), true)
  t.ok(observed?.created)
  t.notOk(observed!.record.aggregate)
  t.equal(total(observed!.record), 1)
})

t.test('aggregation can be turned off', async t => {
  const c = makeCorrelator({ aggregate: false })
  const records = new Set<EventRecord>()
  for (let i = 0; i < 50; i++) records.add(observe(c, similar(i), i))
  t.equal(records.size, 50)
  t.notOk([...records].some(record => record.aggregate))
})

t.test('SF1 the default spam key: another reason on the same object shares the bucket (must wait)', async t => {
  const c = makeCorrelator({ rateLimit: { burst: 1, qps: 1 } })
  const original = observe(c, event(), 0)
  t.equal(c.takeToken(original, 0), 0)
  const otherReason = observe(c, event({ reason: 'a different reason' }), 0)
  t.not(otherReason, original)
  t.equal(c.takeToken(otherReason, 0), 1000, 'client-go skips it; here it waits one second for a token')
  t.equal(total(otherReason), 1, 'and keeps its count')
})

t.test('SF2 another event type on the same object has its own bucket', async t => {
  const c = makeCorrelator({ rateLimit: { burst: 1, qps: 1 } })
  t.equal(c.takeToken(observe(c, event(), 0), 0), 0)
  t.equal(c.takeToken(observe(c, event({ type: 'Warning' }), 0), 0), 0)
})

t.test('SF3 the same reason with another message shares the bucket (must wait)', async t => {
  const c = makeCorrelator({ rateLimit: { burst: 1, qps: 1 } })
  t.equal(c.takeToken(observe(c, event(), 0), 0), 0)
  t.ok(c.takeToken(observe(c, event({ message: 'another message' }), 0), 0) > 0)
})

t.test('without a rate limit every request may go', async t => {
  const c = makeCorrelator({ rateLimit: false })
  const record = observe(c, event(), 0)
  let throttled = 0
  for (let i = 0; i < 1000; i++) if (c.takeToken(record, 0) > 0) throttled++
  t.equal(throttled, 0)
})

t.test('E (client-go TestEventf): which occurrences make a new Event and which update one', async t => {
  const c = makeCorrelator()
  const { now, tick } = clock()
  const foo: Partial<ObjectReference> = { name: 'foo', namespace: 'baz', uid: 'bar', apiVersion: 'v1' }
  const step = (shape: EventShape): { created: boolean, record: EventRecord } => {
    tick(1)
    const observed = c.observe({ ...shape, time: now() }, now(), true)
    if (observed === undefined) throw new Error('nothing observed')
    return observed
  }
  const started = event({ namespace: 'baz', reason: 'Started', message: 'some verbose message: 1' }, { ...foo, fieldPath: 'spec.containers[2]' })
  const killed = event({ namespace: 'baz', reason: 'Killed', message: 'some other verbose message: 1' }, { ...foo, fieldPath: undefined })
  const startedOtherUid = event({ namespace: 'baz', reason: 'Started', message: 'some verbose message: 1' }, { ...foo, uid: 'differentUid', fieldPath: 'spec.containers[3]' })
  const stoppedOtherUid = event({ namespace: 'baz', reason: 'Stopped', message: 'some verbose message: 1' }, { ...foo, uid: 'differentUid', fieldPath: 'spec.containers[3]' })

  const s1 = step(started)
  t.ok(s1.created, '1: create')
  t.equal(total(s1.record), 1)
  t.equal(s1.record.namespace, 'baz')
  t.match(s1.record.name, /^foo\./)
  const s2 = step(killed)
  t.ok(s2.created, '2: another reason on the pod: create')
  t.equal(total(s2.record), 1)
  const s3 = step(started)
  t.notOk(s3.created, '3: repeat of 1: update')
  t.equal(s3.record, s1.record)
  t.equal(total(s3.record), 2)
  const s4 = step(startedOtherUid)
  t.ok(s4.created, '4: same name, another uid: create')
  t.equal(total(s4.record), 1)
  const s5 = step(started)
  t.notOk(s5.created, '5: repeat of 1: update')
  t.equal(total(s5.record), 3)
  const s6 = step(stoppedOtherUid)
  t.ok(s6.created, '6: create')
  const s7 = step(stoppedOtherUid)
  t.notOk(s7.created, '7: repeat of 6: update')
  t.equal(total(s7.record), 2)
  t.equal(new Set([s1, s2, s4, s6].map(s => s.record.name)).size, 4, 'four Events, four names')
})

t.test('a new record is made only when the caller has room for it; existing records always count', async t => {
  const c = makeCorrelator()
  const record = observe(c, event(), 0)
  t.equal(c.observe(event({ message: 'new one' }), 0, false), undefined, 'no room: nothing made, nothing counted')
  const again = c.observe(event(), 0, false)
  t.equal(again?.record, record)
  t.equal(total(record), 2)
})

t.test('memory stays flat under a flood of distinct objects; a forgotten record is reported', async t => {
  const evicted: EventRecord[] = []
  const c = makeCorrelator({ cacheSize: 100 }, evicted)
  for (let i = 0; i < 10_000; i++) observe(c, event({}, { name: `pod-${i}` }), i)
  t.equal(c.log.size, 100)
  t.equal(evicted.length, 9_900)
  t.notOk(evicted[0].cached)
  t.equal(c.log.find(evicted[0].key), undefined, 'an unpinned forgotten record is gone')
})

t.test('a pinned record stays findable after the cache forgot it, and joins the cache again', async t => {
  const c = makeCorrelator({ cacheSize: 2 })
  const first = observe(c, event({}, { name: 'first' }), 0)
  c.log.pin(first)
  observe(c, event({}, { name: 'second' }), 0)
  observe(c, event({}, { name: 'third' }), 0)
  t.notOk(first.cached)
  const again = observe(c, event({}, { name: 'first' }), 1)
  t.equal(again, first, 'the same record counts on')
  t.ok(first.cached)
  t.equal(total(first), 2)
})

t.test('an occurrence time the server cannot take falls back to the wall clock, never to the monotonic one', async t => {
  const c = createCorrelator({ config: correlation(), source, wallClock: () => 1_700_000_000_000, onEvict: () => {} })
  // `now` (monotonic, milliseconds since the process started) would read as a time in 1970.
  const observed = c.observe({ ...event(), time: Number.NaN }, 1234, true)
  t.equal(observed?.record.firstTime, 1_700_000_000_000)
  t.equal(observed?.record.lastTime, 1_700_000_000_000)
})
