import t from 'tap'
import { countOf, createBody, eventsPath, isReadableEvent, patchBody, writeAnnotationOf, writeIdOf, writerOf } from '../lib/deliver/body.js'
import { eventName, isDns1123Subdomain, toSubdomain } from '../lib/correlate/names.js'
import { usableTime } from '../lib/correlate/usable-time.js'
import { microTime, rfc3339 } from '../lib/deliver/times.js'
import { newRecord, type EventRecord } from '../lib/correlate/record.js'

const source = writerOf({ component: 'pino-k8s-events', instance: 'devbox-1234' })
const WRITE_ANNOTATION = source.writeAnnotation
const first = Date.UTC(2026, 10, 26, 21, 18, 50, 976)

function record (over: Partial<EventRecord> = {}): EventRecord {
  const made = newRecord({
    key: 'k',
    name: 'demo-pod.0123456789abcdef0123456789abcdef',
    namespace: 'lab',
    spamKey: 's',
    regarding: { apiVersion: 'v1', kind: 'Pod', name: 'demo-pod', namespace: 'lab', uid: 'u-1' },
    type: 'Warning',
    reason: 'BackOff',
    action: 'Log',
    message: 'restarting',
    aggregate: false,
    time: first
  })
  made.lastTime = first + 5000
  made.resourceVersion = '42'
  return Object.assign(made, over)
}

t.test('MicroTime has exactly six fractional digits; toISOString alone would be refused', async t => {
  t.equal(microTime(first), '2026-11-26T21:18:50.976000Z')
  t.equal(microTime(first + 0.713), '2026-11-26T21:18:50.976713Z', 'sub-millisecond parts become microseconds')
  t.equal(microTime(Date.UTC(2026, 0, 1)), '2026-01-01T00:00:00.000000Z')
  t.match(microTime(first), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
  t.equal(rfc3339(first), '2026-11-26T21:18:50.976Z')
})

t.test('times the server cannot take fall back', async t => {
  t.equal(usableTime(first, 1), first)
  t.equal(usableTime(Number.NaN, 1), 1)
  t.equal(usableTime(8.64e15, 1), 1, 'a five-digit year')
  t.equal(usableTime(-1, 1), 1)
})

t.test('paths of both APIs', async t => {
  t.equal(eventsPath('v1', 'lab'), '/api/v1/namespaces/lab/events')
  t.equal(eventsPath('v1', 'lab', 'x.1'), '/api/v1/namespaces/lab/events/x.1')
  t.equal(eventsPath('events.k8s.io/v1', 'lab', 'x.1'), '/apis/events.k8s.io/v1/namespaces/lab/events/x.1')
})

t.test('a core/v1 create body carries count, timestamps, eventTime and both source fields', async t => {
  const body = createBody('v1', source, record(), 3, 'batch-1')
  t.same(body, {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'demo-pod.0123456789abcdef0123456789abcdef', namespace: 'lab', annotations: { [WRITE_ANNOTATION]: 'batch-1' } },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'demo-pod', namespace: 'lab', uid: 'u-1' },
    type: 'Warning',
    reason: 'BackOff',
    message: 'restarting',
    action: 'Log',
    source: { component: 'pino-k8s-events', host: 'devbox-1234' },
    reportingComponent: 'pino-k8s-events',
    reportingInstance: 'devbox-1234',
    firstTimestamp: '2026-11-26T21:18:50.976Z',
    lastTimestamp: '2026-11-26T21:18:55.976Z',
    eventTime: '2026-11-26T21:18:50.976000Z',
    count: 3
  })
})

t.test('a cluster-scoped object has no namespace in its reference', async t => {
  const body = createBody('v1', source, record({ regarding: { apiVersion: 'v1', kind: 'Node', name: 'n1', namespace: '', uid: 'n' } }), 1, 'b')
  t.same(body.involvedObject, { apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'n' })
})

t.test('an events.k8s.io/v1 create body has no deprecated field and a series only from count 2', async t => {
  const single = createBody('events.k8s.io/v1', source, record(), 1, 'b')
  t.same(Object.keys(single).sort(), ['action', 'apiVersion', 'eventTime', 'kind', 'metadata', 'note', 'reason', 'regarding', 'reportingController', 'reportingInstance', 'type'])
  t.equal(single.note, 'restarting')
  t.equal(single.eventTime, '2026-11-26T21:18:50.976000Z')
  const repeated = createBody('events.k8s.io/v1', source, record(), 7, 'b')
  t.same(repeated.series, { count: 7, lastObservedTime: '2026-11-26T21:18:55.976000Z' })
})

