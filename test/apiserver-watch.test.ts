import t from 'tap'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'
import { rawRequest, rawWatch } from './apiserver/raw-client.js'
import { RESOURCES, apiVersionOf } from './apiserver/resources.js'

async function fresh (t: { teardown: (fn: () => unknown) => void }, opts: { watchHistory?: number } = {}): Promise<LocalApiServer> {
  const server = await startApiServer({ tls: false, ...opts })
  t.teardown(() => server.close())
  return server
}

async function ok (server: LocalApiServer, method: string, path: string, body?: unknown, contentType?: string): Promise<any> {
  const res = await rawRequest(server, { method, path, body, contentType })
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`)
  return res.body
}

const PODS = '/api/v1/namespaces/default/pods'
const pod = (name: string, labels?: Record<string, string>): object => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } })
const typesAndNames = (events: any[]): string[] => events.map(e => `${String(e.type)} ${String(e.object.metadata?.name ?? e.object.metadata?.resourceVersion)}`)

t.test('resourceVersions grow across the store, on objects and on lists', async t => {
  const server = await fresh(t)
  const a = await ok(server, 'POST', PODS, pod('a'))
  const ns = await ok(server, 'POST', '/api/v1/namespaces', { metadata: { name: 'other' } })
  const b = await ok(server, 'PATCH', `${PODS}/a`, { metadata: { labels: { x: 'y' } } }, 'application/merge-patch+json')
  t.ok(Number(ns.metadata.resourceVersion) > Number(a.metadata.resourceVersion), 'one counter for all kinds')
  t.ok(Number(b.metadata.resourceVersion) > Number(ns.metadata.resourceVersion))
  const list = await ok(server, 'GET', PODS)
  t.equal(list.metadata.resourceVersion, b.metadata.resourceVersion, 'a list carries the store\'s latest resourceVersion')
  t.equal(list.items[0].metadata.resourceVersion, b.metadata.resourceVersion)
})

t.test('a watch from a list\'s resourceVersion streams ADDED, MODIFIED and DELETED lines', async t => {
  const server = await fresh(t)
  await ok(server, 'POST', PODS, pod('before'))
  const list = await ok(server, 'GET', PODS)
  const watch = await rawWatch(server, `${PODS}?watch=1&resourceVersion=${String(list.metadata.resourceVersion)}`)
  t.teardown(() => watch.close())
  t.equal(watch.status, 200)
  const created = await ok(server, 'POST', PODS, pod('p1'))
  const patched = await ok(server, 'PATCH', `${PODS}/p1`, { metadata: { labels: { a: 'b' } } }, 'application/merge-patch+json')
  await ok(server, 'DELETE', `${PODS}/p1`)
  const events = await watch.waitFor(3)
  t.same(typesAndNames(events), ['ADDED p1', 'MODIFIED p1', 'DELETED p1'], 'the object listed before is not sent again')
  t.same(events[0].object, created, 'the object as the API returns it, kind and apiVersion included')
  t.equal(events[1].object.metadata.resourceVersion, patched.metadata.resourceVersion)
  t.ok(Number(events[2].object.metadata.resourceVersion) > Number(patched.metadata.resourceVersion), 'the deletion has its own resourceVersion')
  const after = await ok(server, 'GET', PODS)
  t.equal(events[2].object.metadata.resourceVersion, after.metadata.resourceVersion)
})

t.test('watch=true without a resourceVersion, or with "0", starts with the current objects as ADDED', async t => {
  const server = await fresh(t)
  await ok(server, 'POST', PODS, pod('x'))
  await ok(server, 'POST', PODS, pod('y'))
  for (const query of ['watch=true', 'watch=1&resourceVersion=0']) {
    const watch = await rawWatch(server, `${PODS}?${query}`)
    t.same(typesAndNames(await watch.waitFor(2)), ['ADDED x', 'ADDED y'], query)
    watch.close()
  }
  const none = await rawWatch(server, `${PODS}?watch=true&sendInitialEvents=false`)
  await ok(server, 'POST', PODS, pod('z'))
  t.same(typesAndNames(await none.waitFor(1)), ['ADDED z'], 'sendInitialEvents=false starts from now')
  none.close()
})

t.test('sendInitialEvents=true ends the initial state with a BOOKMARK annotated initial-events-end', async t => {
  const server = await fresh(t)
  await ok(server, 'POST', PODS, pod('x'))
  const watch = await rawWatch(server, `${PODS}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`)
  t.teardown(() => watch.close())
  const [added, bookmark] = await watch.waitFor(2)
  t.equal(added.type, 'ADDED')
  t.same(bookmark, { type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: added.object.metadata.resourceVersion, annotations: { 'k8s.io/initial-events-end': 'true' } } } })
})

t.test('changes missed since a resourceVersion are replayed in order', async t => {
  const server = await fresh(t)
  const start = (await ok(server, 'GET', PODS)).metadata.resourceVersion
  await ok(server, 'POST', PODS, pod('m1'))
  await ok(server, 'POST', '/api/v1/namespaces', { metadata: { name: 'elsewhere' } })
  await ok(server, 'POST', PODS, pod('m2'))
  await ok(server, 'DELETE', `${PODS}/m1`)
  const watch = await rawWatch(server, `${PODS}?watch=1&resourceVersion=${String(start)}`)
  t.teardown(() => watch.close())
  t.same(typesAndNames(await watch.waitFor(3)), ['ADDED m1', 'ADDED m2', 'DELETED m1'], 'only this resource, in the order they happened')
})

t.test('a resourceVersion older than the kept history gets the 410 Expired Status as an ERROR event, then the stream ends', async t => {
  const server = await fresh(t, { watchHistory: 3 })
  const start = Number((await ok(server, 'GET', PODS)).metadata.resourceVersion)
  for (let i = 0; i < 5; i++) await ok(server, 'POST', PODS, pod(`h${i}`))
  const watch = await rawWatch(server, `${PODS}?watch=1&resourceVersion=${start}`)
  t.equal(watch.status, 200, 'the real server answers 200 and reports the error in the stream')
  const [event] = await watch.waitFor(1)
  t.same(event, {
    type: 'ERROR',
    object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${start} (${start + 2})`, reason: 'Expired', code: 410 }
  })
  t.same(await watch.ended, {}, 'the server ends the stream')

  const recent = await rawWatch(server, `${PODS}?watch=1&resourceVersion=${start + 2}`)
  t.same(typesAndNames(await recent.waitFor(3)), ['ADDED h2', 'ADDED h3', 'ADDED h4'], 'the oldest kept revision still replays')
  recent.close()

  const latest = Number((await ok(server, 'GET', PODS)).metadata.resourceVersion)
  server.compactHistory()
  const compacted = await rawWatch(server, `${PODS}?watch=1&resourceVersion=${latest - 1}`)
  t.equal((await compacted.waitFor(1))[0].object.message, `too old resource version: ${latest - 1} (${latest})`, 'compaction forgets everything older')
})

