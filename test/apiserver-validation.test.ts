import t from 'tap'
import {
  statusAlreadyExists, statusBadRequest, statusConflict, statusForbidden, statusInternalError, statusInvalid,
  statusNamespaceTerminating, statusNotFound, statusServiceUnavailable, statusTooManyRequests, statusUnauthorized,
  type Status, type StatusCause
} from './apiserver/status.js'
import { coreToEventsV1, eventsV1ToCore } from './apiserver/event-convert.js'
import { decodeEvent, goTimeString, parseGoTime, qualifiedNameErrors, validateEventCreate, validateEventUpdate } from './apiserver/event-validation.js'

type Api = 'v1' | 'events.k8s.io/v1'

// The bodies of /work/shared/reference/apiserver-behaviour.md: namespace `lab`, Pod `demo-pod` with a uid.
const POD_UID = '0b6f4a52-3c1e-4d47-9a63-2f1d7e5c8a10'
const EVENT_TIME = '2026-11-26T21:18:50.976713Z'
const LEGACY_TIME = '2026-11-26T21:18:50Z'
const demoPod = (): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'Pod', name: 'demo-pod', namespace: 'lab', uid: POD_UID })

function coreWithEventTime (name: string, changes: Record<string, unknown> = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: 'lab' },
    involvedObject: demoPod(),
    reason: 'Started',
    message: 'm',
    type: 'Normal',
    eventTime: EVENT_TIME,
    action: 'Log',
    reportingComponent: 'pino-k8s-events',
    reportingInstance: 'devbox-1234',
    ...changes
  }
}

function coreWithoutEventTime (name: string, changes: Record<string, unknown> = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: 'lab' },
    involvedObject: demoPod(),
    reason: 'Started',
    message: 'm',
    source: { component: 'pino-k8s-events' },
    firstTimestamp: LEGACY_TIME,
    lastTimestamp: LEGACY_TIME,
    count: 1,
    type: 'Normal',
    ...changes
  }
}

function eventsV1 (name: string, changes: Record<string, unknown> = {}): any {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name, namespace: 'lab' },
    eventTime: EVENT_TIME,
    reportingController: 'pino-k8s-events',
    reportingInstance: 'devbox-1234',
    action: 'Log',
    reason: 'Started',
    regarding: demoPod(),
    note: 'm',
    type: 'Normal',
    ...changes
  }
}

function without (body: any, ...keys: string[]): any {
  const copy = structuredClone(body)
  for (const key of keys) delete copy[key]
  return copy
}

/** The create path of the API server, in the real server's order, for a body POSTed to namespace `lab`. */
function answerCreate (body: any, api: Api, urlNamespace = 'lab'): Status | undefined {
  const decodeFailure = decodeEvent(body, api)
  if (decodeFailure !== undefined) return decodeFailure
  const bodyNamespace = body.metadata?.namespace
  if (bodyNamespace !== undefined && bodyNamespace !== '' && bodyNamespace !== urlNamespace) {
    return statusBadRequest('the namespace of the provided object does not match the namespace sent on the request')
  }
  const event = api === 'v1' ? structuredClone(body) : eventsV1ToCore(body)
  event.metadata = { ...event.metadata, namespace: urlNamespace }
  if (event.metadata.name === undefined && event.metadata.generateName !== undefined) event.metadata.name = `${event.metadata.generateName}x7k2q`
  const causes = validateEventCreate(event, api)
  return causes.length === 0 ? undefined : statusInvalid(event.metadata.name, causes)
}

/** A message exactly as the reference prints it: a JSON string literal. */
const json = (literal: string): string => JSON.parse(literal)

const required = (field: string): StatusCause => ({ reason: 'FieldValueRequired', message: 'Required value', field })
const invalid = (field: string, message: string): StatusCause => ({ reason: 'FieldValueInvalid', message, field })

const QUALIFIED_NAME_PART = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"

interface ReferenceCase {
  number: number
  api: Api
  body: any
  /** undefined: the server answers 201 */
  expected?: { code: number, reason: string, message: string, causes?: StatusCause[] }
}

