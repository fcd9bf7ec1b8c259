// The transport end to end: pino.transport() in a real worker on the compiled JS, the local API server,
// and the real kubectl reading the result.
import t from 'tap'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'
import { kubectl, kubectlAvailable } from './apiserver/kubectl.js'
import { runApp, startLogger } from './helpers/transport.js'
import { waitFor } from './helpers/wait.js'
import { k8sObjectSerializer } from '../lib/pino/index.js'
import { KOPF_ROWS } from './helpers/kopf.js'

const hasKubectl = kubectlAvailable()

// The rows of the Events section, split into columns.
async function describeEvents (kubeconfig: string, args: string[]): Promise<string[][]> {
  const { code, stdout, stderr } = await kubectl(['describe', ...args], kubeconfig)
  if (code !== 0) throw new Error(`kubectl describe ${args.join(' ')}: ${stderr}`)
  const section = stdout.slice(stdout.indexOf('Events:'))
  return section.split('\n').slice(3).filter(line => line.trim() !== '').map(line => line.trim().split(/\s{2,}/))
}

let server: LocalApiServer
let kubeconfig: string
let example: any
let pod: any
let volume: any
let node: any

t.before(async () => {
  server = await startApiServer()
  kubeconfig = server.kubeconfig()
  await server.createNamespace('lab')
  example = await server.createObject({ apiVersion: 'kopf.dev/v1', kind: 'KopfExample', metadata: { name: 'kopf-example-1', namespace: 'lab' }, spec: {} })
  pod = await server.createObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'demo-pod', namespace: 'lab' }, spec: { containers: [{ name: 'main', image: 'busybox' }] } })
  volume = await server.createObject({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'data-volume' }, spec: {} })
  node = await server.createObject({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1' }, spec: {} })
})
t.teardown(async () => await server.close())

const eventsOf = (name: string): any[] => server.listEvents().filter(event => event.involvedObject.name === name)

t.test('the Kopf documentation example, row for row, in kubectl describe', async t => {
  const running = await startLogger({ component: 'kopf', kubeconfig })
  const log = running.logger.child({ k8sObject: example })
  log.info({ reason: 'SomeReason' }, 'Some message')
  log.info({ reason: 'Success' }, 'Handler create_fn succeeded.')
  log.info({ eventType: 'SomeType', reason: 'SomeReason' }, 'Some message')
  log.info({ reason: 'Finished' }, 'All handlers succeeded.')
  try {
    throw new Error('Exception text.')
  } catch (err) {
    log.error({ err, reason: 'SomeReason' }, 'Some exception:')
  }
  log.warn({ reason: 'SomeReason' }, 'Some message')
  await running.flush()
  await running.close()
  t.same(running.errors, [])

  const stored = eventsOf('kopf-example-1')
  t.equal(stored.length, 6)
  const rows = stored.map(event => [event.type, event.reason, event.source.component, event.message]).sort()
  t.same(rows, KOPF_ROWS)
  for (const event of stored) {
    t.same(event.involvedObject, { apiVersion: 'kopf.dev/v1', kind: 'KopfExample', name: 'kopf-example-1', namespace: 'lab', uid: example.metadata.uid })
    t.equal(event.metadata.namespace, 'lab')
    t.equal(event.count, 1)
    t.equal(event.reportingComponent, 'kopf')
    t.equal(event.action, 'Log')
    t.match(event.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
    t.match(event.metadata.name, /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/)
  }

  if (!hasKubectl) { t.comment('kubectl is not installed: the describe check is left out'); return }
  const shown = await describeEvents(kubeconfig, ['kopfexample', 'kopf-example-1', '-n', 'lab'])
  t.same(shown.map(([type, reason, , from, message]) => [type, reason, from, message]).sort(), rows)
})

t.test('events about other objects, a cluster-scoped PersistentVolume and a Node show in kubectl describe', async t => {
  const running = await startLogger({ component: 'my-operator', kubeconfig }, { pinoOptions: { serializers: { k8sObject: k8sObjectSerializer } } })
  running.logger.child({ k8sObject: pod }).info({ reason: 'SomeReason' }, 'This pod is created by KopfExample kopf-example-1')
  running.logger.child({ k8sObject: volume }).warn({ reason: 'NotBound' }, 'Volume is not bound')
  running.logger.child({ k8sObject: node }).warn({ reason: 'Pressure' }, 'Node is under pressure')
  await running.close()
  t.same(running.errors, [])

  const [volumeEvent] = eventsOf('data-volume')
  t.equal(volumeEvent.metadata.namespace, 'default', 'cluster-scoped objects get their events in the default namespace')
  t.equal(volumeEvent.involvedObject.namespace ?? '', '', 'with an empty involvedObject.namespace, where kubectl looks')
  const [nodeEvent] = eventsOf('worker-1')
  t.equal(nodeEvent.involvedObject.uid, 'worker-1', 'Node events carry the node name as uid, as the kubelet records them')

  if (!hasKubectl) { t.comment('kubectl is not installed: the describe check is left out'); return }
  t.match(await describeEvents(kubeconfig, ['pod', 'demo-pod', '-n', 'lab']), [['Normal', 'SomeReason', String, 'my-operator', 'This pod is created by KopfExample kopf-example-1']])
  t.match(await describeEvents(kubeconfig, ['persistentvolume', 'data-volume']), [['Warning', 'NotBound', String, 'my-operator', 'Volume is not bound']])
  t.match(await describeEvents(kubeconfig, ['node', 'worker-1']), [['Warning', 'Pressure', String, 'my-operator', 'Node is under pressure']])
})

t.test('as one of several targets, with its own level, custom levels, messageKey and errorKey', async t => {
  const { mkdtempSync, readFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const file = join(mkdtempSync(join(tmpdir(), 'pino-k8s-events-')), 'all.log')
  await server.createNamespace('targets')
  const object = await server.createObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'multi', namespace: 'targets' }, spec: {} })
  const running = await startLogger({ component: 'my-operator', kubeconfig }, {
    level: 'audit',
    otherTargets: [{ target: 'pino/file', options: { destination: file, mkdir: true }, level: 'trace' }],
    pinoOptions: { customLevels: { audit: 35 }, messageKey: 'message', errorKey: 'error' }
  })
  const log = running.logger.child({ k8sObject: object }) as any
  log.info('not an event: below the target level')
  log.audit({ reason: 'Audited' }, 'an audit line')
  log.error({ error: new TypeError('bad input') }, 'Could not reconcile:')
  // pino's multistream does not pass logger.flush() on to its targets: wait for the server instead.
  await waitFor(() => server.listEvents('targets').length === 2)
  await running.close()
  t.same(running.errors, [])
  t.equal(readFileSync(file, 'utf8').trim().split('\n').length, 3, 'the other target got every line')
  const events = server.listEvents('targets').map(event => [event.type, event.reason, event.message]).sort()
  t.same(events, [
    ['Error', 'TypeError', 'Could not reconcile: bad input'],
    ['Normal', 'Audited', 'an audit line']
  ])
})