t.test('BOOKMARK events only when allowWatchBookmarks is set', async t => {
  const server = await fresh(t)
  const rv = (await ok(server, 'GET', PODS)).metadata.resourceVersion
  const withBookmarks = await rawWatch(server, `${PODS}?watch=1&resourceVersion=${String(rv)}&allowWatchBookmarks=true`)
  const without = await rawWatch(server, `${PODS}?watch=1&resourceVersion=${String(rv)}`)
  t.teardown(() => { withBookmarks.close(); without.close() })
  server.watches.bookmark()
  await ok(server, 'POST', PODS, pod('after-bookmark'))
  const [bookmark, added] = await withBookmarks.waitFor(2)
  t.same(bookmark, { type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(rv) } } })
  t.equal(added.type, 'ADDED')
  t.same(typesAndNames(await without.waitFor(1)), ['ADDED after-bookmark'], 'no bookmark before the event')
})

t.test('timeoutSeconds ends the stream, with a last BOOKMARK when allowed', async t => {
  const server = await fresh(t)
  const watch = await rawWatch(server, `${PODS}?watch=1&sendInitialEvents=false&timeoutSeconds=1&allowWatchBookmarks=true`)
  t.same(await watch.ended, {}, 'ended by the server, not cut')
  t.same(watch.events.map(e => e.type), ['BOOKMARK'])
  t.same(server.watches.paths(), [], 'nothing left open')
})

t.test('selectors filter a watch; a change in or out of the selection is ADDED or DELETED for it', async t => {
  const server = await fresh(t)
  const rv = (await ok(server, 'GET', PODS)).metadata.resourceVersion
  const watch = await rawWatch(server, `${PODS}?watch=1&resourceVersion=${String(rv)}&labelSelector=${encodeURIComponent('app=web')}`)
  t.teardown(() => watch.close())
  await ok(server, 'POST', PODS, pod('other'))
  await ok(server, 'POST', PODS, pod('web-1', { app: 'web' }))
  await ok(server, 'PATCH', `${PODS}/other`, { metadata: { labels: { app: 'web' } } }, 'application/merge-patch+json')
  await ok(server, 'PATCH', `${PODS}/web-1`, { metadata: { labels: { app: 'db' } } }, 'application/merge-patch+json')
  await ok(server, 'PATCH', `${PODS}/other`, { metadata: { labels: { tier: 'x' } } }, 'application/merge-patch+json')
  t.same(typesAndNames(await watch.waitFor(4)), ['ADDED web-1', 'ADDED other', 'DELETED web-1', 'MODIFIED other'])

  const bad = await rawRequest(server, { path: `${PODS}?watch=1&fieldSelector=spec.bogus%3Dx` })
  t.equal(bad.status, 400)
  t.equal(bad.body.message, 'field label not supported: spec.bogus', 'the same 400 as a list')
})