const referenceCases: ReferenceCase[] = [
  {
    number: 1,
    api: 'events.k8s.io/v1',
    body: eventsV1('case1', { type: 'Error' }),
    expected: { code: 422, reason: 'Invalid', message: json(String.raw`"Event \"case1\" is invalid: type: Invalid value: \"\": has invalid value: Error"`), causes: [invalid('type', 'Invalid value: "": has invalid value: Error')] }
  },
  { number: 2, api: 'v1', body: coreWithEventTime('case2', { type: 'Error' }) },
  { number: 3, api: 'v1', body: coreWithoutEventTime('case3', { type: 'Error' }) },
  {
    number: 4,
    api: 'v1',
    body: coreWithEventTime('case4', { message: 'x'.repeat(1025) }),
    expected: { code: 422, reason: 'Invalid', message: json(String.raw`"Event \"case4\" is invalid: message: Invalid value: \"\": can have at most 1024 characters"`), causes: [invalid('message', 'Invalid value: "": can have at most 1024 characters')] }
  },
  { number: 5, api: 'v1', body: coreWithoutEventTime('case5', { message: 'x'.repeat(1025) }) },
  {
    number: 6,
    api: 'events.k8s.io/v1',
    body: eventsV1('case6', { note: 'x'.repeat(1025) }),
    expected: { code: 422, reason: 'Invalid', message: json(String.raw`"Event \"case6\" is invalid: message: Invalid value: \"\": can have at most 1024 characters"`), causes: [invalid('message', 'Invalid value: "": can have at most 1024 characters')] }
  },
  { number: 7, api: 'v1', body: coreWithEventTime('case7', { reason: 'Back Off' }) },
  { number: 8, api: 'v1', body: coreWithoutEventTime('case8', { reason: 'Back Off' }) },
  { number: 9, api: 'events.k8s.io/v1', body: eventsV1('case9', { reason: 'Back Off' }) },
  {
    number: 10,
    api: 'v1',
    body: without(coreWithEventTime('case10'), 'reportingInstance'),
    expected: { code: 422, reason: 'Invalid', message: json(String.raw`"Event \"case10\" is invalid: reportingInstance: Required value"`), causes: [required('reportingInstance')] }
  },
  {
    number: 11,
    api: 'v1',
    body: without(coreWithEventTime('case11'), 'reportingComponent', 'action', 'reportingInstance'),
    expected: {
      code: 422,
      reason: 'Invalid',
      message: json(String.raw`"Event \"case11\" is invalid: [reportingComponent: Required value, reportingComponent: Invalid value: \"\": name part must be non-empty, reportingComponent: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'), reportingInstance: Required value, action: Required value]"`),
      causes: [
        required('reportingComponent'),
        invalid('reportingComponent', 'Invalid value: "": name part must be non-empty'),
        invalid('reportingComponent', `Invalid value: "": ${QUALIFIED_NAME_PART}`),
        required('reportingInstance'),
        required('action')
      ]
    }
  },
  {
    number: 12,
    api: 'events.k8s.io/v1',
    body: without(eventsV1('case12'), 'reportingInstance'),
    expected: { code: 422, reason: 'Invalid', message: json(String.raw`"Event \"case12\" is invalid: reportingInstance: Required value"`), causes: [required('reportingInstance')] }
  },
  {
    number: 13,
    api: 'v1',
    body: coreWithoutEventTime('case13', { involvedObject: { ...demoPod(), namespace: 'other' } }),
    expected: { code: 422, reason: 'Invalid', message: json(String.raw`"Event \"case13\" is invalid: involvedObject.namespace: Invalid value: \"other\": does not match event.namespace"`), causes: [invalid('involvedObject.namespace', 'Invalid value: "other": does not match event.namespace')] }
  },
  { number: 14, api: 'v1', body: coreWithEventTime('case14', { involvedObject: { ...demoPod(), namespace: 'other' } }) },
  {
    number: 15,
    api: 'v1',
    body: coreWithoutEventTime('case15', { involvedObject: { ...demoPod(), namespace: '' } }),
    expected: { code: 422, reason: 'Invalid', message: json(String.raw`"Event \"case15\" is invalid: involvedObject.namespace: Invalid value: \"\": does not match event.namespace"`), causes: [invalid('involvedObject.namespace', 'Invalid value: "": does not match event.namespace')] }
  },
  {
    number: 16,
    api: 'v1',
    body: coreWithEventTime('case16', { involvedObject: { ...demoPod(), namespace: '' } }),
    expected: { code: 422, reason: 'Invalid', message: json(String.raw`"Event \"case16\" is invalid: involvedObject.namespace: Invalid value: \"\": does not match event.namespace"`), causes: [invalid('involvedObject.namespace', 'Invalid value: "": does not match event.namespace')] }
  },
  { number: 17, api: 'events.k8s.io/v1', body: eventsV1('case17', { regarding: { ...demoPod(), namespace: 'other' } }) },
  {
    number: 18,
    api: 'v1',
    body: coreWithEventTime('case18', { metadata: { name: 'case18', namespace: 'other' } }),
    expected: { code: 400, reason: 'BadRequest', message: json(String.raw`"the namespace of the provided object does not match the namespace sent on the request"`) }
  },
  {
    number: 19,
    api: 'v1',
    body: coreWithEventTime('case19', { type: 'Error', reportingComponent: 'pino k8s' }),
    expected: {
      code: 422,
      reason: 'Invalid',
      message: json(String.raw`"Event \"case19\" is invalid: reportingComponent: Invalid value: \"pino k8s\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"`),
      causes: [invalid('reportingComponent', `Invalid value: "pino k8s": ${QUALIFIED_NAME_PART}`)]
    }
  },
  {
    number: 20,
    api: 'events.k8s.io/v1',
    body: eventsV1('case20', { firstTimestamp: LEGACY_TIME, count: 1, source: { component: 'pino-k8s-events' } }),
    expected: {
      code: 422,
      reason: 'Invalid',
      message: json(String.raw`"Event \"case20\" is invalid: [firstTimestamp: Invalid value: \"\": needs to be unset, count: Invalid value: \"\": needs to be unset, source: Invalid value: \"\": needs to be unset]"`),
      causes: [
        invalid('firstTimestamp', 'Invalid value: "": needs to be unset'),
        invalid('count', 'Invalid value: "": needs to be unset'),
        invalid('source', 'Invalid value: "": needs to be unset')
      ]
    }
  },
  {
    number: 21,
    api: 'events.k8s.io/v1',
    body: without(eventsV1('case21'), 'eventTime'),
    expected: { code: 422, reason: 'Invalid', message: json(String.raw`"Event \"case21\" is invalid: eventTime: Required value"`), causes: [required('eventTime')] }
  },
  {
    number: 22,
    api: 'v1',
    body: coreWithEventTime('case22', { eventTime: '2026-11-26T21:18:50Z' }),
    expected: { code: 400, reason: 'BadRequest', message: json(String.raw`"Event in version \"v1\" cannot be handled as a Event: parsing time \"2026-11-26T21:18:50Z\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \"Z\" as \".000000\""`) }
  },
  {
    number: 24,
    api: 'v1',
    body: coreWithEventTime('case24', { eventTime: '2026-11-26T21:18:50.979Z' }),
    expected: { code: 400, reason: 'BadRequest', message: json(String.raw`"Event in version \"v1\" cannot be handled as a Event: parsing time \"2026-11-26T21:18:50.979Z\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \".979Z\" as \".000000\""`) }
  },
  {
    number: 25,
    api: 'events.k8s.io/v1',
    body: eventsV1('case25', { eventTime: '2026-11-26T21:18:50.979Z' }),
    expected: { code: 400, reason: 'BadRequest', message: json(String.raw`"Event in version \"v1\" cannot be handled as a Event: parsing time \"2026-11-26T21:18:50.979Z\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \".979Z\" as \".000000\""`) }
  },
  {
    number: 26,
    api: 'v1',
    body: coreWithEventTime('case26', { eventTime: '2026-11-26T21:18:50.981367318Z' }),
    expected: { code: 400, reason: 'BadRequest', message: json(String.raw`"Event in version \"v1\" cannot be handled as a Event: parsing time \"2026-11-26T21:18:50.981367318Z\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \"318Z\" as \"Z07:00\""`) }
  },
  { number: 27, api: 'v1', body: coreWithEventTime('case27', { eventTime: '2026-11-26T21:18:50.976713+00:00' }) },
  { number: 28, api: 'v1', body: coreWithoutEventTime('case28', { firstTimestamp: '2026-11-26T21:18:50.979Z', lastTimestamp: '2026-11-26T21:18:51.123Z' }) },
  { number: 29, api: 'v1', body: coreWithEventTime('case29', { type: '' }) },
  {
    number: 30,
    api: 'events.k8s.io/v1',
    body: eventsV1('case30', { type: '' }),
    expected: { code: 422, reason: 'Invalid', message: json(String.raw`"Event \"case30\" is invalid: type: Invalid value: \"\": has invalid value: "`), causes: [invalid('type', 'Invalid value: "": has invalid value: ')] }
  },
  { number: 31, api: 'v1', body: coreWithoutEventTime('Bad Name:X') },
  {
    number: 32,
    api: 'events.k8s.io/v1',
    body: eventsV1('Bad Name:X'),
    expected: {
      code: 422,
      reason: 'Invalid',
      message: json(String.raw`"Event \"Bad Name:X\" is invalid: metadata.name: Invalid value: \"Bad Name:X\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"`),
      causes: [invalid('metadata.name', String.raw`Invalid value: "Bad Name:X": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`)]
    }
  },
  { number: 33, api: 'v1', body: coreWithEventTime('unused', { metadata: { generateName: 'demo-pod.', namespace: 'lab' } }) },
  {
    number: 34,
    api: 'v1',
    body: coreWithEventTime('case34', { reason: 'R'.repeat(129) }),
    expected: { code: 422, reason: 'Invalid', message: json(String.raw`"Event \"case34\" is invalid: reason: Invalid value: \"\": can have at most 128 characters"`), causes: [invalid('reason', 'Invalid value: "": can have at most 128 characters')] }
  },
  { number: 35, api: 'v1', body: coreWithoutEventTime('case35', { reason: 'R'.repeat(129) }) },
  {
    number: 36,
    api: 'v1',
    body: coreWithEventTime('case36', { reportingInstance: 'i'.repeat(129) }),
    expected: { code: 422, reason: 'Invalid', message: json(String.raw`"Event \"case36\" is invalid: reportingInstance: Invalid value: \"\": can have at most 128 characters"`), causes: [invalid('reportingInstance', 'Invalid value: "": can have at most 128 characters')] }
  },
  { number: 37, api: 'v1', body: coreWithEventTime('case37', { involvedObject: { ...demoPod(), name: 'no-such-pod', uid: '5d0c1f7e-0000-4000-8000-000000000000' } }) },
  { number: 38, api: 'v1', body: coreWithEventTime('case38', { message: 'x'.repeat(1024) }) },
  {
    number: 39,
    api: 'v1',
    body: coreWithEventTime('case39', { message: '€'.repeat(400) }),
    expected: { code: 422, reason: 'Invalid', message: json(String.raw`"Event \"case39\" is invalid: message: Invalid value: \"\": can have at most 1024 characters"`), causes: [invalid('message', 'Invalid value: "": can have at most 1024 characters')] }
  }
]

