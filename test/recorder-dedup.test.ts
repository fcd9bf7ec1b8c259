// The recorder over real HTTP against the local API server: one Event per event key with exact counts,
// coalescing, create-or-patch across processes, conflicts, expired Events and lost answers.
import t from 'tap'
import type { LocalApiServer } from './apiserver/server.js'
import { eventsIn as storedEvents, makeRecorder, resetApiServer, shape, startApiServerWith, yieldToIo } from './helpers/recorder.js'
import type { ApiClient, ObjectReference } from '../lib/types.js'

let server: LocalApiServer
t.before(async () => { server = await startApiServerWith(['lab']) })
t.teardown(async () => await server.close())
t.beforeEach(() => { resetApiServer(server) })

const eventsIn = (namespace: string, reason: string): any[] => storedEvents(server, namespace, reason)

function writes (): string[] {
  return server.requests.filter(r => r.path.includes('/events')).map(r => `${r.method} ${r.status}`)
}

t.test('100,000 identical warnings: at most 26 requests, and the count on the server is exactly 100,000', async t => {
  const { recorder } = makeRecorder(server)
  const warning = shape({ reason: 'Flood' })
  for (let i = 0; i < 100_000; i++) {
    recorder.record({ ...warning, time: Date.now() })
    // Like pino's stream loop, give the event loop a turn now and then so requests go out meanwhile.
    if (i % 500 === 0) await yieldToIo()
  }
  await recorder.flush()
  const events = eventsIn('lab', 'Flood')
  t.equal(events.length, 1, 'one Event')
  t.equal(events[0].count, 100_000)
  const requests = server.requests.filter(r => r.path.startsWith('/api/v1/namespaces/lab/events'))
  t.ok(requests.length <= 26, `${requests.length} requests`)
  t.ok(requests.length >= 2, 'occurrences arriving while a request is out go in the next PATCH')
  t.equal(requests[0].method, 'POST')
  t.ok(requests.slice(1).every(r => r.method === 'PATCH' && r.contentType === 'application/merge-patch+json'))
  const stats = recorder.stats()
  t.equal(stats.eventsObserved, 100_000)
  t.equal(stats.posted, 1)
  t.equal(stats.patched, requests.length - 1)
  t.equal(Object.values(stats.dropped).reduce((a, b) => a + b, 0), 0)
  await recorder.close()
})

t.test('events.k8s.io/v1: repeats grow series.count exactly, with no deprecated field', async t => {
  const { recorder } = makeRecorder(server, { api: 'events.k8s.io/v1' })
  const normal = shape({ type: 'Normal', reason: 'Synced' })
  for (let i = 0; i < 10_000; i++) {
    recorder.record({ ...normal, time: Date.now() })
    if (i % 250 === 0) await yieldToIo()
  }
  await recorder.flush()
  const events = eventsIn('lab', 'Synced')
  t.equal(events.length, 1)
  t.equal(events[0].series?.count, 10_000)
  const posts = server.requests.filter(r => r.method === 'POST')
  t.equal(posts.length, 1)
  t.match(posts[0].path, /^\/apis\/events\.k8s\.io\/v1\/namespaces\/lab\/events$/)
  const body = posts[0].body as Record<string, unknown>
  for (const field of ['count', 'source', 'firstTimestamp', 'lastTimestamp', 'involvedObject', 'message']) t.notOk(field in body, `no ${field}`)
  t.match(body.eventTime, /\.\d{6}Z$/)
  t.ok(server.requests.every(r => r.status < 300), 'every request accepted')
  await recorder.close()
})

