// Representative rows of the reference table of real kube-apiserver answers, sent over HTTP end to end.
import t from 'tap'
import { startApiServer } from './apiserver/server.js'
import { rawRequest } from './apiserver/raw-client.js'

const server = await startApiServer()
t.teardown(() => server.close())
await server.createNamespace('lab')
const pod = await server.createObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'demo-pod', namespace: 'lab' }, spec: { containers: [{ name: 'c', image: 'x' }] } })
const podRef = { apiVersion: 'v1', kind: 'Pod', name: 'demo-pod', namespace: 'lab', uid: pod.metadata.uid }

const CORE = '/api/v1/namespaces/lab/events'
const V1 = '/apis/events.k8s.io/v1/namespaces/lab/events'
const EVENT_TIME = '2026-11-26T21:18:50.976713Z'

function withEventTime (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Event', metadata: { name }, involvedObject: podRef, eventTime: EVENT_TIME,
    reportingComponent: 'pino-k8s-events', reportingInstance: 'devbox-1234', action: 'Log', type: 'Normal', reason: 'Started', message: 'm', ...extra
  }
}
function withoutEventTime (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Event', metadata: { name }, involvedObject: podRef, source: { component: 'pino-k8s-events' },
    firstTimestamp: '2026-11-26T21:18:50Z', lastTimestamp: '2026-11-26T21:18:50Z', count: 1, type: 'Normal', reason: 'Started', message: 'm', ...extra
  }
}
function eventsV1 (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name }, regarding: podRef, note: 'm', reportingController: 'pino-k8s-events',
    reportingInstance: 'devbox-1234', action: 'Log', eventTime: EVENT_TIME, type: 'Normal', reason: 'Started', ...extra
  }
}
function without (body: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  const copy = { ...body }
  for (const key of keys) delete copy[key]
  return copy
}

const REPORTING_COMPONENT_FORMAT = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"

