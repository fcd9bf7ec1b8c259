import t from 'tap'
import { startApiServer } from './apiserver/server.js'
import { rawRequest } from './apiserver/raw-client.js'

const server = await startApiServer()
t.teardown(() => server.close())
await server.createNamespace('lab')

const MICRO = '2026-11-26T21:18:50.976713Z'
function coreEvent (name: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: 'lab' },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'demo-pod', namespace: 'lab', uid: 'u-1' },
    reason: 'Started',
    message: 'm',
    type: 'Normal',
    eventTime: MICRO,
    reportingComponent: 'pino-k8s-events',
    reportingInstance: 'devbox-1234',
    action: 'Log'
  }
}
function eventsV1Event (name: string): object {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name, namespace: 'lab' },
    regarding: { apiVersion: 'v1', kind: 'Pod', name: 'demo-pod', namespace: 'lab', uid: 'u-1' },
    reason: 'Started',
    note: 'm',
    type: 'Normal',
    eventTime: MICRO,
    reportingController: 'pino-k8s-events',
    reportingInstance: 'devbox-1234',
    action: 'Log'
  }
}

const UNAUTHORIZED = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }

t.test('an unknown or missing token is 401 with the real Status body, before anything else is looked at', async t => {
  for (const token of [null, 'no-such-token']) {
    const res = await rawRequest(server, { method: 'POST', path: '/api/v1/namespaces/ghost/events', token, body: 'not json' })
    t.equal(res.status, 401)
    t.equal(res.text, JSON.stringify(UNAUTHORIZED))
    t.equal(res.headers['content-type'], 'application/json')
  }
  const discovery = await rawRequest(server, { path: '/api/v1', token: null })
  t.equal(discovery.status, 401, 'discovery needs authentication too')
})

t.test('a user without rights gets the real 403 texts for both event APIs, for create and list', async t => {
  let res = await rawRequest(server, { method: 'POST', path: '/api/v1/namespaces/lab/events', token: 'nobody-token', body: coreEvent('denied1') })
  t.equal(res.status, 403)
  t.equal(res.body.reason, 'Forbidden')
  t.equal(res.body.message, 'events is forbidden: User "nobody" cannot create resource "events" in API group "" in the namespace "lab"')
  t.same(res.body.details, { kind: 'events' })

  res = await rawRequest(server, { method: 'POST', path: '/apis/events.k8s.io/v1/namespaces/lab/events', token: 'nobody-token', body: eventsV1Event('denied2') })
  t.equal(res.status, 403)
  t.equal(res.body.message, 'events.events.k8s.io is forbidden: User "nobody" cannot create resource "events" in API group "events.k8s.io" in the namespace "lab"')
  t.same(res.body.details, { group: 'events.k8s.io', kind: 'events' })

  res = await rawRequest(server, { path: '/api/v1/namespaces/lab/events', token: 'nobody-token' })
  t.equal(res.body.message, 'events is forbidden: User "nobody" cannot list resource "events" in API group "" in the namespace "lab"')

  res = await rawRequest(server, { path: '/api/v1/events', token: 'nobody-token' })
  t.equal(res.status, 403)
  t.equal(res.body.message, 'events is forbidden: User "nobody" cannot list resource "events" in API group "" at the cluster scope')
  t.equal(server.listEvents('lab').length, 0, 'nothing was stored')
})

t.test('authorization comes before decoding, admission and validation', async t => {
  const res = await rawRequest(server, { method: 'POST', path: '/api/v1/namespaces/ghost/events', token: 'nobody-token', body: '{not json' })
  t.equal(res.status, 403)
  t.equal(res.body.message, 'events is forbidden: User "nobody" cannot create resource "events" in API group "" in the namespace "ghost"')
})

t.test('discovery needs only authentication', async t => {
  for (const path of ['/version', '/api', '/api/v1', '/apis', '/apis/events.k8s.io/v1', '/apis/kopf.dev/v1']) {
    const res = await rawRequest(server, { path, token: 'nobody-token' })
    t.equal(res.status, 200, path)
  }
})