for (const referenceCase of referenceCases) {
  const { number, api, body, expected } = referenceCase
  t.test(`reference case ${number} (${api}) answers ${expected === undefined ? 201 : expected.code}`, async t => {
    const answer = answerCreate(body, api)
    if (expected === undefined) {
      t.equal(answer, undefined, 'accepted')
      return
    }
    t.ok(answer, 'refused')
    t.equal(answer?.code, expected.code)
    t.equal(answer?.reason, expected.reason)
    t.equal(answer?.message, expected.message)
    t.strictSame(answer?.details?.causes, expected.causes)
    if (expected.code === 422) {
      t.equal(answer?.details?.name, body.metadata.name)
      t.equal(answer?.details?.kind, 'Event', 'the kind, on both APIs')
      t.equal(answer?.details?.group, undefined, 'no group, even for events.k8s.io/v1')
    }
  })
}

t.test('reference case 23: a name that exists answers 409 AlreadyExists (the body itself is valid)', async t => {
  t.strictSame(validateEventCreate(coreWithEventTime('demo-pod.et1'), 'v1'), [])
  t.equal(JSON.stringify(statusAlreadyExists('events', 'demo-pod.et1')),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"events \\"demo-pod.et1\\" already exists","reason":"AlreadyExists","details":{"name":"demo-pod.et1","kind":"events"},"code":409}')
})

