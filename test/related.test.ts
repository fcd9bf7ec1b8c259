// The related object: a second binding (k8sRelated, option relatedKey) names the other object an Event is about,
// as client-go's Eventf(regarding, related, ...) does. It is part of what makes two occurrences one Event, it goes
// into the Event on both APIs, and a bad one is told once while the Event is still written without it.
import t from 'tap'
import pino from 'pino'
import { parse as parseYaml } from 'yaml'
import { createDiagnostics } from '../lib/diagnostics.js'
import { parseOptions } from '../lib/options.js'
import { createLineCounters, createLineHandler, PINO_INPUT_KEYS } from '../lib/pipeline.js'
import type { Recorder } from '../lib/recorder.js'
import { resolveLevels } from '../lib/select/levels.js'
import { createKeyMaker, nameIdentity } from '../lib/correlate/keys.js'
import { createCorrelator } from '../lib/correlate/index.js'
import { createBody, patchBody, writerOf } from '../lib/deliver/body.js'
import { parseCliArgs } from '../lib/cli/args.js'
import type { EventShape, ObjectReference } from '../lib/types.js'
import { startApiServer } from './apiserver/server.js'
import { kubectlAvailable, kubectlOrFail } from './apiserver/kubectl.js'
import { startLogger } from './helpers/transport.js'
import { startWinston } from './helpers/winston.js'
import { diagnosticLines, startApp, waitFor } from './helpers/app-process.js'

const replicaSet = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-5d9c', namespace: 'lab', uid: 'rs-uid' }, spec: { replicas: 2 } }
const podRef = { apiVersion: 'v1', kind: 'Pod', name: 'web-5d9c-abcde', namespace: 'lab', uid: 'pod-uid' }
const otherPodRef = { ...podRef, name: 'web-5d9c-fghij', uid: 'pod-uid-2' }
const source = { component: 'my-operator', instance: 'op-1' }

/** pino → the production line handler → whatever the recorder is handed: the real front of the pipeline */
function front (options: Record<string, unknown> = {}): { logger: pino.Logger, shapes: EventShape[], warnings: string[], counters: ReturnType<typeof createLineCounters> } {
  const shapes: EventShape[] = []
  const warnings: string[] = []
  const { config, problems } = parseOptions(options)
  if (problems.length > 0) throw new Error(problems.join('\n'))
  const diagnostics = createDiagnostics('pino-k8s-events', line => warnings.push(line))
  const counters = createLineCounters()
  const recorder: Recorder = {
    record: shape => { shapes.push(shape) },
    flush: async () => {},
    close: async () => {},
    stats: () => { throw new Error('not asked') }
  }
  const handle = createLineHandler({ config, levels: resolveLevels(config, undefined), keys: PINO_INPUT_KEYS, recorder, diagnostics, counters })
  const logger = pino({ level: 'trace' }, { write: (line: string) => handle(line.replace(/\n$/, '')) })
  return { logger, shapes, warnings, counters }
}

/** an instance of a class, as @kubernetes/client-node hands them out */
class V1Pod {
  apiVersion = 'v1'
  kind = 'Pod'
  metadata = { name: podRef.name, namespace: 'lab', uid: podRef.uid }
  spec = { nodeName: 'node-1' }
}