t.test('the events.k8s.io/v1 API: regarding, note, reportingController, Normal or Warning only', async t => {
  await server.createNamespace('newapi')
  const object = await server.createObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'newapi' }, spec: {} })
  server.clearRequests()
  const running = await startLogger({ component: 'my-operator', kubeconfig, api: 'events.k8s.io/v1' })
  running.logger.child({ k8sObject: object }).error(new Error('it broke'))
  await running.close()
  t.same(running.errors, [])
  const post = server.requests.find(request => request.method === 'POST')
  t.match(post?.path, /^\/apis\/events\.k8s\.io\/v1\/namespaces\/newapi\/events/)
  const body = post?.body as any
  t.equal(body.type, 'Warning')
  t.equal(body.note, 'it broke')
  t.equal(body.reportingController, 'my-operator')
  t.same(body.regarding, { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'newapi', uid: object.metadata.uid })
  t.notOk('firstTimestamp' in body || 'count' in body || 'source' in body, 'no deprecated fields')
  t.equal(server.listEvents('newapi').length, 1)
})

t.test('events for events post nothing; bad bindings get a diagnostic and lose nothing else', async t => {
  await server.createNamespace('mixed')
  const object = await server.createObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ok', namespace: 'mixed' }, spec: {} })
  const run = await runApp({
    options: { component: 'my-operator', kubeconfig },
    script: `
      const good = ${JSON.stringify(object)}
      logger.child({ k8sObject: { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'mixed' } } }).warn('about an event')
      logger.child({ k8sObject: { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e', namespace: 'mixed' } } }).warn('about an event')
      logger.child({ k8sObject: { kind: 'Pod', metadata: { name: 'no-api-version', namespace: 'mixed' } } }).warn('incomplete')
      logger.child({ k8sObject: 'pod/ok' }).warn('a string binding')
      logger.child({ k8sObject: good }).warn('first')
      logger.child({ k8sObject: 42 }).warn('a number binding')
      logger.child({ k8sObject: good }).warn('second')
      process.exit(0)
    `
  })
  t.equal(run.code, 0)
  const messages = server.listEvents('mixed').map(event => event.message).sort()
  t.same(messages, ['first', 'second'])
  t.match(run.stderr, /apiVersion/, 'the incomplete binding is named')
  t.notMatch(run.stderr, /about an event/, 'events for events are skipped silently')
})

t.test('with several targets, a clean exit still delivers every event', async t => {
  await server.createNamespace('exit-targets')
  const object = await server.createObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'exit-targets' }, spec: {} })
  const run = await runApp({
    options: { component: 'my-operator', kubeconfig },
    level: 'warn',
    otherTargets: [{ target: 'pino/file', options: { destination: 1 }, level: 'info' }],
    script: `
      const log = logger.child({ k8sObject: ${JSON.stringify(object)} })
      for (let i = 0; i < 50; i++) log.warn({ reason: 'Distinct' + i }, 'warning ' + i)
      log.info('only on stdout')
      process.exit(0)
    `
  })
  t.equal(run.code, 0)
  t.equal(run.stdout.trim().split('\n').length, 51, 'the stdout target got every line')
  t.equal(server.listEvents('exit-targets').length, 50, 'our target posted every warning before the process ended')
})