t.test('events.k8s.io/v1 deprecated* fields count as set exactly like the plain names', async t => {
  const body = eventsV1('case20b', { deprecatedFirstTimestamp: LEGACY_TIME, deprecatedLastTimestamp: LEGACY_TIME, deprecatedCount: 2, deprecatedSource: { host: 'node-1' } })
  const answer = answerCreate(body, 'events.k8s.io/v1')
  t.strictSame(answer?.details?.causes?.map(cause => cause.field), ['firstTimestamp', 'lastTimestamp', 'count', 'source'])
  t.equal(answer?.message, 'Event "case20b" is invalid: [firstTimestamp: Invalid value: "": needs to be unset, lastTimestamp: Invalid value: "": needs to be unset, count: Invalid value: "": needs to be unset, source: Invalid value: "": needs to be unset]')
})

t.test('events.k8s.io/v1 series needs a count of at least 2 and a lastObservedTime', async t => {
  t.strictSame(validateEventCreate(eventsV1ToCore(eventsV1('s1', { series: { count: 2, lastObservedTime: EVENT_TIME } })), 'events.k8s.io/v1'), [])
  t.strictSame(validateEventCreate(eventsV1ToCore(eventsV1('s2', { series: { count: 1 } })), 'events.k8s.io/v1'), [
    invalid('series.count', 'Invalid value: "": should be at least 2'),
    required('series.lastObservedTime')
  ])
  // core/v1 does not look at series at all
  t.strictSame(validateEventCreate(coreWithEventTime('s3', { series: { count: 1 } }), 'v1'), [])
  t.equal(answerCreate(eventsV1('s4', { series: { count: 2, lastObservedTime: '2026-11-26T21:18:50.979Z' } }), 'events.k8s.io/v1')?.message,
    'Event in version "v1" cannot be handled as a Event: parsing time "2026-11-26T21:18:50.979Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse ".979Z" as ".000000"')
})

t.test('namespace rules for events about cluster-scoped objects (involvedObject.namespace empty)', async t => {
  const node = { apiVersion: 'v1', kind: 'Node', name: 'node-1', uid: 'n-1' }
  const inNamespace = (body: any, namespace: string): any => ({ ...body, metadata: { ...body.metadata, namespace } })
  const legacy = coreWithoutEventTime('n1', { involvedObject: node })
  const modern = coreWithEventTime('n2', { involvedObject: node })
  t.strictSame(validateEventCreate(inNamespace(legacy, 'default'), 'v1'), [], 'legacy: default')
  t.strictSame(validateEventCreate(inNamespace(legacy, 'kube-system'), 'v1').map(cause => cause.field), ['involvedObject.namespace'], 'legacy: not kube-system')
  t.strictSame(validateEventCreate(inNamespace(modern, 'default'), 'v1'), [], 'eventTime: default')
  t.strictSame(validateEventCreate(inNamespace(modern, 'kube-system'), 'v1'), [], 'eventTime: kube-system')
  t.strictSame(validateEventCreate(inNamespace(modern, 'lab'), 'v1').map(cause => cause.field), ['involvedObject.namespace'], 'eventTime: not lab')
  t.strictSame(validateEventCreate(inNamespace(eventsV1ToCore(eventsV1('n3', { regarding: node })), 'default'), 'events.k8s.io/v1'), [], 'events.k8s.io: default')
})

