// The winston transport end to end: a real winston logger, the transport's worker thread on the compiled JS, the
// local API server, and the real kubectl reading the result.
import t from 'tap'
import winston from 'winston'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'
import { kubectl, kubectlAvailable } from './apiserver/kubectl.js'
import { startWinston } from './helpers/winston.js'
import { waitFor } from './helpers/app-process.js'
import { KOPF_ROWS } from './helpers/kopf.js'

const hasKubectl = kubectlAvailable()
const { format } = winston

let server: LocalApiServer
let kubeconfig: string

t.before(async () => {
  server = await startApiServer()
  kubeconfig = server.kubeconfig()
})
t.teardown(async () => await server.close())

async function describeEvents (args: string[]): Promise<string[][]> {
  const { code, stdout, stderr } = await kubectl(['describe', ...args], kubeconfig)
  if (code !== 0) throw new Error(`kubectl describe ${args.join(' ')}: ${stderr}`)
  const section = stdout.slice(stdout.indexOf('Events:'))
  return section.split('\n').slice(3).filter(line => line.trim() !== '').map(line => line.trim().split(/\s{2,}/))
}

/** A namespace of the test's own with one Pod in it. */
async function podIn (namespace: string, name = 'p'): Promise<any> {
  await server.createNamespace(namespace)
  return await server.createObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: {} })
}

const rowsIn = (namespace: string): string[][] =>
  server.listEvents(namespace).map(event => [event.type, event.reason, event.message]).sort()

class ReconcileError extends Error {}

t.test('the Kopf documentation example, row for row, in kubectl describe', async t => {
  await server.createNamespace('kopf')
  const example = await server.createObject({ apiVersion: 'kopf.dev/v1', kind: 'KopfExample', metadata: { name: 'kopf-example-1', namespace: 'kopf' }, spec: {} })
  const running = await startWinston({ component: 'kopf', kubeconfig }, { format: format.json() })
  const log = running.logger.child({ k8sObject: example })
  log.info('Some message', { reason: 'SomeReason' })
  log.info('Handler create_fn succeeded.', { reason: 'Success' })
  log.info('Some message', { eventType: 'SomeType', reason: 'SomeReason' })
  log.info('All handlers succeeded.', { reason: 'Finished' })
  try {
    throw new Error('Exception text.')
  } catch (err) {
    log.error('Some exception:', { err, reason: 'SomeReason' })
  }
  log.warn('Some message', { reason: 'SomeReason' })
  await running.end()
  t.same(running.errors, [])

  const rows = KOPF_ROWS
  const stored = server.listEvents('kopf')
  t.same(stored.map(event => [event.type, event.reason, event.source.component, event.message]).sort(), rows)
  for (const event of stored) {
    t.same(event.involvedObject, { apiVersion: 'kopf.dev/v1', kind: 'KopfExample', name: 'kopf-example-1', namespace: 'kopf', uid: example.metadata.uid })
    t.equal(event.count, 1)
    t.equal(event.action, 'Log')
  }
  if (!hasKubectl) return t.skip('kubectl describe: kubectl is not installed', async () => {})
  const shown = await describeEvents(['kopfexample', 'kopf-example-1', '-n', 'kopf'])
  t.same(shown.map(([type, reason, , from, message]) => [type, reason, from, message]).sort(), rows)
})

t.test('the contract: child loggers and per-call meta, with any format', async t => {
  const body = await podIn('contract')
  const running = await startWinston({ component: 'my-operator', kubeconfig }, { format: format.simple() })
  const { logger } = running
  logger.child({ k8sObject: body }).warn('Some message')
  logger.child({ k8sObject: body }).info('Some message', { reason: 'SomeReason' })
  logger.child({ k8sObject: body }).error('Some exception:', new Error('Exception text.'))
  logger.warn('Another message', { k8sObject: body, reason: 'SomeReason', eventType: 'SomeType' })
  logger.log({ level: 'warn', message: 'Logged as one object', k8sObject: body, reason: 'Literal' })
  logger.info('no binding, no event')
  await running.end()
  t.same(running.errors, [])
  t.same(rowsIn('contract'), [
    ['Error', 'Error', 'Some exception: Exception text.'],
    ['Normal', 'SomeReason', 'Some message'],
    ['SomeType', 'SomeReason', 'Another message'],
    ['Warning', 'Literal', 'Logged as one object'],
    ['Warning', 'Logging', 'Some message']
  ])
  t.match(running.stats(), { linesRead: 6, linesSelected: 5, posted: 5 })
})

