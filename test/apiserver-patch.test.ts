import t from 'tap'
import { startApiServer } from './apiserver/server.js'
import { rawRequest } from './apiserver/raw-client.js'

const server = await startApiServer({ tls: false })
t.teardown(() => server.close())
await server.createNamespace('lab')

const CORE = '/api/v1/namespaces/lab/events'
const MERGE = 'application/merge-patch+json'
const STRATEGIC = 'application/strategic-merge-patch+json'
const JSON_PATCH = 'application/json-patch+json'

let serial = 0
async function createLegacy (): Promise<any> {
  const name = `legacy-${++serial}`
  const res = await rawRequest(server, {
    method: 'POST',
    path: CORE,
    body: {
      metadata: { name, labels: { app: 'demo' } },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'demo-pod', namespace: 'lab', uid: 'u' },
      reason: 'BackOff',
      message: 'first',
      type: 'Warning',
      source: { component: 'pino-k8s-events' },
      firstTimestamp: '2026-11-26T21:00:00Z',
      lastTimestamp: '2026-11-26T21:00:00Z',
      count: 1
    }
  })
  if (res.status !== 201) throw new Error(res.text)
  return res.body
}

async function patch (name: string, contentType: string, body: unknown, path = CORE): Promise<{ status: number, body: any }> {
  return await rawRequest(server, { method: 'PATCH', path: `${path}/${name}`, contentType, body })
}

t.test('merge patch (RFC 7386): fields replaced, objects merged, null deletes', async t => {
  const ev = await createLegacy()
  const res = await patch(ev.metadata.name, MERGE, { count: 2, lastTimestamp: '2026-11-26T21:00:12.345Z', message: 'second', metadata: { labels: { app: null, tier: 'x' } } })
  t.equal(res.status, 200)
  t.equal(res.body.count, 2)
  t.equal(res.body.lastTimestamp, '2026-11-26T21:00:12Z', 'stored at second precision')
  t.equal(res.body.message, 'second')
  t.same(res.body.metadata.labels, { tier: 'x' })
  t.equal(res.body.firstTimestamp, '2026-11-26T21:00:00Z', 'untouched fields stay')
  t.not(res.body.metadata.resourceVersion, ev.metadata.resourceVersion)
  t.equal(server.listEvents('lab').find(e => e.metadata.name === ev.metadata.name)?.count, 2, 'and it is stored')
})

t.test('strategic merge patch behaves as a merge patch for events', async t => {
  const ev = await createLegacy()
  const res = await patch(ev.metadata.name, STRATEGIC, { count: 7, source: { host: 'node-1' } })
  t.equal(res.status, 200)
  t.equal(res.body.count, 7)
  t.same(res.body.source, { component: 'pino-k8s-events', host: 'node-1' })
})

