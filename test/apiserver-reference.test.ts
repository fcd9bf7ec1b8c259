// Representative rows of the reference table of real kube-apiserver answers, sent over HTTP end to end; every
// failure is compared as the whole Status body, details and key order included.
import t, { type Test } from 'tap'
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
const RFC_1123_SUBDOMAIN_FORMAT = 'a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')'

interface Cause { reason: string, message: string, field: string }
const required = (field: string): Cause => ({ reason: 'FieldValueRequired', message: 'Required value', field })
const invalid = (field: string, message: string): Cause => ({ reason: 'FieldValueInvalid', message, field })

/** A metav1.Status failure as the real server writes it, keys in Go's order. */
function failure (code: number, reason: string, message: string, details?: object): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details === undefined ? {} : { details }), code }
}
const badRequest = (message: string): object => failure(400, 'BadRequest', message)
/** 422 from Event validation: `kind: Event` and no group, on both APIs. */
function eventInvalid (name: string, message: string, causes: Cause[]): object {
  return failure(422, 'Invalid', message, { name, kind: 'Event', causes })
}

async function expectFailure (t: Test, req: Parameters<typeof rawRequest>[1], expected: any): Promise<void> {
  const res = await rawRequest(server, req)
  t.equal(res.status, expected.code, res.text)
  t.strictSame(res.body, expected)
  t.equal(JSON.stringify(res.body), JSON.stringify(expected), 'keys in the order the real server writes them')
}

