// pino-k8s-events/testing, used as an operator author uses it with tap: a reconcile function logs, the test reads
// the Events back. Also: the Events are the ones production writes (same names, counts and fields, checked against
// the real transport and the local API server), and the node:test example passes.
import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import * as k8s from '@kubernetes/client-node'
import winston from 'winston'
import type { Logger } from 'pino'
import { createTestRecorder } from 'pino-k8s-events/testing'
import { QuotaExceededError, reconcile, type Cluster, type PodRef, type ReplicaSet } from '../examples/testing/reconcile.js'
import { startApiServer } from './apiserver/server.js'
import { compileConsumer } from './helpers/consumer-types.js'
import { startLogger } from './helpers/transport.js'

const replicaSet: ReplicaSet = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web', namespace: 'shop', uid: 'rs-1' },
  spec: { replicas: 3 }
}

function cluster (quota: number): Cluster {
  const pods: PodRef[] = []
  return {
    pods,
    createPod (name) {
      if (pods.length >= quota) throw new QuotaExceededError(`exceeded quota: pods=${quota}`)
      const pod: PodRef = { apiVersion: 'v1', kind: 'Pod', name, namespace: 'shop', uid: `uid-${name}` }
      pods.push(pod)
      return pod
    }
  }
}

t.test('a reconcile function, tested with tap', async t => {
  const recorder = createTestRecorder({ component: 'web-controller' })
  const log = recorder.logger()
  t.beforeEach(() => recorder.clear())

  t.test('two pods made, the third over quota', async t => {
    reconcile(log, replicaSet, cluster(2))
    t.match(recorder.eventsAbout(replicaSet), [
      { type: 'Normal', reason: 'SuccessfulCreate', message: 'Created pod: web-0', action: 'Create', related: { kind: 'Pod', name: 'web-0', uid: 'uid-web-0' }, count: 1 },
      { type: 'Normal', reason: 'SuccessfulCreate', message: 'Created pod: web-1', related: { name: 'web-1' }, count: 1 },
      { type: 'Warning', reason: 'FailedCreate', message: 'Error creating pod web-2: exceeded quota: pods=2', count: 1 }
    ])
    t.equal(recorder.events()[2].related, undefined, 'no related object on the failure')
    t.same(recorder.events()[0].regarding, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', namespace: 'shop', uid: 'rs-1' })
  })

  t.test('retried reconciles count on one Event', async t => {
    const full = cluster(0)
    for (let i = 0; i < 5; i++) reconcile(log, { ...replicaSet, spec: { replicas: 1 } }, full)
    t.match(recorder.events(), [{ reason: 'FailedCreate', count: 5 }])
    t.equal(recorder.events().length, 1)
  })

  t.test('clear() forgets the Events and what correlation remembered', async t => {
    reconcile(log, { ...replicaSet, spec: { replicas: 1 } }, cluster(0))
    recorder.clear()
    t.same(recorder.events(), [])
    reconcile(log, { ...replicaSet, spec: { replicas: 1 } }, cluster(0))
    t.match(recorder.events(), [{ reason: 'FailedCreate', count: 1 }])
  })

  t.test('reads are copies: a test that changes one changes nothing', async t => {
    reconcile(log, { ...replicaSet, spec: { replicas: 1 } }, cluster(1))
    recorder.events()[0].count = 99
    recorder.events()[0].regarding.name = 'changed'
    t.match(recorder.events(), [{ count: 1, regarding: { name: 'web' } }])
  })
})

t.test('eventsAbout: a body, a client-node instance or a reference; a Node by its name', async t => {
  const recorder = createTestRecorder()
  const log = recorder.logger()
  const pod = new k8s.V1Pod()
  pod.apiVersion = 'v1'
  pod.kind = 'Pod'
  pod.metadata = { name: 'api-0', namespace: 'shop', uid: 'pod-uid' }
  log.child({ k8sObject: pod }).info('pod event')
  log.child({ k8sObject: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', uid: 'node-uid' } } }).warn('node event')
  log.child({ k8sObject: replicaSet }).info('replica set event')
  t.match(recorder.eventsAbout(pod), [{ message: 'pod event' }])
  t.equal(recorder.eventsAbout({ apiVersion: 'v1', kind: 'Pod', name: 'api-0', namespace: 'shop' }).length, 1, 'a reference without uid')
  t.equal(recorder.eventsAbout({ kind: 'Pod', name: 'api-0', namespace: 'shop', uid: 'other-uid' }).length, 0, 'another incarnation')
  t.equal(recorder.eventsAbout({ kind: 'Pod', name: 'api-0', namespace: 'other' }).length, 0, 'another namespace')
  t.match(recorder.eventsAbout({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', uid: 'node-uid' } }), [{ message: 'node event', namespace: 'default' }])
  t.match(recorder.eventsAbout(replicaSet), [{ message: 'replica set event' }])
  t.throws(() => recorder.eventsAbout('web'), TypeError)
  t.throws(() => recorder.eventsAbout({ kind: 'Pod' }), /needs an object with a kind and a name/)
})

t.test('the options act as in production: levels, types, reasons, keys, api', async t => {
  const recorder = createTestRecorder({
    objectKey: 'meta.object',
    relatedKey: 'meta.related',
    minLevel: 'audit',
    eventTypes: { audit: 'Audit' },
    reason: 'Reconciling',
    action: 'Reconcile'
  })
  const log = recorder.logger({ level: 'trace', customLevels: { audit: 35 } }) as Logger<'audit'>
  const meta = { object: replicaSet, related: { apiVersion: 'v1', kind: 'Pod', name: 'web-0', namespace: 'shop' } }
  log.info({ meta }, 'below minLevel')
  log.audit({ meta }, 'audited')
  log.error({ meta, err: new QuotaExceededError('exceeded quota') }, 'failed')
  t.match(recorder.events(), [
    { type: 'Audit', reason: 'Reconciling', action: 'Reconcile', message: 'audited', related: { name: 'web-0' } },
    { type: 'Error', reason: 'QuotaExceededError', message: 'failed exceeded quota' }
  ])
  t.equal(recorder.events().length, 2)

  const eventsApi = createTestRecorder({ api: 'events.k8s.io/v1' })
  eventsApi.logger().child({ k8sObject: replicaSet }).error('failed')
  t.equal(eventsApi.events()[0].type, 'Warning', 'events.k8s.io/v1 takes only Normal and Warning')

  const messageKey = createTestRecorder()
  messageKey.logger({ messageKey: 'message' }).child({ k8sObject: replicaSet }).info('under another key')
  t.equal(messageKey.events()[0].message, 'under another key', "the logger's own messageKey")
})

t.test('aggregation as in production, and a test may turn it off; rate limits only delay, so they change nothing here', async t => {
  function logDistinct (recorder: ReturnType<typeof createTestRecorder>): void {
    const log = recorder.logger().child({ k8sObject: replicaSet })
    for (let i = 0; i < 12; i++) log.warn({ reason: 'Probe' }, `probe failed at step ${i}`)
  }
  const aggregating = createTestRecorder()
  logDistinct(aggregating)
  const combined = aggregating.events().filter(event => event.message.startsWith('(combined from similar events)'))
  t.equal(aggregating.events().length, 10, 'nine on their own, then one aggregate')
  t.match(combined, [{ message: '(combined from similar events): probe failed at step 11', count: 3 }])
  t.equal(aggregating.events().reduce((sum, event) => sum + event.count, 0), 12, 'every occurrence counted once')

  const separate = createTestRecorder({ aggregate: false })
  logDistinct(separate)
  t.equal(separate.events().length, 12)

  const unlimited = createTestRecorder({ rateLimit: false })
  const limited = createTestRecorder({ rateLimit: { burst: 1, qps: 0.001 } })
  logDistinct(unlimited)
  logDistinct(limited)
  t.same(limited.events(), unlimited.events(), 'held-back occurrences are counted into the next write: the same Events')
})

t.test('winston: a transport whose lines become Events synchronously', async t => {
  const recorder = createTestRecorder({ component: 'web-controller' })
  const logger = winston.createLogger({ level: 'debug', transports: [recorder.winstonTransport()] })
  const child = logger.child({ k8sObject: replicaSet })
  child.info('Created pod: web-0', { k8sRelated: { apiVersion: 'v1', kind: 'Pod', name: 'web-0', namespace: 'shop' }, reason: 'SuccessfulCreate', action: 'Create' })
  child.warn('Error creating pod web-1:', { err: new QuotaExceededError('exceeded quota'), reason: 'FailedCreate' })
  child.debug('below minLevel')
  logger.info('no binding')
  t.match(recorder.events(), [
    { type: 'Normal', reason: 'SuccessfulCreate', message: 'Created pod: web-0', action: 'Create', related: { name: 'web-0' }, count: 1 },
    { type: 'Warning', reason: 'FailedCreate', message: 'Error creating pod web-1: exceeded quota' }
  ])
  t.equal(recorder.events().length, 2)
})

t.test('the same Events as production: the real transport and the local API server agree, on both APIs', async t => {
  const server = await startApiServer({ tls: false })
  t.teardown(() => server.close())
  await server.createNamespace('shop')
  const kubeconfig = server.kubeconfig()
  for (const api of ['v1', 'events.k8s.io/v1'] as const) {
    const options = { component: `web-controller-${api === 'v1' ? 'core' : 'events'}`, api, rateLimit: false as const }
    const recorder = createTestRecorder({ ...options, kubeconfig })
    const running = await startLogger({ ...options, kubeconfig })
    for (const log of [recorder.logger(), running.logger as unknown as Logger]) {
      reconcile(log, replicaSet, cluster(2))
      reconcile(log, replicaSet, cluster(1))
      const probes = log.child({ k8sObject: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } } })
      // Ten distinct messages make the aggregate; its message then stays what it was when it was made.
      for (let i = 0; i < 12; i++) probes.warn({ reason: 'Probe' }, `probe ${Math.min(i, 9)}`)
    }
    await running.close()
    t.same(running.errors, [])
    const stored = server.listEvents().filter(event => event.reportingComponent === options.component)
    const fromServer = stored.map(event => ({
      name: event.metadata.name,
      namespace: event.metadata.namespace,
      type: event.type,
      reason: event.reason,
      message: event.message,
      action: event.action,
      regarding: event.involvedObject,
      ...(event.related === undefined ? {} : { related: event.related }),
      count: event.series?.count ?? event.count ?? 1
    })).sort((a, b) => a.name < b.name ? -1 : 1)
    const fromTest = recorder.events().map(({ name, namespace, type, reason, message, action, regarding, related, count }) =>
      ({ name, namespace, type, reason, message, action, regarding, ...(related === undefined ? {} : { related }), count }))
      .sort((a, b) => a.name < b.name ? -1 : 1)
    t.ok(fromServer.length >= 5, `${api}: ${fromServer.length} Events`)
    t.same(fromTest, fromServer, `${api}: what the test reads is what production wrote`)
  }
})

t.test('no network: a test recorder never connects, whatever kubeconfig says', async t => {
  const server = await startApiServer({ tls: false })
  t.teardown(() => server.close())
  const recorder = createTestRecorder({ kubeconfig: server.kubeconfig() })
  recorder.logger().child({ k8sObject: replicaSet }).warn('offline')
  t.equal(recorder.events().length, 1)
  await new Promise(resolve => setImmediate(resolve))
  t.same(server.requests, [])
})

t.test('the node:test example passes', async t => {
  const file = fileURLToPath(new URL('../dist/examples/testing/reconcile.test.js', import.meta.url))
  const child = spawn(process.execPath, ['--test', '--test-reporter=tap', file], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  const [code] = await once(child, 'close')
  t.equal(code, 0, output)
  t.match(output, /# pass 3\n/)
  t.match(output, /# fail 0\n/)
})

t.test('the declarations compile for a consumer', async t => {
  const dir = t.testdir({
    'consumer.ts': `
import assert from 'node:assert/strict'
import winston from 'winston'
import { createTestRecorder } from 'pino-k8s-events/testing'
import type { RecordedEvent, TestRecorder } from 'pino-k8s-events/testing'

const recorder: TestRecorder = createTestRecorder({ component: 'my-operator', aggregate: false, rateLimit: false, relatedKey: 'k8sRelated' })
const log = recorder.logger({ customLevels: { audit: 35 } })
log.audit({ k8sObject: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } } }, 'x')
winston.createLogger({ transports: [recorder.winstonTransport({ level: 'info' })] })
const events: RecordedEvent[] = recorder.eventsAbout({ apiVersion: 'v1', kind: 'Pod', name: 'p' })
const count: number = events[0].count
const relatedName: string | undefined = events[0].related?.name
assert.equal(recorder.events().length, 1)
recorder.clear()
// @ts-expect-error options are the transport's
createTestRecorder({ componnet: 'x' })
export { count, relatedName }
`
  })
  const { diagnostics, resolvedOurs } = compileConsumer(dir, 'testing.d.ts')
  t.same(diagnostics, [])
  t.ok(resolvedOurs, 'resolved through the package exports to types/testing.d.ts')
})