const cases: Array<{ id: number, path: string, body: Record<string, unknown>, status: number, reason?: string, message?: string }> = [
  { id: 1, path: V1, body: eventsV1('case1', { type: 'Error' }), status: 422, reason: 'Invalid', message: 'Event "case1" is invalid: type: Invalid value: "": has invalid value: Error' },
  { id: 2, path: CORE, body: withEventTime('case2', { type: 'Error' }), status: 201 },
  { id: 3, path: CORE, body: withoutEventTime('case3', { type: 'Error' }), status: 201 },
  { id: 4, path: CORE, body: withEventTime('case4', { message: 'x'.repeat(1025) }), status: 422, reason: 'Invalid', message: 'Event "case4" is invalid: message: Invalid value: "": can have at most 1024 characters' },
  { id: 5, path: CORE, body: withoutEventTime('case5', { message: 'x'.repeat(1025) }), status: 201 },
  { id: 10, path: CORE, body: without(withEventTime('case10'), 'reportingInstance'), status: 422, reason: 'Invalid', message: 'Event "case10" is invalid: reportingInstance: Required value' },
  {
    id: 11,
    path: CORE,
    body: without(withEventTime('case11'), 'reportingComponent', 'action', 'reportingInstance'),
    status: 422,
    reason: 'Invalid',
    message: `Event "case11" is invalid: [reportingComponent: Required value, reportingComponent: Invalid value: "": name part must be non-empty, reportingComponent: Invalid value: "": ${REPORTING_COMPONENT_FORMAT}, reportingInstance: Required value, action: Required value]`
  },
  { id: 13, path: CORE, body: withoutEventTime('case13', { involvedObject: { ...podRef, namespace: 'other' } }), status: 422, reason: 'Invalid', message: 'Event "case13" is invalid: involvedObject.namespace: Invalid value: "other": does not match event.namespace' },
  { id: 14, path: CORE, body: withEventTime('case14', { involvedObject: { ...podRef, namespace: 'other' } }), status: 201 },
  { id: 16, path: CORE, body: withEventTime('case16', { involvedObject: { ...podRef, namespace: '' } }), status: 422, reason: 'Invalid', message: 'Event "case16" is invalid: involvedObject.namespace: Invalid value: "": does not match event.namespace' },
  { id: 18, path: CORE, body: withoutEventTime('case18', { metadata: { name: 'case18', namespace: 'other' } }), status: 400, reason: 'BadRequest', message: 'the namespace of the provided object does not match the namespace sent on the request' },
  { id: 21, path: V1, body: without(eventsV1('case21'), 'eventTime'), status: 422, reason: 'Invalid', message: 'Event "case21" is invalid: eventTime: Required value' },
  { id: 22, path: CORE, body: withEventTime('case22', { eventTime: '2026-11-26T21:18:50Z' }), status: 400, reason: 'BadRequest', message: 'Event in version "v1" cannot be handled as a Event: parsing time "2026-11-26T21:18:50Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"' },
  { id: 24, path: CORE, body: withEventTime('case24', { eventTime: '2026-11-26T21:18:50.979Z' }), status: 400, reason: 'BadRequest', message: 'Event in version "v1" cannot be handled as a Event: parsing time "2026-11-26T21:18:50.979Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse ".979Z" as ".000000"' },
  { id: 25, path: V1, body: eventsV1('case25', { eventTime: '2026-11-26T21:18:50.979Z' }), status: 400, reason: 'BadRequest', message: 'Event in version "v1" cannot be handled as a Event: parsing time "2026-11-26T21:18:50.979Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse ".979Z" as ".000000"' },
  { id: 26, path: CORE, body: withEventTime('case26', { eventTime: '2026-11-26T21:18:50.981367318Z' }), status: 400, reason: 'BadRequest', message: 'Event in version "v1" cannot be handled as a Event: parsing time "2026-11-26T21:18:50.981367318Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "318Z" as "Z07:00"' },
  { id: 27, path: CORE, body: withEventTime('case27', { eventTime: '2026-11-26T21:18:50.976713+00:00' }), status: 201 },
  { id: 31, path: CORE, body: withoutEventTime('Bad Name:X'), status: 201 },
  {
    id: 32,
    path: V1,
    body: eventsV1('Bad Name:X'),
    status: 422,
    reason: 'Invalid',
    message: 'Event "Bad Name:X" is invalid: metadata.name: Invalid value: "Bad Name:X": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')'
  },
  { id: 37, path: CORE, body: withEventTime('case37', { involvedObject: { ...podRef, name: 'no-such-pod', uid: 'no-such-uid' } }), status: 201 },
  { id: 38, path: CORE, body: withEventTime('case38', { message: 'x'.repeat(1024) }), status: 201 },
  { id: 39, path: CORE, body: withEventTime('case39', { message: '€'.repeat(400) }), status: 422, reason: 'Invalid', message: 'Event "case39" is invalid: message: Invalid value: "": can have at most 1024 characters' }
]

for (const c of cases) {
  t.test(`case ${c.id}: ${c.status}${c.reason === undefined ? '' : ` ${c.reason}`}`, async t => {
    const res = await rawRequest(server, { method: 'POST', path: c.path, body: c.body })
    t.equal(res.status, c.status, res.text)
    if (c.status === 201) {
      t.equal(res.body.metadata.namespace, 'lab')
      return
    }
    t.equal(res.body.kind, 'Status')
    t.equal(res.body.code, c.status)
    t.equal(res.body.reason, c.reason)
    t.equal(res.body.message, c.message)
  })
}

t.test('case 23: a second create with the same name is 409 AlreadyExists', async t => {
  const body = withEventTime('demo-pod.et1')
  t.equal((await rawRequest(server, { method: 'POST', path: CORE, body })).status, 201)
  const res = await rawRequest(server, { method: 'POST', path: CORE, body })
  t.equal(res.status, 409)
  t.equal(res.body.message, 'events "demo-pod.et1" already exists')
})

t.test('causes carry one entry per failed rule, with the events.k8s.io group in details', async t => {
  let res = await rawRequest(server, { method: 'POST', path: CORE, body: withEventTime('causes1', { message: 'x'.repeat(1025) }) })
  t.same(res.body.details, {
    name: 'causes1',
    kind: 'events',
    causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "": can have at most 1024 characters', field: 'message' }]
  })
  res = await rawRequest(server, { method: 'POST', path: V1, body: without(eventsV1('causes2'), 'reportingInstance') })
  t.same(res.body.details, {
    name: 'causes2',
    group: 'events.k8s.io',
    kind: 'events',
    causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'reportingInstance' }]
  })
})
