// A core/v1 writer and an events.k8s.io/v1 writer (two versions of one operator during an upgrade) report the same
// occurrences about one object. Both APIs store Events in one place, so the names must differ per API: each writer
// keeps its own Event, and each count is exact. kubectl reads both back.
import t from 'tap'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'
import { kubectlAvailable, kubectlOrFail } from './apiserver/kubectl.js'
import { dropped, makeRecorder, resetApiServer, shape, yieldToIo } from './helpers/recorder.js'

let server: LocalApiServer
// TLS, because kubectl sends its token only over TLS.
t.before(async () => {
  server = await startApiServer()
  await server.createNamespace('lab')
})
t.teardown(async () => await server.close())
t.beforeEach(() => { resetApiServer(server) })

const OCCURRENCES = 2_000

t.test('the same occurrence written through both APIs: two Events, each with the exact count', async t => {
  const old = makeRecorder(server, { api: 'v1', instance: 'operator-v1' })
  const next = makeRecorder(server, { api: 'events.k8s.io/v1', instance: 'operator-v2' })
  const occurrence = shape({ reason: 'Upgrading', message: 'both versions report this' })
  for (let i = 0; i < OCCURRENCES; i++) {
    old.recorder.record({ ...occurrence, time: Date.now() })
    next.recorder.record({ ...occurrence, time: Date.now() })
    // Both write while the other writes: each one's PATCHes land between the other's.
    if (i % 50 === 0) await yieldToIo()
  }
  await Promise.all([old.recorder.flush(), next.recorder.flush()])

  const events = server.listEvents('lab').filter(event => event.reason === 'Upgrading')
  t.equal(events.length, 2, 'one Event per API')
  const [coreEvent, seriesEvent] = [events.find(e => e.series === undefined), events.find(e => e.series !== undefined)]
  t.not(coreEvent?.metadata.name, seriesEvent?.metadata.name)
  t.equal(coreEvent?.count, OCCURRENCES, 'the core/v1 writer counts only its own occurrences')
  t.equal(seriesEvent?.series?.count, OCCURRENCES, 'the events.k8s.io/v1 writer counts only its own occurrences')
  t.same(dropped(old.recorder), {})
  t.same(dropped(next.recorder), {})
  const conflicts = server.requests.filter(r => r.status === 409)
  t.equal(conflicts.length, 0, 'neither writer meets the other on one Event')

  if (kubectlAvailable()) {
    const kubeconfig = server.kubeconfig()
    const core = JSON.parse(await kubectlOrFail(['get', 'events', '-n', 'lab', '--field-selector', 'reason=Upgrading', '-o', 'json'], kubeconfig))
    t.equal(core.items.length, 2)
    t.equal(core.items.find((e: any) => e.metadata.name === coreEvent?.metadata.name)?.count, OCCURRENCES, 'kubectl: count of the core/v1 writer')
    const series = JSON.parse(await kubectlOrFail(['get', 'events.v1.events.k8s.io', '-n', 'lab', '--field-selector', 'reason=Upgrading', '-o', 'json'], kubeconfig))
    const byName = new Map(series.items.map((e: any) => [e.metadata.name, e]))
    t.equal((byName.get(seriesEvent?.metadata.name) as any)?.series?.count, OCCURRENCES, 'kubectl: series.count of the events.k8s.io/v1 writer')
    t.equal((byName.get(coreEvent?.metadata.name) as any)?.deprecatedCount, OCCURRENCES, 'kubectl: deprecatedCount of the core/v1 writer')
  }
  await Promise.all([old.recorder.close(), next.recorder.close()])
})
