import t from 'tap'
import { startApiServer } from './apiserver/server.js'
import { rawRequest } from './apiserver/raw-client.js'

const server = await startApiServer({ tls: false })
t.teardown(() => server.close())

const MICRO = '2026-11-26T21:18:50.976713Z'
function coreEvent (namespace: string, name?: string): any {
  return {
    metadata: name === undefined ? { generateName: 'demo-pod.' } : { name },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'demo-pod', namespace, uid: 'u-1' },
    reason: 'Started',
    message: 'm',
    type: 'Normal',
    source: { component: 'pino-k8s-events' },
    firstTimestamp: '2026-11-26T21:18:50Z',
    lastTimestamp: '2026-11-26T21:18:50Z',
    count: 1
  }
}
function eventsV1Event (namespace: string, name: string): any {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name },
    regarding: { apiVersion: 'v1', kind: 'Pod', name: 'demo-pod', namespace, uid: 'u-1' },
    reason: 'Started',
    note: 'm',
    type: 'Normal',
    eventTime: MICRO,
    reportingController: 'pino-k8s-events',
    reportingInstance: 'devbox-1234',
    action: 'Log'
  }
}

t.test('default and kube-system exist from the start, Active', async t => {
  const res = await rawRequest(server, { path: '/api/v1/namespaces' })
  t.same(res.body.items.map((ns: any) => [ns.metadata.name, ns.status.phase]), [['default', 'Active'], ['kube-system', 'Active']])
})

t.test('a create in a namespace that does not exist is 404 namespaces "ghost" not found, for both APIs', async t => {
  for (const path of ['/api/v1/namespaces/ghost/events', '/apis/events.k8s.io/v1/namespaces/ghost/events']) {
    const body = path.startsWith('/api/') ? coreEvent('ghost', 'x1') : eventsV1Event('ghost', 'x1')
    const res = await rawRequest(server, { method: 'POST', path, body })
    t.equal(res.status, 404, path)
    t.equal(res.body.reason, 'NotFound')
    t.equal(res.body.message, 'namespaces "ghost" not found')
    t.same(res.body.details, { name: 'ghost', kind: 'namespaces' })
  }
  const pod = await rawRequest(server, { method: 'POST', path: '/api/v1/namespaces/ghost/pods', body: { metadata: { name: 'p' }, spec: {} } })
  t.equal(pod.status, 404, 'other kinds too')
})

t.test('a deleted namespace stays Terminating; creates there are 403 NamespaceTerminating, other writes go on', async t => {
  await server.createNamespace('doomed')
  let res = await rawRequest(server, { method: 'POST', path: '/api/v1/namespaces/doomed/events', body: coreEvent('doomed', 'before') })
  t.equal(res.status, 201)
  await server.deleteNamespace('doomed')

  res = await rawRequest(server, { path: '/api/v1/namespaces/doomed' })
  t.equal(res.body.status.phase, 'Terminating')
  t.type(res.body.metadata.deletionTimestamp, 'string')

  res = await rawRequest(server, { method: 'POST', path: '/api/v1/namespaces/doomed/events', body: coreEvent('doomed', 'doomed1') })
  t.equal(res.status, 403)
  t.equal(res.body.reason, 'Forbidden')
  t.equal(res.body.message, 'events "doomed1" is forbidden: unable to create new content in namespace doomed because it is being terminated')
  t.same(res.body.details.causes, [{ reason: 'NamespaceTerminating', message: 'namespace doomed is being terminated', field: 'metadata.namespace' }])

  res = await rawRequest(server, { method: 'POST', path: '/apis/events.k8s.io/v1/namespaces/doomed/events', body: eventsV1Event('doomed', 'doomed3') })
  t.equal(res.status, 403)
  t.equal(res.body.message, 'events.events.k8s.io "doomed3" is forbidden: unable to create new content in namespace doomed because it is being terminated')
  t.equal(res.body.details.causes[0].reason, 'NamespaceTerminating')

  res = await rawRequest(server, { method: 'PATCH', path: '/api/v1/namespaces/doomed/events/before', contentType: 'application/merge-patch+json', body: { count: 2 } })
  t.equal(res.status, 200, 'PATCH is not blocked')
  t.equal(res.body.count, 2)
  res = await rawRequest(server, { method: 'PUT', path: '/api/v1/namespaces/doomed/events/before', body: { ...res.body, message: 'updated' } })
  t.equal(res.status, 200, 'UPDATE is not blocked')
  res = await rawRequest(server, { method: 'DELETE', path: '/api/v1/namespaces/doomed/events/before' })
  t.equal(res.status, 200, 'DELETE is not blocked')

  await new Promise(resolve => setTimeout(resolve, 50))
  res = await rawRequest(server, { path: '/api/v1/namespaces/doomed' })
  t.equal(res.body.status.phase, 'Terminating', 'and it stays Terminating')
  res = await rawRequest(server, { method: 'DELETE', path: '/api/v1/namespaces/doomed' })
  t.equal(res.status, 409, 'a second delete is refused while content is being removed')
  t.match(res.body.message, /^Operation cannot be fulfilled on namespaces "doomed": The system is ensuring all content is removed/)
})

t.test('a generated name is not known yet when the namespace is refused', async t => {
  const res = await rawRequest(server, { method: 'POST', path: '/api/v1/namespaces/doomed/events', body: coreEvent('doomed') })
  t.equal(res.status, 403)
  t.equal(res.body.message, 'events is forbidden: unable to create new content in namespace doomed because it is being terminated')
})

t.test('a body namespace that differs from the URL is 400, before namespace admission', async t => {
  for (const path of ['/api/v1/namespaces/default/events', '/api/v1/namespaces/ghost/events']) {
    const body = coreEvent('default', 'mismatch')
    body.metadata.namespace = 'other'
    const res = await rawRequest(server, { method: 'POST', path, body })
    t.equal(res.status, 400, path)
    t.equal(res.body.reason, 'BadRequest')
    t.equal(res.body.message, 'the namespace of the provided object does not match the namespace sent on the request')
  }
})

t.test('namespaces created over HTTP get the fields the real server adds', async t => {
  const res = await rawRequest(server, { method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'made-here' } } })
  t.equal(res.status, 201)
  t.equal(res.body.status.phase, 'Active')
  t.same(res.body.spec.finalizers, ['kubernetes'])
  t.equal(res.body.metadata.labels['kubernetes.io/metadata.name'], 'made-here')
  t.match(res.body.metadata.uid, /^[0-9a-f-]{36}$/)
  const bad = await rawRequest(server, { method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: 'Not_A_Label' } } })
  t.equal(bad.status, 422)
  t.match(bad.body.message, /^Namespace "Not_A_Label" is invalid: metadata.name: Invalid value: "Not_A_Label": a lowercase RFC 1123 label/)
})
