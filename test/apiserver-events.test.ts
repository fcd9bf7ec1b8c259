import t from 'tap'
import { startApiServer } from './apiserver/server.js'
import { rawRequest } from './apiserver/raw-client.js'

const server = await startApiServer({ tls: false })
t.teardown(() => server.close())
await server.createNamespace('lab')
await server.createNamespace('other')

const CORE = '/api/v1/namespaces/lab/events'
const V1 = '/apis/events.k8s.io/v1/namespaces/lab/events'

function coreEvent (name: string, extra: Record<string, unknown> = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'demo-pod', namespace: 'lab', uid: 'pod-uid' },
    reason: 'Started',
    message: 'm',
    type: 'Normal',
    source: { component: 'pino-k8s-events', host: 'devbox' },
    firstTimestamp: '2026-11-26T21:18:50.979Z',
    lastTimestamp: '2026-11-26T21:18:51.5Z',
    count: 1,
    ...extra
  }
}
function eventsV1Event (name: string, extra: Record<string, unknown> = {}): any {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name },
    regarding: { apiVersion: 'kopf.dev/v1', kind: 'KopfExample', name: 'kex-1', namespace: 'lab', uid: 'kex-uid' },
    reason: 'Logged',
    note: 'through events.k8s.io',
    type: 'Warning',
    eventTime: '2026-11-26T23:18:50.976713+02:00',
    reportingController: 'pino-k8s-events',
    reportingInstance: 'devbox-1234',
    action: 'Log',
    ...extra
  }
}

t.test('one store behind both APIs: each sees what the other created, in its own shape', async t => {
  let res = await rawRequest(server, { method: 'POST', path: CORE, body: coreEvent('core-made') })
  t.equal(res.status, 201)
  const created = res.body
  res = await rawRequest(server, { method: 'POST', path: V1, body: eventsV1Event('v1-made') })
  t.equal(res.status, 201)
  t.equal(res.body.apiVersion, 'events.k8s.io/v1')

  res = await rawRequest(server, { path: `${V1}/core-made` })
  t.equal(res.status, 200)
  t.equal(res.body.apiVersion, 'events.k8s.io/v1')
  t.equal(res.body.note, 'm')
  t.same(res.body.regarding, created.involvedObject)
  t.equal(res.body.deprecatedCount, 1)
  t.equal(res.body.metadata.uid, created.metadata.uid)

  res = await rawRequest(server, { path: `${CORE}/v1-made` })
  t.equal(res.body.apiVersion, 'v1')
  t.equal(res.body.message, 'through events.k8s.io')
  t.equal(res.body.reportingComponent, 'pino-k8s-events')
  t.equal(res.body.involvedObject.kind, 'KopfExample')

  const coreList = await rawRequest(server, { path: CORE })
  const v1List = await rawRequest(server, { path: V1 })
  t.same(coreList.body.items.map((e: any) => e.metadata.name), ['core-made', 'v1-made'])
  t.same(v1List.body.items.map((e: any) => e.metadata.name), ['core-made', 'v1-made'])
  t.equal(coreList.body.kind, 'EventList')
  t.equal(coreList.body.apiVersion, 'v1')
  t.equal(v1List.body.apiVersion, 'events.k8s.io/v1')
  t.match(coreList.body.metadata.resourceVersion, /^\d+$/)
  t.same(server.listEvents('lab').map(e => e.apiVersion), ['v1', 'v1'], 'stored in the core/v1 form')
})