t.test('an event namespace that is not a DNS name is refused by both the event rule and the metadata rule', async t => {
  const body = { ...coreWithoutEventTime('x'), metadata: { name: 'x', namespace: 'aoeu-_-aoeu' }, involvedObject: { ...demoPod(), namespace: 'aoeu-_-aoeu' } }
  const core = validateEventCreate(body, 'v1')
  t.strictSame(core.map(cause => cause.field), ['namespace'])
  t.match(core[0].message, /^Invalid value: "aoeu-_-aoeu": a lowercase RFC 1123 subdomain must consist of/)
  const strict = validateEventCreate(eventsV1ToCore({ ...eventsV1('x'), metadata: { name: 'x', namespace: 'aoeu-_-aoeu' } }), 'events.k8s.io/v1')
  t.strictSame(strict.map(cause => cause.field), ['namespace', 'metadata.namespace'])
  t.match(strict[1].message, /^Invalid value: "aoeu-_-aoeu": a lowercase RFC 1123 label must consist of/)
})

t.test('metadata: a missing name, generateName prefixes and path-segment names', async t => {
  t.strictSame(validateEventCreate(coreWithEventTime('x', { metadata: { namespace: 'lab' } }), 'v1'),
    [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }])
  t.strictSame(validateEventCreate(coreWithEventTime('a/b'), 'v1'), [invalid('metadata.name', 'Invalid value: "a/b": may not contain \'/\'')])
  t.strictSame(validateEventCreate(coreWithEventTime('..'), 'v1'), [invalid('metadata.name', 'Invalid value: "..": may not be \'..\'')])
  t.strictSame(validateEventCreate(eventsV1ToCore(eventsV1('x', { metadata: { generateName: 'pino-k8s-events-', namespace: 'lab' } })), 'events.k8s.io/v1'), [],
    'a generateName ending in a dash is a valid prefix')
  t.strictSame(validateEventCreate(eventsV1ToCore(eventsV1('x', { metadata: { generateName: 'Pino-', namespace: 'lab' } })), 'events.k8s.io/v1').map(cause => cause.field),
    ['metadata.generateName'])
})

t.test('reportingComponent is a qualified name with an optional DNS prefix', async t => {
  t.strictSame(qualifiedNameErrors('k8s.io/my-controller'), [])
  t.strictSame(qualifiedNameErrors('pino-k8s-events'), [])
  t.strictSame(qualifiedNameErrors('my-contr@ller'), [QUALIFIED_NAME_PART])
  t.strictSame(qualifiedNameErrors('/name'), ['prefix part must be non-empty'])
  t.strictSame(qualifiedNameErrors('x'.repeat(64)), ['name part must be no more than 63 characters'])
  t.match(qualifiedNameErrors('a/b/c')[0], /^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/)
})

t.test('limits count UTF-8 bytes, not characters', async t => {
  t.strictSame(validateEventCreate(coreWithEventTime('b1', { message: '€'.repeat(341) + 'x' }), 'v1'), [], '1024 bytes')
  t.equal(validateEventCreate(coreWithEventTime('b2', { message: '€'.repeat(342) }), 'v1').length, 1, '1026 bytes')
  t.strictSame(validateEventCreate(coreWithEventTime('b3', { action: 'é'.repeat(65) }), 'v1'), [invalid('action', 'Invalid value: "": can have at most 128 characters')])
})