t.test('errors as winston users write them, with and without format.errors({ stack: true })', async t => {
  const formats: Array<[string, winston.Logform.Format]> = [
    ['json', format.json()],
    ['errors-stack', format.combine(format.errors({ stack: true }), format.json())]
  ]
  for (const [name, loggerFormat] of formats) {
    const body = await podIn(`errors-${name}`)
    const running = await startWinston({ component: 'my-operator', kubeconfig }, { format: loggerFormat })
    const { logger } = running
    const child = logger.child({ k8sObject: body })
    child.error('Some exception:', new ReconcileError('first form.'))
    child.error(new TypeError('second form, child logger'))
    ;(logger as any).error(new RangeError('second form, root logger'), { k8sObject: body })
    logger.log({ level: 'error', message: 'third form:', err: new SyntaxError('in a field'), k8sObject: body })
    child.error({ message: 'with a reason:', err: new TypeError('kept'), reason: 'Explicit' })
    child.error(new Error('outer', { cause: new Error('inner cause') }))
    await running.end()
    t.same(running.errors, [], name)
    t.same(rowsIn(`errors-${name}`), [
      ['Error', 'Error', 'outer: inner cause'],
      ['Error', 'Explicit', 'with a reason: kept'],
      ['Error', 'RangeError', 'second form, root logger'],
      ['Error', 'ReconcileError', 'Some exception: first form.'],
      ['Error', 'SyntaxError', 'third form: in a field'],
      ['Error', 'TypeError', 'second form, child logger']
    ], `${name}: the reason is the error's type, the message says each part once`)
  }
})

t.test('bindings: body, reference, list; events for events skipped; a bad binding loses nothing else', async t => {
  const body = await podIn('bindings')
  const other = await server.createObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q', namespace: 'bindings' }, spec: {} })
  const running = await startWinston({ component: 'my-operator', kubeconfig })
  const { logger } = running
  logger.warn('a reference', { k8sObject: { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'bindings', uid: body.metadata.uid } })
  logger.warn('a list', { k8sObject: [body, other] })
  logger.warn('about an event', { k8sObject: { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'bindings' } } })
  logger.warn('incomplete', { k8sObject: { kind: 'Pod', metadata: { name: 'no-api-version', namespace: 'bindings' } } })
  const circular: any = { kind: 'Thing' }
  circular.self = circular
  logger.warn('circular', { k8sObject: circular })
  logger.warn('after the bad ones', { k8sObject: body })
  await running.end()
  t.same(running.errors, [])
  t.same(server.listEvents('bindings').map(event => `${event.involvedObject.name as string}: ${event.message as string}`).sort(), [
    'p: a list', 'p: a reference', 'p: after the bad ones', 'q: a list'
  ])
  t.match(running.stats(), { invalidBindings: 2, linesSelected: 6 })
})

t.test('syslog levels: emerg to error are Errors, warning a Warning, notice and info Normal, debug nothing', async t => {
  const body = await podIn('syslog')
  const running = await startWinston({ component: 'my-operator', kubeconfig }, { levels: winston.config.syslog.levels, level: 'debug' })
  const log = running.logger.child({ k8sObject: body }) as any
  for (const level of ['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug']) log[level](`at ${level}`)
  await running.end()
  t.same(running.errors, [])
  t.same(rowsIn('syslog'), [
    ['Error', 'Logging', 'at alert'], ['Error', 'Logging', 'at crit'], ['Error', 'Logging', 'at emerg'], ['Error', 'Logging', 'at error'],
    ['Normal', 'Logging', 'at info'], ['Normal', 'Logging', 'at notice'], ['Warning', 'Logging', 'at warning']
  ])
})