t.test('E (client-go TestEventf) over HTTP: creates and updates in the same order', async t => {
  const { recorder } = makeRecorder(server)
  const foo: Partial<ObjectReference> = { name: 'foo', namespace: 'baz', uid: 'bar' }
  await server.createNamespace('baz')
  const started = shape({ namespace: 'baz', type: 'Normal', reason: 'Started', message: 'some verbose message: 1' }, { ...foo, fieldPath: 'spec.containers[2]' })
  const killed = shape({ namespace: 'baz', type: 'Normal', reason: 'Killed', message: 'some other verbose message: 1' }, foo)
  const otherUid = { ...foo, uid: 'differentUid', fieldPath: 'spec.containers[3]' }
  const startedOther = shape({ namespace: 'baz', type: 'Normal', reason: 'Started', message: 'some verbose message: 1' }, otherUid)
  const stoppedOther = shape({ namespace: 'baz', type: 'Normal', reason: 'Stopped', message: 'some verbose message: 1' }, otherUid)
  const steps = [started, killed, started, startedOther, started, stoppedOther, stoppedOther]
  const seen: string[] = []
  for (const step of steps) {
    server.clearRequests()
    recorder.record({ ...step, time: Date.now() })
    await recorder.flush()
    const request = server.requests[0]
    const body = request.body as { count: number }
    seen.push(`${request.method} ${body.count}`)
    t.equal(request.status, request.method === 'POST' ? 201 : 200)
  }
  t.same(seen, ['POST 1', 'POST 1', 'PATCH 2', 'POST 1', 'PATCH 3', 'POST 1', 'PATCH 2'])
  const stored = server.listEvents('baz')
  t.equal(stored.length, 4)
  t.ok(stored.every(event => event.metadata.name.startsWith('foo.')))
  t.same(stored.map(event => event.count).sort(), [1, 2, 3, 1].sort())
  await recorder.close()
})

t.test('two processes with the same component continue one count (create-or-patch after 409 AlreadyExists)', async t => {
  const warning = shape({ reason: 'Restarted' })
  const first = makeRecorder(server)
  for (let i = 0; i < 3; i++) first.recorder.record(warning)
  await first.recorder.close()
  t.equal(eventsIn('lab', 'Restarted')[0].count, 3)

  server.clearRequests()
  // A restart: a fresh process with nothing in memory, and another instance name (pods get new names).
  const second = makeRecorder(server, { instance: 'devbox-2' })
  for (let i = 0; i < 4; i++) second.recorder.record(warning)
  await second.recorder.close()
  t.same(writes(), ['POST 409', 'GET 200', 'PATCH 200'])
  const patch = server.requests[2].body as { count: number, metadata: { resourceVersion: string } }
  t.equal(patch.count, 7)
  t.ok(patch.metadata.resourceVersion, 'the PATCH carries the resourceVersion it read')
  const events = eventsIn('lab', 'Restarted')
  t.equal(events.length, 1)
  t.equal(events[0].count, 7)
})

t.test('409 Conflict on a PATCH: read again, recompute, stay exact', async t => {
  const warning = shape({ reason: 'Contended' })
  const a = makeRecorder(server, { instance: 'replica-a' })
  const b = makeRecorder(server, { instance: 'replica-b' })
  a.recorder.record(warning)
  await a.recorder.flush()
  b.recorder.record(warning)
  await b.recorder.flush()
  server.clearRequests()
  // Replica a last saw the Event before b wrote it: its resourceVersion is outdated.
  a.recorder.record(warning)
  await a.recorder.flush()
  t.same(writes(), ['PATCH 409', 'GET 200', 'PATCH 200'])
  t.equal(eventsIn('lab', 'Contended')[0].count, 3)
  await a.recorder.close()
  await b.recorder.close()
})

t.test('replicas writing one Event at the same time keep the count exact', async t => {
  const warning = shape({ reason: 'Busy' })
  const replicas = [makeRecorder(server, { instance: 'replica-a' }), makeRecorder(server, { instance: 'replica-b' }), makeRecorder(server, { instance: 'replica-c' })]
  for (let i = 0; i < 600; i++) {
    replicas[i % 3].recorder.record({ ...warning, time: Date.now() })
    if (i % 20 === 0) await yieldToIo()
  }
  await Promise.all(replicas.map(async replica => await replica.recorder.flush()))
  t.equal(eventsIn('lab', 'Busy')[0].count, 600)
  t.ok(server.requests.some(r => r.status === 409), 'the replicas did run into each other')
  for (const replica of replicas) t.equal(Object.values(replica.recorder.stats().dropped).reduce((x, y) => x + y, 0), 0)
  await Promise.all(replicas.map(async replica => await replica.recorder.close()))
})