t.test('decoding: JSON type mismatches, the first timestamp failure wins, and the URL API must match the body', async t => {
  t.equal(decodeEvent(coreWithEventTime('d1', { count: 'two' }), 'v1')?.message,
    'Event in version "v1" cannot be handled as a Event: json: cannot unmarshal string into Go struct field Event.count of type int32')
  t.equal(decodeEvent(coreWithEventTime('d2', { involvedObject: { ...demoPod(), name: 7 } }), 'v1')?.message,
    'Event in version "v1" cannot be handled as a Event: json: cannot unmarshal number into Go struct field ObjectReference.involvedObject.name of type string')
  t.equal(decodeEvent(eventsV1('d3', { deprecatedCount: 1.5 }), 'events.k8s.io/v1')?.message,
    'Event in version "v1" cannot be handled as a Event: json: cannot unmarshal number 1.5 into Go struct field Event.deprecatedCount of type int32')
  t.equal(decodeEvent({ count: 'two', eventTime: 12 }, 'v1')?.message,
    'Event in version "v1" cannot be handled as a Event: json: cannot unmarshal number into Go struct field Event.eventTime of type string',
    'a timestamp failure stops decoding, ahead of an earlier type mismatch')
  t.equal(decodeEvent({ count: 1, firstTimestamp: '26/11/2026' }, 'v1')?.message,
    'Event in version "v1" cannot be handled as a Event: parsing time "26/11/2026" as "2006-01-02T15:04:05Z07:00": cannot parse "26/11/2026" as "2006"')
  t.equal(decodeEvent(coreWithEventTime('d4', { eventTime: null, firstTimestamp: null }), 'v1'), undefined, 'null timestamps are unset')
  t.equal(decodeEvent(eventsV1('d5', { firstTimestamp: 'not a time' }), 'events.k8s.io/v1'), undefined, 'fields unknown to the API are not decoded')
  const crossed = decodeEvent(eventsV1('d6'), 'v1')
  t.equal(crossed?.code, 400)
  t.equal(crossed?.message, 'the API version in the data (events.k8s.io/v1) does not match the expected API version (v1)')
  t.equal(decodeEvent([1, 2], 'v1')?.code, 400)
})

t.test('Go time parsing: accepted forms and the exact error texts', async t => {
  const micro = (value: string): unknown => parseGoTime(value, 'RFC3339Micro')
  t.strictSame(micro('2026-11-26T21:18:50.976713Z'), { instant: { seconds: Date.parse('2026-11-26T21:18:50Z') / 1000, nanos: 976713000 } })
  t.strictSame(micro('2026-11-26T23:18:50.976713+02:00'), micro('2026-11-26T21:18:50.976713Z'), 'offsets are honoured')
  t.strictSame(micro('2026-11-26T21:18:50.976713Zjunk'), { error: 'parsing time "2026-11-26T21:18:50.976713Zjunk": extra text: "junk"' })
  t.strictSame(micro('2026-02-30T21:18:50.976713Z'), { error: 'parsing time "2026-02-30T21:18:50.976713Z": day out of range' })
  t.strictSame(micro('2026-13-01T21:18:50.976713Z'), { error: 'parsing time "2026-13-01T21:18:50.976713Z": month out of range' })
  t.strictSame(micro('2026-11-26 21:18:50.976713Z'), { error: 'parsing time "2026-11-26 21:18:50.976713Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse " 21:18:50.976713Z" as "T"' })
  t.strictSame(micro('2026-11-26T21:18:50.976713€'), { error: 'parsing time "2026-11-26T21:18:50.976713\\xe2\\x82\\xac" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "\\xe2\\x82\\xac" as "Z07:00"' })
  t.strictSame(parseGoTime('2026-11-26T21:18:50.979Z', 'RFC3339'), { instant: { seconds: Date.parse('2026-11-26T21:18:50Z') / 1000, nanos: 979000000 } })
  t.equal(goTimeString({ seconds: Date.parse('2026-11-26T21:18:50Z') / 1000, nanos: 976713000 }), '2026-11-26 21:18:50.976713 +0000 UTC')
  t.equal(goTimeString({ seconds: -62135596800, nanos: 0 }), '0001-01-01 00:00:00 +0000 UTC')
})

t.test('conversion: the events.k8s.io/v1 view and the stored core/v1 form map field by field', async t => {
  const events = eventsV1('conv1', {
    series: { count: 3, lastObservedTime: EVENT_TIME },
    related: { apiVersion: 'v1', kind: 'Node', name: 'node-1' },
    deprecatedSource: { component: 'kubelet', host: 'node-1' },
    deprecatedFirstTimestamp: LEGACY_TIME,
    deprecatedLastTimestamp: LEGACY_TIME,
    deprecatedCount: 4
  })
  const core = eventsV1ToCore(events)
  t.equal(JSON.stringify(core), JSON.stringify({
    kind: 'Event',
    apiVersion: 'v1',
    metadata: { name: 'conv1', namespace: 'lab' },
    involvedObject: demoPod(),
    reason: 'Started',
    message: 'm',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: LEGACY_TIME,
    lastTimestamp: LEGACY_TIME,
    count: 4,
    type: 'Normal',
    eventTime: EVENT_TIME,
    series: { count: 3, lastObservedTime: EVENT_TIME },
    action: 'Log',
    related: { apiVersion: 'v1', kind: 'Node', name: 'node-1' },
    reportingComponent: 'pino-k8s-events',
    reportingInstance: 'devbox-1234'
  }), 'core/v1 names in core/v1 order')
  const back = coreToEventsV1(core)
  t.strictSame(back, events, 'round trip events.k8s.io/v1 → core/v1 → events.k8s.io/v1')
  t.strictSame(Object.keys(back), ['kind', 'apiVersion', 'metadata', 'eventTime', 'series', 'reportingController', 'reportingInstance', 'action', 'reason', 'regarding', 'related', 'note', 'type', 'deprecatedSource', 'deprecatedFirstTimestamp', 'deprecatedLastTimestamp', 'deprecatedCount'])
  const legacy = coreWithoutEventTime('conv2')
  t.strictSame(eventsV1ToCore(coreToEventsV1(legacy)), legacy, 'round trip core/v1 → events.k8s.io/v1 → core/v1')
  t.not(core.involvedObject, events.regarding, 'the converted object shares nothing with its source')
})