t.test('GET of a named object with watch=true watches that object only', async t => {
  const server = await fresh(t)
  await ok(server, 'POST', PODS, pod('one'))
  await ok(server, 'POST', PODS, pod('two'))
  const watch = await rawWatch(server, `${PODS}/one?watch=true`)
  t.teardown(() => watch.close())
  await ok(server, 'DELETE', `${PODS}/two`)
  await ok(server, 'DELETE', `${PODS}/one`)
  t.same(typesAndNames(await watch.waitFor(2)), ['ADDED one', 'DELETED one'])
})

t.test('every resource served can be watched, events through either API', async t => {
  const server = await fresh(t)
  const bodies: Record<string, object> = {
    namespaces: { metadata: { name: 'watched-ns' } },
    pods: pod('watched-pod'),
    nodes: { metadata: { name: 'watched-node' } },
    persistentvolumes: { metadata: { name: 'watched-pv' }, spec: { capacity: { storage: '1Gi' } } },
    kopfexamples: { apiVersion: 'kopf.dev/v1', kind: 'KopfExample', metadata: { name: 'watched-kex' }, spec: {} },
    kopfclusters: { apiVersion: 'kopf.dev/v1', kind: 'KopfCluster', metadata: { name: 'watched-kc' }, spec: {} },
    events: {
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'watched-event' }, involvedObject: { kind: 'Pod', name: 'watched-pod', namespace: 'default' },
      reason: 'Watched', message: 'seen', type: 'Normal', source: { component: 'test' }, count: 1,
      firstTimestamp: '2026-01-01T00:00:00Z', lastTimestamp: '2026-01-01T00:00:00Z'
    }
  }
  const rv = (await ok(server, 'GET', '/api/v1/namespaces')).metadata.resourceVersion
  const prefix = (info: typeof RESOURCES[number]): string => info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`
  const watches = await Promise.all(RESOURCES.map(async info => await rawWatch(server, `${prefix(info)}/${info.resource}?watch=1&resourceVersion=${String(rv)}`)))
  t.teardown(() => { for (const w of watches) w.close() })
  for (const info of RESOURCES) {
    if (info.resource === 'events' && info.group !== '') continue
    const path = info.namespaced ? `${prefix(info)}/namespaces/default/${info.resource}` : `${prefix(info)}/${info.resource}`
    await ok(server, 'POST', path, bodies[info.resource])
  }
  for (const [i, info] of RESOURCES.entries()) {
    const [event] = await watches[i].waitFor(1)
    t.equal(event.type, 'ADDED', `${apiVersionOf(info)} ${info.resource}`)
    t.equal(event.object.kind, info.kind)
    t.equal(event.object.apiVersion, apiVersionOf(info))
    t.equal(event.object.metadata.name, (bodies[info.resource] as any).metadata.name)
  }
  const eventsV1 = watches[RESOURCES.findIndex(r => r.group === 'events.k8s.io')].events[0].object
  t.same([eventsV1.regarding.name, eventsV1.note], ['watched-pod', 'seen'], 'events.k8s.io/v1 shows its own form')
})

t.test('a Table watch carries the column definitions on its first event only', async t => {
  const server = await fresh(t)
  const watch = await rawWatch(server, `${PODS}?watch=1&sendInitialEvents=false`, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' })
  t.teardown(() => watch.close())
  await ok(server, 'POST', PODS, pod('t1'))
  await ok(server, 'POST', PODS, pod('t2'))
  const [first, second] = await watch.waitFor(2)
  t.equal(first.object.kind, 'Table')
  t.same(first.object.columnDefinitions.map((c: any) => c.name), ['Name', 'Ready', 'Status', 'Restarts', 'Age'])
  t.equal(second.object.columnDefinitions, null)
  t.same(second.object.rows.map((r: any) => r.cells.slice(0, 3)), [['t2', '0/1', 'Pending']])
})

t.test('a fault cuts a watch stream after some events; drop() cuts every open watch', async t => {
  const server = await fresh(t)
  await ok(server, 'POST', PODS, pod('a'))
  await ok(server, 'POST', PODS, pod('b'))
  server.faults.add({ path: `${PODS}?watch`, action: { dropAfter: 1 } })
  const cut = await rawWatch(server, `${PODS}?watch=1`)
  const ended = await cut.ended
  t.ok(ended.error, 'the client sees a broken stream, not an end')
  t.same(typesAndNames(cut.events), ['ADDED a'])

  const open = await rawWatch(server, `${PODS}?watch=1`)
  await open.waitFor(2)
  t.same(server.watches.paths(), [`${PODS}?watch=1`])
  t.equal(server.watches.drop(), 1)
  t.ok((await open.ended).error)
})

t.test('bad watch parameters answer 400 before any streaming', async t => {
  const server = await fresh(t)
  const res = await rawRequest(server, { path: `${PODS}?watch=1&resourceVersion=abc` })
  t.equal(res.status, 400)
  t.equal(res.body.reason, 'BadRequest')
})