t.test('patches carry the absolute count, the resourceVersion and the write id', async t => {
  t.same(patchBody('v1', source, record(), 12, 'b2'), {
    metadata: { resourceVersion: '42', annotations: { [WRITE_ANNOTATION]: 'b2' } },
    count: 12,
    lastTimestamp: '2026-11-26T21:18:55.976Z'
  })
  t.same(patchBody('events.k8s.io/v1', source, record(), 12, 'b2'), {
    metadata: { resourceVersion: '42', annotations: { [WRITE_ANNOTATION]: 'b2' } },
    series: { count: 12, lastObservedTime: '2026-11-26T21:18:55.976000Z' }
  })
  const aggregate = patchBody('v1', source, record({ aggregate: true, message: '(combined from similar events): latest' }), 3, 'b')
  t.equal(aggregate.message, '(combined from similar events): latest', 'an aggregate shows its latest message')
})

t.test('counts read from either form of a stored Event', async t => {
  t.equal(countOf('v1', { metadata: {}, count: 5 }), 5)
  t.equal(countOf('v1', { metadata: {}, series: { count: 9 } }), 9)
  t.equal(countOf('events.k8s.io/v1', { metadata: {}, series: { count: 4 } }), 4)
  t.equal(countOf('events.k8s.io/v1', { metadata: {}, deprecatedCount: 6 }), 6)
  t.equal(countOf('events.k8s.io/v1', { metadata: {} }), 1, 'a new-style Event without series happened once')
  t.equal(countOf('v1', undefined), undefined)
  t.equal(writeIdOf({ metadata: { annotations: { [WRITE_ANNOTATION]: 'x' } } }, WRITE_ANNOTATION), 'x')
  t.equal(writeIdOf({ metadata: {} }, WRITE_ANNOTATION), undefined)
})

t.test('each writer marks its writes under its own annotation key, a valid one for any component and instance', async t => {
  t.match(WRITE_ANNOTATION, /^pino-k8s-events\/write-id\.[0-9a-f]{8}$/)
  t.equal(writeAnnotationOf({ component: 'pino-k8s-events', instance: 'devbox-1234' }), WRITE_ANNOTATION, 'the same writer, the same key in every process')
  const other = writeAnnotationOf({ component: 'pino-k8s-events', instance: 'devbox-5678' })
  t.not(other, WRITE_ANNOTATION, 'another replica has a key of its own')
  t.not(writeAnnotationOf({ component: 'a/b', instance: 'c' }), writeAnnotationOf({ component: 'a', instance: 'b/c' }))
  const stored = { metadata: { annotations: { [WRITE_ANNOTATION]: 'ours', [other]: 'theirs' } } }
  t.equal(writeIdOf(stored, WRITE_ANNOTATION), 'ours', "another replica's write leaves our mark in place")
  const weird = writeAnnotationOf({ component: 'Ünïcode operator ' + 'x'.repeat(300), instance: '' })
  const [prefix, name] = weird.split('/')
  t.equal(prefix, 'pino-k8s-events')
  t.ok(name.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name), 'a qualified name of at most 63 characters')
})

t.test('a read is built on only when it is an Event with a resourceVersion', async t => {
  t.ok(isReadableEvent({ metadata: { resourceVersion: '7' }, count: 2 }))
  t.notOk(isReadableEvent(undefined), 'a body that was not JSON or too large')
  t.notOk(isReadableEvent('not an event'))
  t.notOk(isReadableEvent({ kind: 'Status' }))
  t.notOk(isReadableEvent({ metadata: {} }), 'without a resourceVersion a PATCH could overwrite')
  t.notOk(isReadableEvent({ metadata: null }))
})

t.test('names are deterministic DNS-1123 subdomains derived from the object and the key', async t => {
  const name = eventName('demo-pod', 'Pod', 'identity')
  t.equal(name, eventName('demo-pod', 'Pod', 'identity'), 'same key, same name, in any process')
  t.not(name, eventName('demo-pod', 'Pod', 'other identity'))
  t.match(name, /^demo-pod\.[0-9a-f]{32}$/)
  t.ok(isDns1123Subdomain(eventName('2001:db8::123', 'IPAddress', 'i')), 'an IPv6 object name is made valid')
  t.match(eventName('2001:db8::123', 'IPAddress', 'i'), /^2001-db8-123\./)
  const long = eventName('a'.repeat(4 * 253), 'Pod', 'i')
  t.ok(isDns1123Subdomain(long))
  t.equal(long.length, 253)
  t.match(eventName('My_Pod..X-', 'Pod', 'i'), /^my-pod\.x\.[0-9a-f]{32}$/)
  t.match(eventName('---', 'ClusterRole', 'i'), /^clusterrole\.[0-9a-f]{32}$/, 'falls back to the kind')
  t.match(eventName('', '', 'i'), /^event\.[0-9a-f]{32}$/)
  t.equal(toSubdomain('kyverno:migrate-resources', 253), 'kyverno-migrate-resources')
})
