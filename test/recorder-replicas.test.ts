// Two replicas counting on one Event over real HTTP: a write whose answer was lost is recognised by its writer
// even after the other replica wrote in between, and a read that brings no usable Event is never built on.
import t from 'tap'
import type { LocalApiServer } from './apiserver/server.js'
import type { ApiClient } from '../lib/types.js'
import { dropped, eventsIn as storedEvents, makeRecorder, resetApiServer, shape, startApiServerWith } from './helpers/recorder.js'

let server: LocalApiServer
t.before(async () => { server = await startApiServerWith(['lab']) })
t.teardown(async () => await server.close())
t.beforeEach(() => { resetApiServer(server) })

const eventsIn = (namespace: string, reason: string): any[] => storedEvents(server, namespace, reason)

function writes (): string[] {
  return server.requests.filter(r => r.path.includes('/events')).map(r => `${r.method} ${r.status}`)
}

/**
 * Forwards to the real client. The first PATCH reaches the server and is applied, but its answer is held until
 * `release` and then reported lost, as when a connection breaks after the server wrote.
 */
function losingFirstPatchAnswer (): { wrap: (client: ApiClient) => ApiClient, applied: Promise<void>, release: () => void } {
  let markApplied = (): void => {}
  let release = (): void => {}
  const applied = new Promise<void>(resolve => { markApplied = resolve })
  const released = new Promise<void>(resolve => { release = resolve })
  let lost = false
  return {
    applied,
    release: () => release(),
    wrap: client => ({
      server: client.server,
      defaultNamespace: client.defaultNamespace,
      reloadCredentials: () => client.reloadCredentials(),
      close: () => client.close(),
      async request (req) {
        const result = await client.request(req)
        if (req.method !== 'PATCH' || lost) return result
        lost = true
        markApplied()
        await released
        return { kind: 'network', code: 'ECONNRESET', message: 'socket hang up' }
      }
    })
  }
}

t.test('a PATCH that landed though its answer was lost is recognised after another replica wrote', async t => {
  const lossy = losingFirstPatchAnswer()
  const a = makeRecorder(server, { instance: 'replica-a', wrap: lossy.wrap })
  const b = makeRecorder(server, { instance: 'replica-b' })
  const warning = shape({ reason: 'Replicated' })
  a.recorder.record(warning)
  await a.recorder.flush()
  a.recorder.record(warning)
  const aFlushed = a.recorder.flush()
  await lossy.applied
  t.equal(eventsIn('lab', 'Replicated')[0].count, 2, "replica A's PATCH is on the server; A has not heard so")
  b.recorder.record(warning)
  await b.recorder.flush()
  t.equal(eventsIn('lab', 'Replicated')[0].count, 3, 'replica B counted its occurrence on the same Event')
  lossy.release()
  await aFlushed
  t.same(writes(), ['POST 201', 'PATCH 200', 'POST 409', 'GET 200', 'PATCH 200', 'PATCH 409', 'GET 200'],
    "A's retry fails on the resourceVersion, and the read shows A's write under A's own mark")
  const [event] = eventsIn('lab', 'Replicated')
  t.equal(event.count, 3, 'three occurrences, counted once each')
  const marks = Object.keys(event.metadata.annotations).filter(key => key.startsWith('pino-k8s-events/write-id.'))
  t.equal(marks.length, 2, 'one mark per replica')
  t.same(dropped(a.recorder), {})
  await Promise.all([a.recorder.close(), b.recorder.close()])
})

t.test('a read answered 2xx without a readable Event is read again, never patched upon', async t => {
  const other = makeRecorder(server, { instance: 'replica-b' })
  const warning = shape({ reason: 'Unreadable' })
  for (let i = 0; i < 5; i++) other.recorder.record(warning)
  await other.recorder.flush()
  t.equal(eventsIn('lab', 'Unreadable')[0].count, 5)
  server.clearRequests()
  server.faults.add({ method: 'GET', action: { status: 200, body: 'not an Event' } })
  server.faults.add({ method: 'GET', action: { status: 200, body: { padding: 'x'.repeat(1024 * 1024) } } })
  const { recorder, lines } = makeRecorder(server, { instance: 'replica-a' })
  recorder.record(warning)
  await recorder.flush()
  t.same(writes(), ['POST 409', 'GET 200', 'GET 200', 'GET 200', 'PATCH 200'], 'a string, then a body too large to read, then the Event')
  t.equal(eventsIn('lab', 'Unreadable')[0].count, 6, 'the count on the server grows by ours, not overwritten')
  t.same(dropped(recorder), {})
  t.notOk(lines.some(line => !line.includes('more than')), 'only the oversize answer is told')
  await Promise.all([recorder.close(), other.recorder.close()])
})