const cases: Array<{ id: number, path: string, body: Record<string, unknown>, created?: true, failure?: object }> = [
  { id: 1, path: V1, body: eventsV1('case1', { type: 'Error' }), failure: eventInvalid('case1', 'Event "case1" is invalid: type: Invalid value: "": has invalid value: Error', [invalid('type', 'Invalid value: "": has invalid value: Error')]) },
  { id: 2, path: CORE, body: withEventTime('case2', { type: 'Error' }), created: true },
  { id: 3, path: CORE, body: withoutEventTime('case3', { type: 'Error' }), created: true },
  { id: 4, path: CORE, body: withEventTime('case4', { message: 'x'.repeat(1025) }), failure: eventInvalid('case4', 'Event "case4" is invalid: message: Invalid value: "": can have at most 1024 characters', [invalid('message', 'Invalid value: "": can have at most 1024 characters')]) },
  { id: 5, path: CORE, body: withoutEventTime('case5', { message: 'x'.repeat(1025) }), created: true },
  { id: 6, path: V1, body: eventsV1('case6', { note: 'x'.repeat(1025) }), failure: eventInvalid('case6', 'Event "case6" is invalid: message: Invalid value: "": can have at most 1024 characters', [invalid('message', 'Invalid value: "": can have at most 1024 characters')]) },
  { id: 10, path: CORE, body: without(withEventTime('case10'), 'reportingInstance'), failure: eventInvalid('case10', 'Event "case10" is invalid: reportingInstance: Required value', [required('reportingInstance')]) },
  {
    id: 11,
    path: CORE,
    body: without(withEventTime('case11'), 'reportingComponent', 'action', 'reportingInstance'),
    failure: eventInvalid('case11',
      `Event "case11" is invalid: [reportingComponent: Required value, reportingComponent: Invalid value: "": name part must be non-empty, reportingComponent: Invalid value: "": ${REPORTING_COMPONENT_FORMAT}, reportingInstance: Required value, action: Required value]`,
      [
        required('reportingComponent'),
        invalid('reportingComponent', 'Invalid value: "": name part must be non-empty'),
        invalid('reportingComponent', `Invalid value: "": ${REPORTING_COMPONENT_FORMAT}`),
        required('reportingInstance'),
        required('action')
      ])
  },
  { id: 12, path: V1, body: without(eventsV1('case12'), 'reportingInstance'), failure: eventInvalid('case12', 'Event "case12" is invalid: reportingInstance: Required value', [required('reportingInstance')]) },
  { id: 13, path: CORE, body: withoutEventTime('case13', { involvedObject: { ...podRef, namespace: 'other' } }), failure: eventInvalid('case13', 'Event "case13" is invalid: involvedObject.namespace: Invalid value: "other": does not match event.namespace', [invalid('involvedObject.namespace', 'Invalid value: "other": does not match event.namespace')]) },
  { id: 14, path: CORE, body: withEventTime('case14', { involvedObject: { ...podRef, namespace: 'other' } }), created: true },
  { id: 16, path: CORE, body: withEventTime('case16', { involvedObject: { ...podRef, namespace: '' } }), failure: eventInvalid('case16', 'Event "case16" is invalid: involvedObject.namespace: Invalid value: "": does not match event.namespace', [invalid('involvedObject.namespace', 'Invalid value: "": does not match event.namespace')]) },
  { id: 18, path: CORE, body: withoutEventTime('case18', { metadata: { name: 'case18', namespace: 'other' } }), failure: badRequest('the namespace of the provided object does not match the namespace sent on the request') },
  { id: 21, path: V1, body: without(eventsV1('case21'), 'eventTime'), failure: eventInvalid('case21', 'Event "case21" is invalid: eventTime: Required value', [required('eventTime')]) },
  { id: 22, path: CORE, body: withEventTime('case22', { eventTime: '2026-11-26T21:18:50Z' }), failure: badRequest('Event in version "v1" cannot be handled as a Event: parsing time "2026-11-26T21:18:50Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"') },
  { id: 24, path: CORE, body: withEventTime('case24', { eventTime: '2026-11-26T21:18:50.979Z' }), failure: badRequest('Event in version "v1" cannot be handled as a Event: parsing time "2026-11-26T21:18:50.979Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse ".979Z" as ".000000"') },
  { id: 25, path: V1, body: eventsV1('case25', { eventTime: '2026-11-26T21:18:50.979Z' }), failure: badRequest('Event in version "v1" cannot be handled as a Event: parsing time "2026-11-26T21:18:50.979Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse ".979Z" as ".000000"') },
  { id: 26, path: CORE, body: withEventTime('case26', { eventTime: '2026-11-26T21:18:50.981367318Z' }), failure: badRequest('Event in version "v1" cannot be handled as a Event: parsing time "2026-11-26T21:18:50.981367318Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "318Z" as "Z07:00"') },
  { id: 27, path: CORE, body: withEventTime('case27', { eventTime: '2026-11-26T21:18:50.976713+00:00' }), created: true },
  { id: 30, path: V1, body: eventsV1('case30', { type: '' }), failure: eventInvalid('case30', 'Event "case30" is invalid: type: Invalid value: "": has invalid value: ', [invalid('type', 'Invalid value: "": has invalid value: ')]) },
  { id: 31, path: CORE, body: withoutEventTime('Bad Name:X'), created: true },
  { id: 32, path: V1, body: eventsV1('Bad Name:X'), failure: eventInvalid('Bad Name:X', `Event "Bad Name:X" is invalid: metadata.name: Invalid value: "Bad Name:X": ${RFC_1123_SUBDOMAIN_FORMAT}`, [invalid('metadata.name', `Invalid value: "Bad Name:X": ${RFC_1123_SUBDOMAIN_FORMAT}`)]) },
  { id: 37, path: CORE, body: withEventTime('case37', { involvedObject: { ...podRef, name: 'no-such-pod', uid: 'no-such-uid' } }), created: true },
  { id: 38, path: CORE, body: withEventTime('case38', { message: 'x'.repeat(1024) }), created: true },
  { id: 39, path: CORE, body: withEventTime('case39', { message: '€'.repeat(400) }), failure: eventInvalid('case39', 'Event "case39" is invalid: message: Invalid value: "": can have at most 1024 characters', [invalid('message', 'Invalid value: "": can have at most 1024 characters')]) }
]

for (const c of cases) {
  const summary = c.created === true ? '201' : `${(c.failure as any).code} ${(c.failure as any).reason}`
  t.test(`case ${c.id}: ${summary}`, async t => {
    if (c.failure !== undefined) return await expectFailure(t, { method: 'POST', path: c.path, body: c.body }, c.failure)
    const res = await rawRequest(server, { method: 'POST', path: c.path, body: c.body })
    t.equal(res.status, 201, res.text)
    t.equal(res.body.metadata.namespace, 'lab')
  })
}

t.test('case 23: a second create with the same name is 409 AlreadyExists', async t => {
  const body = withEventTime('demo-pod.et1')
  t.equal((await rawRequest(server, { method: 'POST', path: CORE, body })).status, 201)
  await expectFailure(t, { method: 'POST', path: CORE, body }, failure(409, 'AlreadyExists', 'events "demo-pod.et1" already exists', { name: 'demo-pod.et1', kind: 'events' }))
})