t.test('creation fills uid, resourceVersion and creationTimestamp; times are stored at their precision in UTC', async t => {
  const res = await rawRequest(server, { path: `${CORE}/core-made` })
  t.match(res.body.metadata.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  t.match(res.body.metadata.resourceVersion, /^\d+$/)
  t.match(res.body.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  t.equal(res.body.firstTimestamp, '2026-11-26T21:18:50Z', 'fractions dropped')
  t.equal(res.body.lastTimestamp, '2026-11-26T21:18:51Z')
  t.equal(res.body.eventTime, null)
  const v1 = await rawRequest(server, { path: `${CORE}/v1-made` })
  t.equal(v1.body.eventTime, '2026-11-26T21:18:50.976713Z', 'six digits kept, offset folded into UTC')
  const a = Number(res.body.metadata.resourceVersion)
  const b = Number(v1.body.metadata.resourceVersion)
  t.ok(b > a, 'one counter across writes')
})

t.test('generateName keeps at most 58 characters of the prefix and appends 5 random ones', async t => {
  const prefix = 'p'.repeat(70)
  const names = new Set<string>()
  for (let i = 0; i < 20; i++) {
    const res = await rawRequest(server, { method: 'POST', path: CORE, body: coreEvent('', { metadata: { generateName: prefix } }) })
    t.equal(res.status, 201)
    names.add(res.body.metadata.name)
    t.match(res.body.metadata.name, /^p{58}[a-z0-9]{5}$/)
    t.equal(res.body.metadata.generateName, prefix)
  }
  t.equal(names.size, 20, 'all different')
  const short = await rawRequest(server, { method: 'POST', path: V1, body: eventsV1Event('', { metadata: { generateName: 'kex-1-' } }) })
  t.match(short.body.metadata.name, /^kex-1-[a-z0-9]{5}$/)
  const none = await rawRequest(server, { method: 'POST', path: CORE, body: coreEvent('', { metadata: {} }) })
  t.equal(none.status, 422)
  t.equal(none.body.message, 'Event "" is invalid: metadata.name: Required value: name or generateName is required')
})

t.test('a name that exists is 409 AlreadyExists', async t => {
  const res = await rawRequest(server, { method: 'POST', path: CORE, body: coreEvent('core-made') })
  t.equal(res.status, 409)
  t.equal(res.body.reason, 'AlreadyExists')
  t.equal(res.body.message, 'events "core-made" already exists')
  const v1 = await rawRequest(server, { method: 'POST', path: V1, body: eventsV1Event('core-made') })
  t.equal(v1.body.message, 'events.events.k8s.io "core-made" already exists')
})

t.test('fieldSelector on the fields the real server supports, per API', async t => {
  await server.createNamespace('sel')
  const base = '/api/v1/namespaces/sel/events'
  const make = async (name: string, ref: Record<string, string>, extra: Record<string, unknown> = {}): Promise<void> => {
    const res = await rawRequest(server, {
      method: 'POST',
      path: base,
      body: coreEvent(name, { involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: 'sel', ...ref }, ...extra })
    })
    t.equal(res.status, 201, name)
  }
  await make('a', { name: 'pod-a', uid: 'uid-a', fieldPath: 'spec.containers{app}' })
  await make('b', { name: 'pod-b', uid: 'uid-b' }, { type: 'Warning', reason: 'BackOff', source: { component: 'kubelet' } })
  await make('c', { name: 'pod-a', uid: 'uid-other' }, { reportingComponent: 'ctrl', reportingInstance: 'i', action: 'A', eventTime: '2026-11-26T21:18:50.000001Z' })
  const names = async (path: string, selector: string): Promise<string[]> => {
    const res = await rawRequest(server, { path: `${path}?fieldSelector=${encodeURIComponent(selector)}` })
    t.equal(res.status, 200, selector)
    return res.body.items.map((e: any) => e.metadata.name)
  }
  t.same(await names(base, 'involvedObject.name=pod-a'), ['a', 'c'])
  t.same(await names(base, 'involvedObject.name=pod-a,involvedObject.uid=uid-a'), ['a'])
  t.same(await names(base, 'involvedObject.namespace=sel,involvedObject.kind=Pod,involvedObject.name==pod-b'), ['b'])
  t.same(await names(base, 'involvedObject.fieldPath=spec.containers{app}'), ['a'])
  t.same(await names(base, 'involvedObject.apiVersion=v1,involvedObject.uid!=uid-a'), ['b', 'c'])
  t.same(await names(base, 'type=Warning'), ['b'])
  t.same(await names(base, 'type!=Warning'), ['a', 'c'])
  t.same(await names(base, 'reason=BackOff'), ['b'])
  t.same(await names(base, 'source=kubelet'), ['b'])
  t.same(await names(base, 'reportingComponent=ctrl'), ['c'])
  t.same(await names(base, 'metadata.name=c'), ['c'])
  t.same(await names('/api/v1/events', 'metadata.namespace=sel,involvedObject.name=pod-b'), ['b'])
  t.same(await names('/apis/events.k8s.io/v1/namespaces/sel/events', 'regarding.name=pod-a,regarding.uid=uid-other'), ['c'])
  t.same(await names('/apis/events.k8s.io/v1/events', 'regarding.kind=Pod,metadata.namespace=sel'), ['a', 'b', 'c'])

  const bad = await rawRequest(server, { path: `${base}?fieldSelector=spec.nope%3Dx` })
  t.equal(bad.status, 400)
  t.equal(bad.body.message, 'field label not supported: spec.nope')
  const wrongApi = await rawRequest(server, { path: '/apis/events.k8s.io/v1/namespaces/sel/events?fieldSelector=involvedObject.name%3Dpod-a' })
  t.equal(wrongApi.status, 400, 'involvedObject.* is the core API\'s name for it')
})

t.test('limit and continue page through a list in name order, across namespaces too', async t => {
  await server.createNamespace('paged')
  const expected: string[] = []
  for (let i = 0; i < 25; i++) {
    const name = `ev-${String(i).padStart(2, '0')}`
    expected.push(name)
    const res = await rawRequest(server, { method: 'POST', path: '/api/v1/namespaces/paged/events', body: coreEvent(name, { involvedObject: { kind: 'Pod', name: 'p', namespace: 'paged' } }) })
    t.equal(res.status, 201)
  }
  const seen: string[] = []
  let token: string | undefined
  let pages = 0
  do {
    const query = new URLSearchParams({ limit: '10' })
    if (token !== undefined) query.set('continue', token)
    const res = await rawRequest(server, { path: `/apis/events.k8s.io/v1/namespaces/paged/events?${query.toString()}` })
    t.equal(res.status, 200)
    pages++
    seen.push(...res.body.items.map((e: any) => e.metadata.name))
    token = res.body.metadata.continue
    if (token !== undefined) t.equal(res.body.metadata.remainingItemCount, 25 - seen.length)
  } while (token !== undefined && pages < 10)
  t.equal(pages, 3)
  t.same(seen, expected)

  const all = await rawRequest(server, { path: '/api/v1/events?limit=3' })
  t.equal(all.body.items.length, 3)
  t.type(all.body.metadata.continue, 'string')
  const namespaces = all.body.items.map((e: any) => e.metadata.namespace)
  t.same(namespaces, [...namespaces].sort(), 'ordered by namespace, then name')
  const broken = await rawRequest(server, { path: '/api/v1/events?limit=3&continue=garbage' })
  t.equal(broken.status, 400)
})

t.test('update: stale resourceVersion is 409 Conflict, current one or none succeeds, unknown name creates', async t => {
  const current = (await rawRequest(server, { path: `${CORE}/core-made` })).body
  const stale = { ...current, metadata: { ...current.metadata, resourceVersion: '1' }, message: 'stale' }
  let res = await rawRequest(server, { method: 'PUT', path: `${CORE}/core-made`, body: stale })
  t.equal(res.status, 409)
  t.equal(res.body.reason, 'Conflict')
  t.equal(res.body.message, 'Operation cannot be fulfilled on events "core-made": the object has been modified; please apply your changes to the latest version and try again')

  res = await rawRequest(server, { method: 'PUT', path: `${CORE}/core-made`, body: { ...current, message: 'fresh', count: 5 } })
  t.equal(res.status, 200)
  t.equal(res.body.message, 'fresh')
  t.equal(res.body.count, 5)
  t.equal(res.body.metadata.uid, current.metadata.uid, 'uid kept')
  t.equal(res.body.metadata.creationTimestamp, current.metadata.creationTimestamp)
  t.not(res.body.metadata.resourceVersion, current.metadata.resourceVersion)

  const { resourceVersion: _rv, ...withoutVersion } = res.body.metadata
  res = await rawRequest(server, { method: 'PUT', path: `${CORE}/core-made`, body: { ...res.body, metadata: withoutVersion, message: 'unconditional' } })
  t.equal(res.status, 200, 'events allow unconditional updates')

  res = await rawRequest(server, { method: 'PUT', path: `${CORE}/core-made`, body: { ...res.body, metadata: { ...res.body.metadata, name: 'other-name' } } })
  t.equal(res.status, 400)
  t.equal(res.body.message, 'the name of the object (other-name) does not match the name on the URL (core-made)')

  res = await rawRequest(server, { method: 'PUT', path: `${CORE}/made-by-put`, body: coreEvent('made-by-put') })
  t.equal(res.status, 201, 'events may be created by an update')
})

t.test('get and delete; a missing event is 404 in each API\'s words', async t => {
  let res = await rawRequest(server, { method: 'DELETE', path: `${V1}/made-by-put` })
  t.equal(res.status, 200)
  t.equal(res.body.status, 'Success')
  t.equal(res.body.details.name, 'made-by-put')
  res = await rawRequest(server, { path: `${CORE}/made-by-put` })
  t.equal(res.status, 404)
  t.equal(res.body.message, 'events "made-by-put" not found')
  res = await rawRequest(server, { path: `${V1}/made-by-put` })
  t.equal(res.body.message, 'events.events.k8s.io "made-by-put" not found')
  res = await rawRequest(server, { method: 'DELETE', path: `${CORE}/made-by-put` })
  t.equal(res.status, 404)
})

t.test('other kinds: pods, nodes, persistent volumes and KopfExamples are stored with uids', async t => {
  const pod = await server.createObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'demo-pod', namespace: 'lab' }, spec: { containers: [{ name: 'c', image: 'x' }] } })
  t.match(pod.metadata.uid, /^[0-9a-f-]{36}$/)
  t.equal(pod.metadata.namespace, 'lab')
  const node = await server.createObject({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } })
  t.equal(node.metadata.namespace, undefined, 'cluster-scoped')
  const pv = await server.createObject({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-1' }, spec: {} })
  t.equal(pv.kind, 'PersistentVolume')
  const kex = await server.createObject({ apiVersion: 'kopf.dev/v1', kind: 'KopfExample', metadata: { name: 'kex-1', namespace: 'lab' }, spec: { x: 1 } })
  t.equal(kex.apiVersion, 'kopf.dev/v1')

  let res = await rawRequest(server, { path: '/apis/kopf.dev/v1/namespaces/lab/kopfexamples/kex-1' })
  t.equal(res.body.metadata.uid, kex.metadata.uid)
  res = await rawRequest(server, { path: '/apis/kopf.dev/v1/kopfexamples' })
  t.equal(res.body.kind, 'KopfExampleList')
  t.equal(res.body.items[0].kind, 'KopfExample', 'custom resources keep kind in lists')
  res = await rawRequest(server, { path: '/api/v1/nodes' })
  t.same(res.body.items.map((n: any) => n.metadata.name), ['node-1'])
  t.equal(res.body.items[0].kind, undefined, 'built-in kinds do not')
  res = await rawRequest(server, { path: '/api/v1/persistentvolumes/pv-1' })
  t.equal(res.status, 200)
  res = await rawRequest(server, { path: '/api/v1/namespaces/lab/pods/nope' })
  t.equal(res.body.message, 'pods "nope" not found')
  await t.rejects(server.createObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ghost' } }), /namespaces "ghost" not found/)
  await t.rejects(server.createObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } }), /cannot store apps\/v1 Deployment/)
})