t.test('the related binding is read as a body, a client-node instance or a reference, on a child or on one line', async t => {
  const { logger, shapes, warnings } = front()
  const reconciler = logger.child({ k8sObject: replicaSet })
  reconciler.info({ k8sRelated: podRef, reason: 'SuccessfulCreate' }, 'Created pod')
  reconciler.info({ k8sRelated: new V1Pod(), reason: 'SuccessfulCreate' }, 'Created pod')
  reconciler.child({ k8sRelated: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', uid: 'node-uid' } } }).info({ reason: 'Bound' }, 'Bound')
  reconciler.info({ reason: 'Scaled' }, 'no related object')
  t.same(warnings, [])
  t.same(shapes.map(shape => shape.related), [
    podRef,
    podRef,
    { apiVersion: 'v1', kind: 'Node', name: 'node-1', namespace: '', uid: 'node-uid' },
    undefined
  ])
  t.ok(shapes.every(shape => shape.regarding.name === 'web-5d9c'), 'the object binding still names what the Event is about')
})

t.test('a bad related binding: one diagnostic, the Event is still made without it, the line counted once', async t => {
  const { logger, shapes, warnings, counters } = front()
  // The remembered-line shortcut never takes a line that warned: each must warn and count again.
  const log = logger.child({ k8sObject: replicaSet })
  for (let i = 0; i < 5; i++) log.warn({ k8sRelated: { kind: 'Pod', name: 'x' }, reason: 'Broken' }, 'related without apiVersion')
  log.warn({ k8sRelated: 42, reason: 'Numbered' }, 'a number for a related object')
  t.equal(shapes.length, 6, 'every line still makes its Event')
  t.ok(shapes.every(shape => shape.related === undefined))
  t.equal(warnings.length, 1, 'one line, not one per log line')
  t.match(warnings[0], /the 'k8sRelated' binding has no apiVersion .*; the Event is written without a related object/)
  t.equal(counters.invalidBindings, 6)

  const listed = front()
  listed.logger.warn({ k8sObject: replicaSet, k8sRelated: [podRef, otherPodRef] }, 'two related objects')
  t.match(listed.warnings, [/the 'k8sRelated' binding is a list: an Event names at most one related object/])
  t.equal(listed.shapes[0].related, undefined)

  const both = front()
  both.logger.warn({ k8sObject: { kind: 'Pod' }, k8sRelated: 'nonsense' }, 'both bad')
  t.equal(both.counters.invalidBindings, 1, 'a line with both bindings wrong is one invalid line')
})

t.test('relatedKey: another key, a dotted path; one that collides with objectKey is refused', async t => {
  const { logger, shapes } = front({ objectKey: 'meta.object', relatedKey: 'meta.related' })
  logger.info({ meta: { object: replicaSet, related: podRef } }, 'Created pod')
  t.same(shapes[0].related, podRef)
  t.same(shapes[0].regarding.name, 'web-5d9c')
  for (const [relatedKey, objectKey] of [['k8sObject', 'k8sObject'], ['meta', 'meta.object'], ['meta.object.x', 'meta.object'], ['a..b', 'k8sObject'], [3, 'k8sObject']]) {
    const { config, problems } = parseOptions({ relatedKey, objectKey })
    t.equal(config.relatedKey, 'k8sRelated', `${String(relatedKey)} beside ${objectKey}`)
    t.match(problems, [/^option 'relatedKey' is/])
  }
  t.equal(parseOptions({}).config.relatedKey, 'k8sRelated')
  const inside = front({ objectKey: 'k8sRelated.object' })
  inside.logger.info({ k8sRelated: { object: replicaSet } }, 'an objectKey inside the default relatedKey')
  t.same(inside.warnings, [], 'then no related object is read at all')
  t.equal(inside.shapes[0].related, undefined)
  const cli = parseCliArgs(['--related-key', 'meta.related', '--object-key', 'meta.object'], parseOptions({}).config)
  t.match(cli, { kind: 'run', options: { relatedKey: 'meta.related', objectKey: 'meta.object' } })
})

t.test('a repeated line (the remembered-line shortcut) keeps its related object', async t => {
  const { logger, shapes } = front()
  const log = logger.child({ k8sObject: replicaSet, k8sRelated: podRef })
  const other = logger.child({ k8sObject: replicaSet, k8sRelated: otherPodRef })
  for (let i = 0; i < 4; i++) {
    log.info({ reason: 'Created' }, 'Created pod')
    other.info({ reason: 'Created' }, 'Created pod')
  }
  t.same(shapes.map(shape => shape.related?.name), Array(4).fill([podRef.name, otherPodRef.name]).flat())
})

function shapeOf (related?: ObjectReference, over: Partial<EventShape> = {}): EventShape {
  return {
    type: 'Normal',
    reason: 'SuccessfulCreate',
    message: 'Created pod',
    action: 'Create',
    regarding: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d9c', namespace: 'lab', uid: 'rs-uid' },
    related,
    namespace: 'lab',
    time: Date.now(),
    ...over
  }
}

t.test('the related object is part of the event key and of the name, not of the aggregate key', async t => {
  const keysOf = createKeyMaker(source)
  const keys = [shapeOf(podRef), shapeOf(otherPodRef), shapeOf(undefined), shapeOf({ ...podRef })].map(shape => keysOf(shape))
  t.not(keys[0].event, keys[1].event, 'another related object: another Event')
  t.not(keys[0].event, keys[2].event, 'no related object: another Event')
  t.equal(keys[0].event, keys[3].event, 'the same related object: the same Event')
  t.equal(new Set(keys.map(key => key.aggregate)).size, 1, 'similar events about one object are still aggregated')
  // Frozen references are the remembered-line shortcut's: the key maker finds them by identity.
  const frozen = Object.freeze(shapeOf(undefined).regarding)
  const first = keysOf({ ...shapeOf(podRef), regarding: frozen })
  const second = keysOf({ ...shapeOf(otherPodRef), regarding: frozen })
  t.not(first.event, second.event, 'one shared reference, two related objects: two keys')

  t.not(nameIdentity(source, shapeOf(podRef), false), nameIdentity(source, shapeOf(otherPodRef), false))
  t.equal(nameIdentity(source, shapeOf(undefined), false),
    JSON.stringify(['my-operator', 'lab', 'apps/v1', 'ReplicaSet', 'lab', 'web-5d9c', 'rs-uid', '', 'Normal', 'SuccessfulCreate', 'Create', 'Created pod']),
    'an Event without a related object keeps the name it always had')
  t.equal(nameIdentity(source, shapeOf(podRef), true), nameIdentity(source, shapeOf(undefined), true))
})

t.test('the correlator: two related objects are two Events; an aggregate names none', async t => {
  const correlator = createCorrelator({ config: { correlation: { cacheSize: 100, aggregate: { maxEvents: 3, intervalSeconds: 600 }, rateLimit: false } }, source, onEvict: () => {} })
  const now = Date.now()
  const a = correlator.observe(shapeOf(podRef), now, true)
  const b = correlator.observe(shapeOf(otherPodRef), now, true)
  const a2 = correlator.observe(shapeOf({ ...podRef }), now, true)
  t.ok(a?.created && b?.created && a2?.created === false)
  t.equal(a2?.record, a?.record)
  t.same(a?.record.related, podRef)
  correlator.observe(shapeOf(podRef, { message: 'a second message' }), now, true)
  const aggregated = correlator.observe(shapeOf(podRef, { message: 'a third message' }), now, true)
  t.equal(aggregated?.record.aggregate, true)
  t.equal(aggregated?.record.related, undefined)
})

t.test('the request bodies carry related on both APIs; a patch never touches it', async t => {
  const correlator = createCorrelator({ config: { correlation: { cacheSize: 10, aggregate: false, rateLimit: false } }, source, onEvict: () => {} })
  const record = correlator.observe(shapeOf({ ...podRef, namespace: 'lab' }), Date.now(), true)!.record
  const writer = writerOf(source)
  const expected = { apiVersion: 'v1', kind: 'Pod', name: podRef.name, namespace: 'lab', uid: 'pod-uid' }
  t.same(createBody('v1', writer, record, 1, 'w1').related, expected)
  t.same(createBody('events.k8s.io/v1', writer, record, 1, 'w1').related, expected)
  t.notOk('related' in patchBody('v1', writer, record, 2, 'w2'))
  t.notOk('related' in patchBody('events.k8s.io/v1', writer, record, 2, 'w2'))
  const plain = correlator.observe(shapeOf(undefined), Date.now(), true)!.record
  t.notOk('related' in createBody('v1', writer, plain, 1, 'w1'))
  t.notOk('related' in createBody('events.k8s.io/v1', writer, plain, 1, 'w1'))
})

const skipKubectl = kubectlAvailable() ? false : 'kubectl is not on PATH'

t.test('end to end: the real transport writes related on both APIs, and kubectl shows it', { skip: skipKubectl }, async t => {
  const server = await startApiServer()
  t.teardown(() => server.close())
  await server.createNamespace('lab')
  const kubeconfig = server.kubeconfig({ namespace: 'lab' })
  const related = { apiVersion: 'v1', kind: 'Pod', name: 'web-5d9c-abcde', namespace: 'lab', uid: 'pod-uid' }

  for (const api of ['v1', 'events.k8s.io/v1'] as const) {
    const reason = api === 'v1' ? 'CreatedCore' : 'CreatedEventsV1'
    const running = await startLogger({ kubeconfig, api, component: 'my-operator', rateLimit: false })
    const log = running.logger.child({ k8sObject: replicaSet })
    log.info({ k8sRelated: related, reason, action: 'Create' }, `Created pod: ${related.name}`)
    log.info({ k8sRelated: related, reason, action: 'Create' }, `Created pod: ${related.name}`)
    log.info({ k8sRelated: { ...related, name: 'web-5d9c-fghij', uid: 'pod-uid-2' }, reason, action: 'Create' }, `Created pod: ${related.name}`)
    log.info({ k8sRelated: { kind: 'Pod' }, reason, action: 'Create' }, 'Created a pod with no name')
    await running.close()
    t.same(running.errors, [])

    for (const listed of ['events', 'events.v1.events.k8s.io']) {
      const yaml = await kubectlOrFail(['get', listed, '-n', 'lab', '--field-selector', `reason=${reason}`, '-o', 'yaml'], kubeconfig)
      // by the related object's name; the Event without one last
      const order = (item: any): string => item.related === undefined ? '\uffff' : String(item.related.name)
      const items = (parseYaml(yaml).items as any[]).sort((x, y) => order(x) < order(y) ? -1 : 1)
      t.equal(items.length, 3, `${api}, read as ${listed}: three Events`)
      t.same(items.map(item => item.related), [
        related,
        { ...related, name: 'web-5d9c-fghij', uid: 'pod-uid-2' },
        undefined
      ], `${api}, read as ${listed}: related as written`)
      // core/v1 writes count; events.k8s.io/v1 writes series from the second occurrence on
      const counts = items.map(item => item.series?.count ?? item.count ?? item.deprecatedCount ?? 1)
      t.same(counts, [2, 1, 1], 'the two occurrences with one related object are one Event')
      t.ok(items.every(item => (listed === 'events' ? item.involvedObject : item.regarding).name === 'web-5d9c'))
    }
  }
})

t.test('end to end on winston: the related binding crosses to the worker thread', async t => {
  const server = await startApiServer({ tls: false })
  t.teardown(() => server.close())
  await server.createNamespace('lab')
  const running = await startWinston({ kubeconfig: server.kubeconfig({ namespace: 'lab' }), api: 'events.k8s.io/v1', rateLimit: false })
  const child = running.logger.child({ k8sObject: replicaSet })
  child.info('Created pod', { k8sRelated: new V1Pod(), reason: 'WinstonCreated' })
  child.info('Created pod', { reason: 'WinstonPlain' })
  const nested = await startWinston({ kubeconfig: server.kubeconfig({ namespace: 'lab' }), objectKey: 'meta.object', relatedKey: 'meta.related', rateLimit: false })
  nested.logger.info('Created pod', { meta: { object: replicaSet, related: podRef }, reason: 'WinstonNested' })
  await running.end()
  await nested.end()
  t.same(running.errors, [])
  t.ok(await waitFor(() => server.listEvents('lab').filter(event => String(event.reason).startsWith('Winston')).length === 3), 'three Events')
  const byReason = Object.fromEntries(server.listEvents('lab').map(event => [event.reason, event]))
  t.same(byReason.WinstonCreated.related, { apiVersion: 'v1', kind: 'Pod', name: podRef.name, namespace: 'lab', uid: podRef.uid })
  t.equal(byReason.WinstonPlain.related, undefined)
  t.same(byReason.WinstonNested.related, podRef, 'both bindings under one first key arrive whole')
  t.equal(byReason.WinstonNested.involvedObject.name, 'web-5d9c')
})

t.test('switched to events.k8s.io without RBAC for that group: the diagnostic names the group and the rule to add', async t => {
  const server = await startApiServer({ tls: false })
  t.teardown(() => server.close())
  await server.createNamespace('lab')
  // A role written for the core/v1 recorder: enough until the api option changes.
  server.addUser('core-only', { token: 'core-only-token', rules: [{ verbs: ['create', 'patch', 'get'], apiGroups: [''], resources: ['events'] }] })
  const kubeconfig = server.kubeconfig({ user: 'core-only', namespace: 'lab' })
  const run = await startApp({
    options: { kubeconfig, api: 'events.k8s.io/v1', rateLimit: false },
    script: `
      const log = logger.child({ k8sObject: ${JSON.stringify(replicaSet)} })
      for (let i = 0; i < 5; i++) log.warn({ reason: 'Denied' + i }, 'denied')
      await flushed()
      process.exit(0)
    `
  }).ended
  t.equal(run.code, 0)
  t.equal(server.listEvents('lab').length, 0)
  const lines = diagnosticLines(run.stderr).filter(line => line.includes('not allowed'))
  t.equal(lines.length, 1, 'one line, not one per event')
  t.match(lines[0], /cannot create resource "events" in API group "events\.k8s\.io"/, "the server's answer is quoted")
  t.match(lines[0], /may create, patch and get events in the API group "events\.k8s\.io" \(option api: 'events\.k8s\.io\/v1'\)/, 'the group, in our words')
  t.match(lines[0], /rule in a ClusterRole: \{apiGroups: \["", "events\.k8s\.io"\], resources: \["events"\], verbs: \["create", "patch", "get"\]\}/, 'the rule to add')
})

// The reference does not cover `related` beyond its place in the field map and its immutability on events.k8s.io/v1
// updates; this is kube-apiserver v1.32's events.go as read: no validation of its fields, Go's decoder for its type,
// stored and converted as is, and no field selector on it.
t.test('the local API server takes related as a v1.32 server does', async t => {
  const { rawRequest } = await import('./apiserver/raw-client.js')
  const server = await startApiServer({ tls: false })
  t.teardown(() => server.close())
  await server.createNamespace('lab')
  const core = (name: string, related: unknown): object => ({
    metadata: { name }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'lab' }, related, reason: 'R', message: 'm', type: 'Normal'
  })
  const loose = { kind: 'not a kind!', apiVersion: '???', namespace: 'UPPER', fieldPath: 'x', resourceVersion: '5' }
  const created = await rawRequest(server, { method: 'POST', path: '/api/v1/namespaces/lab/events', body: core('loose', loose) })
  t.equal(created.status, 201, 'its fields are not validated')
  t.same(created.body.related, { kind: 'not a kind!', namespace: 'UPPER', apiVersion: '???', resourceVersion: '5', fieldPath: 'x' }, 'stored as given, empty fields left out')
  const viewed = await rawRequest(server, { method: 'GET', path: '/apis/events.k8s.io/v1/namespaces/lab/events/loose' })
  t.same(viewed.body.related, created.body.related, 'the same under events.k8s.io/v1')
  const empty = await rawRequest(server, { method: 'POST', path: '/api/v1/namespaces/lab/events', body: core('empty', {}) })
  t.same(empty.body.related, {}, 'an empty reference is a non-nil pointer: {} comes back')
  const wrong = await rawRequest(server, { method: 'POST', path: '/api/v1/namespaces/lab/events', body: core('text', 'a pod') })
  t.equal(wrong.status, 400)
  t.equal(wrong.body.message, 'Event in version "v1" cannot be handled as a Event: json: cannot unmarshal string into Go struct field Event.related of type v1.ObjectReference')
  const selected = await rawRequest(server, { method: 'GET', path: '/api/v1/namespaces/lab/events?fieldSelector=related.name%3Dp' })
  t.equal(selected.status, 400)
  t.equal(selected.body.message, 'field label not supported: related.name')
})

t.test('the command line: --related-key reads a dotted path from each JSON line', async t => {
  const { spawn } = await import('node:child_process')
  const { join } = await import('node:path')
  const { closed } = await import('./helpers/wait.js')
  const server = await startApiServer({ tls: false })
  t.teardown(() => server.close())
  await server.createNamespace('lab')
  const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'dist', 'lib', 'cli', 'main.js'),
    '--kubeconfig', server.kubeconfig(), '--object-key', 'ctx.object', '--related-key', 'ctx.related', '--no-rate-limit'], {
    env: { PATH: process.env.PATH, HOME: import.meta.dirname }, stdio: ['pipe', 'pipe', 'pipe']
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const lines = [
    { level: 30, msg: 'Created pod', reason: 'CliCreated', ctx: { object: { ...replicaSet, spec: undefined }, related: podRef } },
    { level: 30, msg: 'Created pod', reason: 'CliCreated', ctx: { object: replicaSet, related: podRef } },
    { level: 30, msg: 'Scaled', reason: 'CliScaled', ctx: { object: replicaSet } }
  ]
  child.stdin.end(lines.map(line => JSON.stringify(line)).join('\n') + '\n')
  const [code] = await closed(child, 'pino-k8s-events', () => stderr)
  t.equal(code, 0, stderr)
  const byReason = Object.fromEntries(server.listEvents('lab').map(event => [event.reason, event]))
  t.same(byReason.CliCreated.related, podRef)
  t.equal(byReason.CliCreated.count, 2)
  t.equal(byReason.CliScaled.related, undefined)
})