t.test('a PATCH answered 404 (the Event expired) re-creates it with the accumulated count', async t => {
  const { recorder } = makeRecorder(server)
  const warning = shape({ reason: 'Expiring' })
  recorder.record(warning)
  recorder.record(warning)
  await recorder.flush()
  const name: string = eventsIn('lab', 'Expiring')[0].metadata.name
  const token = server.addUser('cleaner', { rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] })
  const deleted = await fetch(`${server.url}/api/v1/namespaces/lab/events/${name}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } })
  t.equal(deleted.status, 200)
  t.equal(eventsIn('lab', 'Expiring').length, 0)
  server.clearRequests()
  recorder.record(warning)
  await recorder.flush()
  t.same(writes(), ['PATCH 404', 'POST 201'])
  const recreated = eventsIn('lab', 'Expiring')
  t.equal(recreated.length, 1)
  t.equal(recreated[0].metadata.name, name, 'the same deterministic name')
  t.equal(recreated[0].count, 3)
  await recorder.close()
})

/** forwards to the real client, but reports the first matching answer as lost after the server applied it */
function losingFirstAnswer (method: string): (client: ApiClient) => ApiClient {
  return client => {
    let lost = false
    return {
      server: client.server,
      defaultNamespace: client.defaultNamespace,
      reloadCredentials: () => client.reloadCredentials(),
      close: () => client.close(),
      async request (req) {
        const result = await client.request(req)
        if (req.method !== method || lost) return result
        lost = true
        return { kind: 'network', code: 'ECONNRESET', message: 'socket hang up' }
      }
    }
  }
}

t.test('a PATCH whose answer is lost after the server applied it is not counted twice', async t => {
  const { recorder } = makeRecorder(server, { wrap: losingFirstAnswer('PATCH') })
  const warning = shape({ reason: 'LostPatch' })
  recorder.record(warning)
  await recorder.flush()
  recorder.record(warning)
  recorder.record(warning)
  await recorder.flush()
  t.same(writes(), ['POST 201', 'PATCH 200', 'PATCH 409', 'GET 200'], 'the repeated PATCH fails on the resourceVersion and the read shows our write landed')
  t.equal(eventsIn('lab', 'LostPatch')[0].count, 3)
  recorder.record(warning)
  await recorder.flush()
  t.equal(eventsIn('lab', 'LostPatch')[0].count, 4, 'and counting goes on from there')
  await recorder.close()
})

t.test('a POST whose answer is lost after the server applied it is not counted twice', async t => {
  const { recorder } = makeRecorder(server, { wrap: losingFirstAnswer('POST') })
  const warning = shape({ reason: 'LostPost' })
  recorder.record(warning)
  recorder.record(warning)
  await recorder.flush()
  t.same(writes(), ['POST 201', 'POST 409', 'GET 200'])
  t.equal(eventsIn('lab', 'LostPost')[0].count, 2)
  await recorder.close()
})

t.test('many messages about one object aggregate into "(combined from similar events): ..."', async t => {
  const { recorder } = makeRecorder(server)
  for (let i = 0; i < 15; i++) recorder.record(shape({ reason: 'Probe', message: `probe failed on attempt ${i}` }))
  await recorder.flush()
  const events = eventsIn('lab', 'Probe')
  t.equal(events.length, 10, 'nine Events of their own and one aggregate')
  const combined = events.filter(event => event.message.startsWith('(combined from similar events): '))
  t.equal(combined.length, 1)
  t.equal(combined[0].count, 6)
  t.equal(combined[0].message, '(combined from similar events): probe failed on attempt 14')
  t.equal(events.reduce((sum, event) => sum + event.count, 0), 15, 'every occurrence counted once')
  await recorder.close()
})

t.test('an Event about a cluster-scoped object is stored with an empty involvedObject.namespace', async t => {
  const { recorder } = makeRecorder(server)
  recorder.record(shape({ namespace: 'default', reason: 'NodeNotReady' }, { kind: 'Node', name: 'node-1', namespace: '', uid: 'node-uid' }))
  await recorder.flush()
  const events = eventsIn('default', 'NodeNotReady')
  t.equal(events.length, 1)
  t.equal(events[0].involvedObject.namespace, undefined)
  t.equal(events[0].involvedObject.kind, 'Node')
  await recorder.close()
})