t.test('403 from RBAC names the resource; 403 in a terminating namespace carries its cause; 404 names the namespace', async t => {
  await expectFailure(t, { method: 'POST', path: CORE, token: 'nobody-token', body: withEventTime('denied1') },
    failure(403, 'Forbidden', 'events is forbidden: User "nobody" cannot create resource "events" in API group "" in the namespace "lab"', { kind: 'events' }))
  await expectFailure(t, { method: 'POST', path: V1, token: 'nobody-token', body: eventsV1('denied2') },
    failure(403, 'Forbidden', 'events.events.k8s.io is forbidden: User "nobody" cannot create resource "events" in API group "events.k8s.io" in the namespace "lab"',
      { group: 'events.k8s.io', kind: 'events' }))

  await server.createNamespace('doomed')
  await server.createObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'keeps-it-terminating', namespace: 'doomed' }, spec: { containers: [{ name: 'c', image: 'x' }] } })
  await server.deleteNamespace('doomed')
  const terminating = { reason: 'NamespaceTerminating', message: 'namespace doomed is being terminated', field: 'metadata.namespace' }
  await expectFailure(t, { method: 'POST', path: '/api/v1/namespaces/doomed/events', body: { ...withEventTime('doomed1'), involvedObject: { ...podRef, namespace: 'doomed' } } },
    failure(403, 'Forbidden', 'events "doomed1" is forbidden: unable to create new content in namespace doomed because it is being terminated',
      { name: 'doomed1', kind: 'events', causes: [terminating] }))
  await expectFailure(t, { method: 'POST', path: '/apis/events.k8s.io/v1/namespaces/doomed/events', body: eventsV1('doomed3') },
    failure(403, 'Forbidden', 'events.events.k8s.io "doomed3" is forbidden: unable to create new content in namespace doomed because it is being terminated',
      { name: 'doomed3', group: 'events.k8s.io', kind: 'events', causes: [terminating] }))

  await expectFailure(t, { method: 'POST', path: '/api/v1/namespaces/ghost/events', body: withEventTime('lost1') },
    failure(404, 'NotFound', 'namespaces "ghost" not found', { name: 'ghost', kind: 'namespaces' }))
})

t.test('a body of another kind: 400 for every built-in resource, 422 for a custom resource', async t => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'not-an-event' }, spec: { containers: [{ name: 'c', image: 'x' }] } }
  const cannotConvert = (to: string, from = 'Pod'): object =>
    badRequest(`${from} in version "v1" cannot be handled as a ${to}: converting (v1.${from}) to (core.${to}): unknown conversion`)
  // The reference's own case: a Pod POSTed to the events resource, through either API.
  await expectFailure(t, { method: 'POST', path: CORE, body: pod }, cannotConvert('Event'))
  await expectFailure(t, { method: 'POST', path: V1, body: pod }, cannotConvert('Event'))
  // The same decoding for the other built-in kinds served here.
  await expectFailure(t, { method: 'POST', path: '/api/v1/namespaces', body: pod }, cannotConvert('Namespace'))
  await expectFailure(t, { method: 'POST', path: '/api/v1/nodes', body: pod }, cannotConvert('Node'))
  await expectFailure(t, { method: 'POST', path: '/api/v1/persistentvolumes', body: pod }, cannotConvert('PersistentVolume'))
  await expectFailure(t, { method: 'POST', path: '/api/v1/namespaces/lab/pods', body: withEventTime('not-a-pod') }, cannotConvert('Pod', 'Event'))
  // Custom resources are decoded as they come; apiextensions' validation refuses the kind.
  await expectFailure(t, { method: 'POST', path: '/apis/kopf.dev/v1/namespaces/lab/kopfexamples', body: { ...pod, apiVersion: 'kopf.dev/v1' } },
    failure(422, 'Invalid', 'KopfExample.kopf.dev "not-an-event" is invalid: kind: Invalid value: "Pod": must be KopfExample',
      { name: 'not-an-event', group: 'kopf.dev', kind: 'KopfExample', causes: [invalid('kind', 'Invalid value: "Pod": must be KopfExample')] }))
  t.same(server.listEvents('lab').filter(event => event.metadata.name === 'not-an-event'), [], 'nothing was stored')
})