t.test('npm and cli levels, minLevel and eventTypes in winston labels, and the transport\'s own level', async t => {
  const body = await podIn('levels')
  const npm = await startWinston({ component: 'npm', kubeconfig, minLevel: 'verbose', eventTypes: { http: 'Traffic' } })
  const npmLog = npm.logger.child({ k8sObject: body }) as any
  for (const level of ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']) npmLog[level](`npm ${level}`)
  await npm.end()

  const cli = await startWinston({ component: 'cli', kubeconfig, minLevel: 1 }, { levels: winston.config.cli.levels })
  const cliLog = cli.logger.child({ k8sObject: body }) as any
  for (const level of ['error', 'warn', 'help', 'info']) cliLog[level](`cli ${level}`)
  await cli.end()

  const transportLevel = await startWinston({ component: 'own-level', kubeconfig, level: 'warn' })
  const ownLog = transportLevel.logger.child({ k8sObject: body })
  ownLog.info('below the transport level')
  ownLog.warn('at the transport level')
  await transportLevel.end()

  t.same([...npm.errors, ...cli.errors, ...transportLevel.errors], [])
  const by = (component: string): string[][] => server.listEvents('levels').filter(event => event.source.component === component).map(event => [event.type, event.message]).sort()
  t.same(by('npm'), [['Error', 'npm error'], ['Normal', 'npm info'], ['Normal', 'npm verbose'], ['Traffic', 'npm http'], ['Warning', 'npm warn']],
    'minLevel verbose (a winston label) posts verbose and above; http maps to its own type')
  t.same(by('cli'), [['Error', 'cli error'], ['Warning', 'cli warn']], 'a number names a winston level: 1 is warn')
  t.same(by('own-level'), [['Warning', 'at the transport level']])
})

t.test('custom levels: the labels name types, the ladder covers the rest', async t => {
  const body = await podIn('custom')
  const levels = { fatal: 0, bad: 1, warn: 2, audit: 3, info: 4, trace: 5 }
  const running = await startWinston({ component: 'my-operator', kubeconfig, eventTypes: { fatal: 'Error', audit: 'Audit' }, minLevel: 'audit' }, { levels, level: 'trace' })
  const log = running.logger.child({ k8sObject: body }) as any
  for (const level of Object.keys(levels)) log[level](`at ${level}`)
  await running.end()
  t.same(running.errors, [])
  t.same(rowsIn('custom').map(([type, , message]) => [type, message]), [
    ['Audit', 'at audit'], ['Error', 'at fatal'], ['Warning', 'at bad'], ['Warning', 'at warn']
  ])
})

t.test('a colorized logger: the level and the message are read without the colours', async t => {
  const body = await podIn('colours')
  const running = await startWinston({ component: 'my-operator', kubeconfig }, {
    format: format.combine(format.colorize({ all: true }), format.simple())
  })
  running.logger.child({ k8sObject: body }).warn('Coloured warning', { reason: 'Colour' })
  running.logger.child({ k8sObject: body }).error('Coloured error:', new TypeError('red'))
  await running.end()
  t.same(running.errors, [])
  t.same(rowsIn('colours'), [['Error', 'TypeError', 'Coloured error: red'], ['Warning', 'Colour', 'Coloured warning']])
})

t.test('100,000 identical warnings make one Event counted exactly 100,000', async t => {
  const body = await podIn('flood')
  server.clearRequests()
  const running = await startWinston({ component: 'my-operator', kubeconfig }, { format: format.json() })
  const log = running.logger.child({ k8sObject: body })
  for (let i = 0; i < 100_000; i++) {
    log.warn('Back-off restarting failed container', { reason: 'BackOff' })
    // An application yields to its event loop now and then; on a busy machine the worker may fall behind a tight
    // loop by more than the bounded queue holds, so the flood lets it come within 25,000 lines every 25,000 lines.
    if (i % 1000 === 999) await new Promise(resolve => setImmediate(resolve))
    if (i % 25_000 === 24_999) await waitFor(() => (running.stats()?.linesSelected ?? 0) >= i + 1 - 25_000, 60_000)
  }
  await running.flush()
  const events = server.listEvents('flood')
  t.equal(events.length, 1)
  t.equal(events[0].count, 100_000)
  const writes = server.requests.filter(request => request.method === 'POST' || request.method === 'PATCH').length
  t.ok(writes <= 26, `${writes} requests, within the per-object rate limit`)
  t.match(running.stats().dropped, { 'worker-behind': 0, 'queue-full': 0 })
  await running.end()
  t.same(running.errors, [])
})

t.test('transport.close() waits for pending events; logging afterwards costs nothing and throws nothing', async t => {
  const body = await podIn('close')
  const running = await startWinston({ component: 'my-operator', kubeconfig })
  const log = running.logger.child({ k8sObject: body })
  for (let i = 0; i < 20; i++) log.warn(`distinct ${i}`, { reason: `Reason${i}` })
  await running.transport.close()
  t.equal(server.listEvents('close').length, 20, 'every event is on the server when close() resolves')
  log.warn('after close')
  await running.end()
  t.same(running.errors, [])
  t.equal(server.listEvents('close').length, 20)
})

t.test('a failing or forbidden API leaves the application unaffected; drops are reported on the transport', async t => {
  const body = await podIn('faults')
  server.addUser('no-events', { token: 'no-events-token', rules: [] })
  const forbidden = await startWinston({ component: 'forbidden', kubeconfig: server.kubeconfig({ user: 'no-events' }) })
  for (let i = 0; i < 10; i++) forbidden.logger.warn(`forbidden ${i}`, { k8sObject: body })
  await forbidden.flush()
  await waitFor(() => forbidden.stats()?.dropped.forbidden === 10)
  t.equal(forbidden.stats()?.dropped.forbidden, 10)
  t.match(forbidden.emitted.k8sEventDropped[0], { cause: 'forbidden', status: 403, event: { namespace: 'faults', type: 'Warning' } })
  await forbidden.end()

  server.faults.add({ method: 'POST', path: '/api/v1/namespaces/faults/events', times: Infinity, action: { status: 500 } })
  const failing = await startWinston({ component: 'failing', kubeconfig, maxAttempts: 2, flushTimeout: 3000 })
  for (let i = 0; i < 10; i++) failing.logger.warn(`failing ${i}`, { k8sObject: body, reason: `R${i}` })
  failing.logger.info('the application goes on')
  await failing.end()
  server.faults.clear()
  t.same([...forbidden.errors, ...failing.errors], [], 'no error reached winston')
  t.equal(server.listEvents('faults').length, 0)
  t.equal(failing.stats()?.dropped['retries-exhausted'], 10)
})

t.test('a burst faster than the worker: what waits in the application is bounded, each line is counted or dropped and counted', async t => {
  const body = await podIn('burst')
  const running = await startWinston({ component: 'my-operator', kubeconfig, rateLimit: false })
  const log = running.logger.child({ k8sObject: body })
  const padding = 'x'.repeat(900)
  const lines = 30_000
  // No turn of the event loop: nothing reaches the worker while this runs. Every line says something else, so none
  // of them is counted on the application's thread as a repeat of the one before.
  for (let i = 0; i < lines; i++) log.warn(`${i} ${padding}`, { reason: 'Burst' })
  await running.flush()
  const counted = (): number => server.listEvents('burst').reduce((sum, event) => sum + event.count, 0)
  await waitFor(() => running.stats()?.eventsObserved === counted())
  const stats = running.stats()
  const droppedHere = stats.dropped['worker-behind'] as number
  t.ok(droppedHere > 0, `${droppedHere} dropped in the application`)
  t.equal(counted() + droppedHere + stats.dropped['queue-full'], lines, 'the counts on the server and the drops add up to every line')
  t.equal(stats.linesRead, lines)
  t.match(running.emitted.k8sEventDropped[0], { cause: 'worker-behind', count: 1, droppedSincePrevious: Number, message: /dropped on the application's thread/ })
  await running.end()
  t.same(running.errors, [])
})

t.test('the same line in a burst faster than the worker: counted on the application\'s thread, nothing dropped', async t => {
  const body = await podIn('same-burst')
  const running = await startWinston({ component: 'my-operator', kubeconfig, rateLimit: false })
  const log = running.logger.child({ k8sObject: body })
  const message = 'x'.repeat(900)
  const lines = 30_000
  // The burst that drops lines when each says something else (above) fits when they repeat one another.
  for (let i = 0; i < lines; i++) log.warn(message, { reason: 'Burst' })
  await running.flush()
  await waitFor(() => running.stats()?.eventsObserved === lines)
  const stats = running.stats()
  t.same(server.listEvents('same-burst').map(event => [event.message, event.count]), [[message, lines]])
  t.equal(stats.linesRead, lines)
  t.equal(stats.linesSelected, lines, 'the worker counts every line a counted one stands for')
  t.same(Object.entries(stats.dropped).filter(([, count]) => count !== 0), [], 'nothing dropped')
  await running.end()
  t.same(running.errors, [])
})