t.test('conversion drops what the target API does not know and keeps deprecated plain names for validation', async t => {
  const core = eventsV1ToCore({ ...eventsV1('conv3'), message: 'ignored', involvedObject: { name: 'ignored' }, count: 2 })
  t.equal(core.message, 'm')
  t.strictSame(core.involvedObject, demoPod())
  t.equal(core.count, 2)
  const events = coreToEventsV1({ ...coreWithEventTime('conv4'), note: 'ignored', regarding: { name: 'ignored' } })
  t.equal(events.note, 'm')
  t.strictSame(events.regarding, demoPod())
  t.equal(events.message, undefined)
  t.strictSame(eventsV1ToCore(null), { kind: 'Event', apiVersion: 'v1' })
})

t.test('update through core/v1: only the event rules run again, nothing is immutable', async t => {
  const stored = coreWithoutEventTime('u1')
  t.strictSame(validateEventUpdate(stored, { ...stored, count: 2, lastTimestamp: '2026-11-26T21:19:02Z', message: 'changed', reason: 'Other' }, 'v1'), [])
  const modern = coreWithEventTime('u2')
  t.strictSame(validateEventUpdate(modern, { ...modern, message: 'x'.repeat(1025) }, 'v1'), [invalid('message', 'Invalid value: "": can have at most 1024 characters')])
  t.strictSame(validateEventUpdate(stored, { ...stored, metadata: { name: 'renamed', namespace: 'lab' } }, 'v1'), [invalid('metadata.name', 'Invalid value: "renamed": field is immutable')])
})

t.test('update through events.k8s.io/v1: only series and metadata may change', async t => {
  const stored = eventsV1ToCore(eventsV1('u3', { series: { count: 2, lastObservedTime: EVENT_TIME } }))
  const update = (changes: Record<string, unknown>): StatusCause[] => validateEventUpdate(stored, eventsV1ToCore(eventsV1('u3', changes)), 'events.k8s.io/v1')
  t.strictSame(update({ series: { count: 5, lastObservedTime: '2026-11-26T21:20:00.000001Z' } }), [], 'a new series is fine')
  t.strictSame(update({ series: { count: 2, lastObservedTime: EVENT_TIME }, metadata: { name: 'u3', namespace: 'lab', labels: { a: 'b' } } }), [], 'metadata may change')
  t.strictSame(update({ series: { count: 1, lastObservedTime: EVENT_TIME } }), [invalid('series.count', 'Invalid value: "": should be at least 2')])
  t.strictSame(update({ series: { count: 2, lastObservedTime: EVENT_TIME }, note: 'changed' }), [invalid('message', 'Invalid value: "changed": field is immutable')])
  t.strictSame(update({ series: { count: 2, lastObservedTime: EVENT_TIME }, reason: 'Other' }), [
    invalid('reason', 'Invalid value: "Other": field is immutable'),
    invalid('reason', 'Invalid value: "Other": field is immutable')
  ], 'the server checks reason twice')
  t.strictSame(update({ series: { count: 2, lastObservedTime: EVENT_TIME }, eventTime: '2026-11-26T21:18:51.000500Z' }),
    [invalid('eventTime', 'Invalid value: 2026-11-26 21:18:51.0005 +0000 UTC: field is immutable')])
  t.strictSame(update({ series: { count: 2, lastObservedTime: EVENT_TIME }, eventTime: '2026-11-26T23:18:50.976713+02:00' }), [], 'the same instant in another offset')
  t.strictSame(update({ series: { count: 2, lastObservedTime: EVENT_TIME }, regarding: { ...demoPod(), name: 'other-pod' } }), [
    invalid('involvedObject', `Invalid value: core.ObjectReference{Kind:"Pod", Namespace:"lab", Name:"other-pod", UID:"${POD_UID}", APIVersion:"v1", ResourceVersion:"", FieldPath:""}: field is immutable`)
  ])
  t.strictSame(update({ series: { count: 2, lastObservedTime: EVENT_TIME }, related: { kind: 'Node', name: 'node-1' } }), [
    invalid('related', 'Invalid value: core.ObjectReference{Kind:"Node", Namespace:"", Name:"node-1", UID:"", APIVersion:"", ResourceVersion:"", FieldPath:""}: field is immutable')
  ])
  t.strictSame(update({ series: { count: 2, lastObservedTime: EVENT_TIME }, deprecatedCount: 3, reportingController: 'other' }), [
    invalid('count', 'Invalid value: 3: field is immutable'),
    invalid('reportingComponent', 'Invalid value: "other": field is immutable')
  ])
  const renamed = validateEventUpdate(stored, { ...stored, metadata: { name: 'u4', namespace: 'lab' } }, 'events.k8s.io/v1')
  t.strictSame(renamed, [invalid('metadata.name', 'Invalid value: "u4": field is immutable'), invalid('metadata.name', 'Invalid value: "u4": field is immutable')],
    'the event rules and the generic rules both report the name')
  t.equal(statusInvalid('u3', renamed).message, 'Event "u3" is invalid: metadata.name: Invalid value: "u4": field is immutable',
    'the message lists a repeated cause once')
})