t.test('the creator may create events through both APIs but not patch them; the 403 names the event', async t => {
  let res = await rawRequest(server, { method: 'POST', path: '/api/v1/namespaces/lab/events', token: 'creator-token', body: coreEvent('made1') })
  t.equal(res.status, 201)
  res = await rawRequest(server, { method: 'POST', path: '/apis/events.k8s.io/v1/namespaces/lab/events', token: 'creator-token', body: eventsV1Event('made2') })
  t.equal(res.status, 201)
  res = await rawRequest(server, { method: 'PATCH', path: '/api/v1/namespaces/lab/events/made1', token: 'creator-token', contentType: 'application/merge-patch+json', body: { count: 2 } })
  t.equal(res.status, 403)
  t.equal(res.body.message, 'events "made1" is forbidden: User "creator" cannot patch resource "events" in API group "" in the namespace "lab"')
  t.same(res.body.details, { name: 'made1', kind: 'events' })
  res = await rawRequest(server, { path: '/api/v1/namespaces/lab/events/made1', token: 'creator-token' })
  t.equal(res.status, 403)
  t.equal(res.body.message, 'events "made1" is forbidden: User "creator" cannot get resource "events" in API group "" in the namespace "lab"')
})

t.test('users and rules added at runtime, limited to namespaces, and changed while running', async t => {
  await server.createNamespace('other')
  const token = server.addUser('limited', { rules: [{ verbs: ['create'], apiGroups: [''], resources: ['events'], namespaces: ['lab'] }] })
  let res = await rawRequest(server, { method: 'POST', path: '/api/v1/namespaces/lab/events', token, body: coreEvent('limited1') })
  t.equal(res.status, 201)
  res = await rawRequest(server, { method: 'POST', path: '/api/v1/namespaces/other/events', token, body: { ...coreEvent('limited2'), metadata: { name: 'limited2' } } })
  t.equal(res.status, 403)
  t.equal(res.body.message, 'events is forbidden: User "limited" cannot create resource "events" in API group "" in the namespace "other"')

  server.setRules('limited', [{ verbs: ['*'], apiGroups: ['*'], resources: ['events'] }])
  res = await rawRequest(server, { method: 'PATCH', path: '/api/v1/namespaces/lab/events/limited1', token, contentType: 'application/merge-patch+json', body: { count: 2 } })
  t.equal(res.status, 200, 'the new rules apply at once')
  res = await rawRequest(server, { path: '/api/v1/namespaces', token })
  t.equal(res.status, 403, 'but only to the resources named')
  t.equal(res.body.message, 'namespaces is forbidden: User "limited" cannot list resource "namespaces" in API group "" at the cluster scope')
})

t.test('a rotated token: the new one works, the removed one is 401', async t => {
  const first = server.addUser('rotating', { rules: [{ verbs: ['list'], apiGroups: [''], resources: ['events'] }] })
  const second = server.addUser('rotating', { token: 'rotating-second' })
  t.equal(second, 'rotating-second')
  t.equal((await rawRequest(server, { path: '/api/v1/namespaces/lab/events', token: first })).status, 200)
  server.removeToken(first)
  t.equal((await rawRequest(server, { path: '/api/v1/namespaces/lab/events', token: first })).status, 401)
  t.equal((await rawRequest(server, { path: '/api/v1/namespaces/lab/events', token: second })).status, 200, 'the rules stay with the user')
})

t.test('client certificates authenticate: CN is the user, O entries are groups', async t => {
  const pki = server.pki
  if (pki === undefined) throw new Error('TLS server without PKI')
  const master = pki.clientCert('alice', ['system:masters'])
  let res = await rawRequest(server, { path: '/api/v1/namespaces/lab/events', token: null, cert: master })
  t.equal(res.status, 200)
  t.equal(server.requests.at(-1)?.user, 'alice')

  const plain = pki.clientCert('bob', ['developers'])
  res = await rawRequest(server, { path: '/api/v1/namespaces/lab/events', token: null, cert: plain })
  t.equal(res.status, 403)
  t.equal(res.body.message, 'events is forbidden: User "bob" cannot list resource "events" in API group "" in the namespace "lab"')
  server.setRules('bob', [{ verbs: ['list'], apiGroups: [''], resources: ['events'] }])
  res = await rawRequest(server, { path: '/api/v1/namespaces/lab/events', token: null, cert: plain })
  t.equal(res.status, 200, 'rules can be given to certificate users by name')
})

t.test('without TLS the server speaks plain HTTP and its kubeconfig carries no CA', async t => {
  const plain = await startApiServer({ tls: false })
  t.teardown(() => plain.close())
  t.match(plain.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.equal(plain.caCert, undefined)
  const yaml = plain.kubeconfigYaml({ user: 'nobody', namespace: 'lab' })
  t.notMatch(yaml, /certificate-authority/)
  t.match(yaml, /current-context: nobody/)
  t.match(yaml, /namespace: lab/)
  const res = await rawRequest(plain, { path: '/api/v1/namespaces/default/events' })
  t.equal(res.status, 200)
  t.equal(res.body.kind, 'EventList')
})