t.test('discovery describes the resources kubectl maps', async t => {
  const core = await rawRequest(server, { path: '/api/v1' })
  const byName = new Map(core.body.resources.map((r: any) => [r.name, r]))
  t.match(byName.get('events'), { namespaced: true, kind: 'Event', shortNames: ['ev'] })
  t.match(byName.get('nodes'), { namespaced: false, kind: 'Node', shortNames: ['no'] })
  t.match(byName.get('persistentvolumes'), { namespaced: false, shortNames: ['pv'] })
  t.match(byName.get('namespaces'), { namespaced: false, shortNames: ['ns'] })
  t.match(byName.get('pods'), { namespaced: true, shortNames: ['po'] })
  const groups = await rawRequest(server, { path: '/apis' })
  t.same(groups.body.groups.map((g: any) => g.preferredVersion.groupVersion), ['events.k8s.io/v1', 'kopf.dev/v1'])
  const kopf = await rawRequest(server, { path: '/apis/kopf.dev/v1' })
  t.match(kopf.body.resources[0], { name: 'kopfexamples', singularName: 'kopfexample', namespaced: true, kind: 'KopfExample', shortNames: ['kex'] })
  const version = await rawRequest(server, { path: '/version' })
  t.match(version.body.gitVersion, /^v1\.32\./)
  const unknown = await rawRequest(server, { path: '/apis/apps/v1/namespaces/lab/deployments' })
  t.equal(unknown.status, 404)
})