t.test('Status bodies match the real server key for key', async t => {
  t.equal(JSON.stringify(statusUnauthorized()), '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}')
  t.equal(JSON.stringify(statusForbidden('nobody', 'create', 'events', '', 'lab')),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"events is forbidden: User \\"nobody\\" cannot create resource \\"events\\" in API group \\"\\" in the namespace \\"lab\\"","reason":"Forbidden","details":{"kind":"events"},"code":403}')
  t.equal(statusForbidden('nobody', 'create', 'events', 'events.k8s.io', 'lab').message,
    'events.events.k8s.io is forbidden: User "nobody" cannot create resource "events" in API group "events.k8s.io" in the namespace "lab"')
  t.strictSame(statusForbidden('nobody', 'create', 'events', 'events.k8s.io', 'lab').details, { group: 'events.k8s.io', kind: 'events' })
  t.equal(statusForbidden('nobody', 'list', 'events', '', 'lab').message, 'events is forbidden: User "nobody" cannot list resource "events" in API group "" in the namespace "lab"')
  t.equal(statusForbidden('creator', 'patch', 'events', '', 'lab', 'x').message, 'events "x" is forbidden: User "creator" cannot patch resource "events" in API group "" in the namespace "lab"')
  t.strictSame(statusForbidden('creator', 'patch', 'events', '', 'lab', 'x').details, { name: 'x', kind: 'events' })
  t.equal(statusForbidden('nobody', 'list', 'events', '').message, 'events is forbidden: User "nobody" cannot list resource "events" in API group "" at the cluster scope')

  const terminating = statusNamespaceTerminating('', 'doomed1', 'doomed')
  t.equal(terminating.code, 403)
  t.equal(terminating.reason, 'Forbidden')
  t.equal(terminating.message, 'events "doomed1" is forbidden: unable to create new content in namespace doomed because it is being terminated')
  t.strictSame(terminating.details, { name: 'doomed1', kind: 'events', causes: [{ reason: 'NamespaceTerminating', message: 'namespace doomed is being terminated', field: 'metadata.namespace' }] })
  t.equal(statusNamespaceTerminating('events.k8s.io', 'doomed3', 'doomed').message,
    'events.events.k8s.io "doomed3" is forbidden: unable to create new content in namespace doomed because it is being terminated')
  t.equal(statusNamespaceTerminating('events.k8s.io', 'doomed3', 'doomed').details?.group, 'events.k8s.io')

  t.equal(JSON.stringify(statusNotFound('namespaces', 'ghost')),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"namespaces \\"ghost\\" not found","reason":"NotFound","details":{"name":"ghost","kind":"namespaces"},"code":404}')
  t.equal(statusNotFound('events', 'x', 'events.k8s.io').message, 'events.events.k8s.io "x" not found')
  t.equal(statusConflict('events', 'demo-pod.et1').message,
    'Operation cannot be fulfilled on events "demo-pod.et1": the object has been modified; please apply your changes to the latest version and try again')
  t.equal(statusConflict('events', 'demo-pod.et1').code, 409)
  t.equal(statusConflict('events', 'demo-pod.et1').reason, 'Conflict')
  t.equal(JSON.stringify(statusTooManyRequests(3)),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Too many requests, please try again later.","reason":"TooManyRequests","details":{"retryAfterSeconds":3},"code":429}')
  t.equal(JSON.stringify(statusInternalError('etcd unavailable')),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Internal error occurred: etcd unavailable","reason":"InternalError","details":{"causes":[{"message":"etcd unavailable"}]},"code":500}')
  t.equal(JSON.stringify(statusServiceUnavailable('the server is shutting down')),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server is shutting down","reason":"ServiceUnavailable","code":503}')
  t.equal(JSON.stringify(statusInvalid('case10', [required('reportingInstance')])),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Event \\"case10\\" is invalid: reportingInstance: Required value","reason":"Invalid","details":{"name":"case10","kind":"Event","causes":[{"reason":"FieldValueRequired","message":"Required value","field":"reportingInstance"}]},"code":422}')
  t.equal(statusInvalid('x', []).message, 'Event "x" is invalid')
  t.equal(statusInvalid('a"b\n', []).message, 'Event "a\\"b\\n" is invalid', 'names are quoted the Go way')
})