t.test('JSON patch (RFC 6902): add, remove, replace, move, copy and a passing test', async t => {
  const ev = await createLegacy()
  const res = await patch(ev.metadata.name, JSON_PATCH, [
    { op: 'test', path: '/count', value: 1 },
    { op: 'replace', path: '/count', value: 3 },
    { op: 'add', path: '/metadata/annotations', value: { 'a~b/c': 'v' } },
    { op: 'copy', from: '/metadata/annotations/a~0b~1c', path: '/metadata/labels/copied' },
    { op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/moved' },
    { op: 'remove', path: '/source' },
    { op: 'add', path: '/message', value: 'patched' }
  ])
  t.equal(res.status, 200)
  t.equal(res.body.count, 3)
  t.same(res.body.metadata.annotations, { 'a~b/c': 'v' })
  t.same(res.body.metadata.labels, { copied: 'v', moved: 'demo' })
  t.same(res.body.source, {}, 'a removed struct comes back empty, as Go writes it')
  t.equal(res.body.message, 'patched')
})

t.test('a failed JSON patch test is 422 and changes nothing', async t => {
  const ev = await createLegacy()
  const res = await patch(ev.metadata.name, JSON_PATCH, [{ op: 'replace', path: '/count', value: 9 }, { op: 'test', path: '/count', value: 1 }])
  t.equal(res.status, 422)
  t.equal(res.body.reason, 'Invalid')
  t.equal(res.body.message, 'the server rejected our request due to an error in our request')
  const after = await rawRequest(server, { path: `${CORE}/${ev.metadata.name}` })
  t.equal(after.body.count, 1)
  t.equal(after.body.metadata.resourceVersion, ev.metadata.resourceVersion)
  const missing = await patch(ev.metadata.name, JSON_PATCH, [{ op: 'remove', path: '/nothing/here' }])
  t.equal(missing.status, 422, 'a path that does not exist is 422 too')
  const malformed = await patch(ev.metadata.name, JSON_PATCH, [{ op: 'frobnicate', path: '/count' }])
  t.equal(malformed.status, 400, 'an unknown operation is 400')
})

t.test('unsupported patch media types are 415', async t => {
  const ev = await createLegacy()
  for (const contentType of ['application/json', 'text/plain', 'application/apply-patch+yaml']) {
    const res = await patch(ev.metadata.name, contentType, { count: 2 })
    t.equal(res.status, 415, contentType)
    t.equal(res.body.reason, 'UnsupportedMediaType')
  }
})

t.test('a patch naming a stale resourceVersion is 409; the current one passes', async t => {
  const ev = await createLegacy()
  let res = await patch(ev.metadata.name, MERGE, { metadata: { resourceVersion: '1' }, count: 2 })
  t.equal(res.status, 409)
  t.equal(res.body.message, `Operation cannot be fulfilled on events "${String(ev.metadata.name)}": the object has been modified; please apply your changes to the latest version and try again`)
  res = await patch(ev.metadata.name, MERGE, { metadata: { resourceVersion: ev.metadata.resourceVersion }, count: 2 })
  t.equal(res.status, 200)
  res = await patch(ev.metadata.name, JSON_PATCH, [{ op: 'replace', path: '/metadata/resourceVersion', value: ev.metadata.resourceVersion }])
  t.equal(res.status, 409, 'the old version is stale now')
})

t.test('patching an event that is not there is 404, in each API\'s words', async t => {
  let res = await patch('gone', MERGE, { count: 2 })
  t.equal(res.status, 404)
  t.equal(res.body.message, 'events "gone" not found')
  res = await patch('gone', MERGE, { series: { count: 2 } }, '/apis/events.k8s.io/v1/namespaces/lab/events')
  t.equal(res.body.message, 'events.events.k8s.io "gone" not found')
})

t.test('patches through events.k8s.io work on that API\'s shape and are validated on the stored form', async t => {
  const created = await rawRequest(server, {
    method: 'POST',
    path: '/apis/events.k8s.io/v1/namespaces/lab/events',
    body: {
      metadata: { name: 'series-1' },
      regarding: { apiVersion: 'v1', kind: 'Pod', name: 'demo-pod', namespace: 'lab', uid: 'u' },
      reason: 'Logged',
      note: 'n',
      type: 'Normal',
      eventTime: '2026-11-26T21:00:00.000001Z',
      reportingController: 'pino-k8s-events',
      reportingInstance: 'i',
      action: 'Log'
    }
  })
  t.equal(created.status, 201)
  const path = '/apis/events.k8s.io/v1/namespaces/lab/events'
  let res = await patch('series-1', MERGE, { series: { count: 2, lastObservedTime: '2026-11-26T21:00:05.000002Z' } }, path)
  t.equal(res.status, 200)
  t.same(res.body.series, { count: 2, lastObservedTime: '2026-11-26T21:00:05.000002Z' })
  const core = await rawRequest(server, { path: `${CORE}/series-1` })
  t.same(core.body.series, { count: 2, lastObservedTime: '2026-11-26T21:00:05.000002Z' }, 'the core view sees the series')

  res = await patch('series-1', MERGE, { series: { lastObservedTime: '2026-11-26T21:00:05.123Z' } }, path)
  t.equal(res.status, 400, 'a MicroTime without six digits is refused on patch as on create')
  res = await patch('series-1', MERGE, { note: 'changed' }, path)
  t.equal(res.status, 422, 'events.k8s.io/v1 does not let the note change')
  t.equal(res.body.reason, 'Invalid')
  res = await patch('series-1', MERGE, { message: 'changed' })
  t.equal(res.status, 200, 'the core API does')
})
