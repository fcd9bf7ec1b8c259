// The winston transport in applications of their own: how the process ends (process.exit, SIGTERM, logger.end),
// what reaches stderr, and what the pino path does not load.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'
import { runWinstonApp } from './helpers/winston.js'
import { diagnosticLines } from './helpers/app-process.js'

let server: LocalApiServer
let kubeconfig: string

t.before(async () => {
  server = await startApiServer()
  kubeconfig = server.kubeconfig()
})
t.teardown(async () => await server.close())

async function podIn (namespace: string): Promise<any> {
  await server.createNamespace(namespace)
  return await server.createObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace }, spec: {} })
}

t.test('process.exit(0) right after logging 1,000 distinct events delivers all of them', async t => {
  const body = await podIn('exit')
  const run = await runWinstonApp({
    // The longest flush a process exit allows: on a busy machine 1,000 requests can take several seconds.
    options: { component: 'my-operator', kubeconfig, rateLimit: false, aggregate: false, flushTimeout: 9000 },
    script: `
      const log = logger.child({ k8sObject: ${JSON.stringify(body)} })
      for (let i = 0; i < 1000; i++) log.warn('distinct warning ' + i, { reason: 'Distinct' })
      process.exit(0)
    `
  })
  t.equal(run.code, 0, run.stderr)
  const messages = new Set(server.listEvents('exit').map(event => event.message))
  t.equal(messages.size, 1000, 'every event is on the server')
  t.same(diagnosticLines(run.stderr), [])
})

t.test('the README\'s SIGTERM recipe: process.exit in the handler delivers pending events', async t => {
  const body = await podIn('sigterm')
  const run = await runWinstonApp({
    options: { component: 'my-operator', kubeconfig, rateLimit: false, aggregate: false },
    script: `
      process.on('SIGTERM', () => process.exit(0))
      const log = logger.child({ k8sObject: ${JSON.stringify(body)} })
      for (let i = 0; i < 100; i++) log.error('failed ' + i, { reason: 'Failed' })
      process.kill(process.pid, 'SIGTERM')
      setInterval(() => {}, 1000)
    `
  })
  t.equal(run.code, 0, run.stderr)
  t.equal(server.listEvents('sigterm').length, 100)
})

t.test('logging after close(): dropped without a word on stderr, without a drop notice, the application unaffected', async t => {
  const body = await podIn('after-close')
  const run = await runWinstonApp({
    options: { component: 'my-operator', kubeconfig },
    script: `
      const log = logger.child({ k8sObject: ${JSON.stringify(body)} })
      transport.on('k8sEventDropped', drop => process.stdout.write('dropped ' + JSON.stringify(drop) + '\\n'))
      for (let i = 0; i < 5; i++) log.warn('before close ' + i, { reason: 'Before' + i })
      await transport.close()
      for (let i = 0; i < 2000; i++) log.warn('after close ' + i, { reason: 'After' })
      process.stdout.write('done\\n')
    `
  })
  t.equal(run.code, 0, run.stderr)
  t.equal(run.stdout, 'done\n', 'no drop notice')
  t.equal(run.stderr, '', 'nothing on stderr')
  t.same(server.listEvents('after-close').map(event => event.message).sort(), [0, 1, 2, 3, 4].map(i => `before close ${i}`))
})

t.test('logger.end(): "finish" comes once pending events are delivered; a natural end delivers too', async t => {
  const body = await podIn('end')
  const ended = await runWinstonApp({
    options: { component: 'ended', kubeconfig },
    script: `
      const log = logger.child({ k8sObject: ${JSON.stringify(body)} })
      for (let i = 0; i < 30; i++) log.warn('ended ' + i, { reason: 'Ended' + i })
      logger.on('finish', () => process.stdout.write('finished\\n'))
      logger.end()
    `
  })
  t.equal(ended.code, 0, ended.stderr)
  t.match(ended.stdout, /finished/)
  const natural = await runWinstonApp({
    options: { component: 'natural', kubeconfig },
    script: `
      const log = logger.child({ k8sObject: ${JSON.stringify(body)} })
      for (let i = 0; i < 30; i++) log.warn('natural ' + i, { reason: 'Natural' + i })
    `
  })
  t.equal(natural.code, 0, natural.stderr)
  const from = (component: string): number => server.listEvents('end').filter(event => event.source.component === component).length
  t.equal(from('ended'), 30)
  t.equal(from('natural'), 30, 'the event loop ran empty: beforeExit and exit hooks delivered')
})

t.test('bad options and a bad binding: one diagnostic each, nothing else lost, the application unaffected', async t => {
  const body = await podIn('bad-input')
  const run = await runWinstonApp({
    options: { component: 'my-operator', kubeconfig, minLevel: 'loud', qps: -1 },
    format: 'colorize',
    script: `
      logger.warn('incomplete', { k8sObject: { kind: 'Pod', metadata: { name: 'no-api-version' } } })
      logger.warn('incomplete again', { k8sObject: { kind: 'Pod', metadata: { name: 'no-api-version' } } })
      logger.warn('good', { k8sObject: ${JSON.stringify(body)} })
      await transport.flush()
      process.exit(0)
    `
  })
  t.equal(run.code, 0, run.stderr)
  t.same(server.listEvents('bad-input').map(event => event.message), ['good'])
  const lines = diagnosticLines(run.stderr)
  t.equal(lines.filter(line => line.includes('apiVersion')).length, 1, 'the bad binding is named once')
  t.equal(lines.filter(line => line.includes("option 'minLevel'")).length, 1)
  t.equal(lines.filter(line => line.includes("option 'qps'")).length, 1)
})

t.test('an API server that hangs: the application goes on, and exits within the flush timeout', async t => {
  const body = await podIn('hang')
  server.faults.add({ path: '/api/v1/namespaces/hang/events', times: Infinity, action: { hang: true } })
  const run = await runWinstonApp({
    options: { component: 'my-operator', kubeconfig, flushTimeout: 1000, requestTimeout: 60_000 },
    script: `
      const log = logger.child({ k8sObject: ${JSON.stringify(body)} })
      for (let i = 0; i < 100; i++) log.warn('hanging ' + i, { reason: 'Hang' + i })
      let dropped
      transport.on('k8sEventsStats', stats => { dropped = stats.dropped })
      logger.info('still logging')
      await new Promise(resolve => logger.on('finish', resolve).end())
      process.stdout.write(JSON.stringify({ dropped }) + '\\n')
    `
  })
  server.faults.clear()
  t.equal(run.code, 0, run.stderr)
  t.ok(run.ms < 8000, `ended in ${run.ms} ms`)
  const { dropped } = JSON.parse(run.stdout.trim().split('\n').pop() as string)
  t.ok(dropped.closed + dropped.unconfirmed > 0, 'what could not be delivered is counted')
})

t.test('the pino path loads neither winston nor the winston transport\'s thread', async t => {
  const script = `
    await import('pino-k8s-events')
    const { createRequire } = await import('node:module')
    const loaded = Object.keys(createRequire(import.meta.url).cache)
    const { relative } = await import('node:path')
    // Relative to the package: the directory it sits in may have any name.
    console.log(JSON.stringify(loaded.map(file => relative(process.cwd(), file)).filter(file => /winston|logform|triple-beam|thread-stream|on-exit-leak-free/.test(file))))
  `
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
  t.equal(run.status, 0, run.stderr)
  t.same(JSON.parse(run.stdout), [])
})

t.test('process.exit(0) right after repeating warnings: the lines counted on the application\'s thread are delivered, counts exact', async t => {
  const body = await podIn('exit-counted')
  const run = await runWinstonApp({
    options: { component: 'my-operator', kubeconfig },
    script: `
      const log = logger.child({ k8sObject: ${JSON.stringify(body)} })
      for (let i = 0; i < 5000; i++) log.warn('Back-off restarting failed container', { reason: 'BackOff' })
      log.error('Reconcile failed:', new Error('conflict'))
      for (let i = 0; i < 3000; i++) log.warn('Back-off restarting failed container', { reason: 'BackOff' })
      process.exit(0)
    `
  })
  t.equal(run.code, 0, run.stderr)
  t.same(server.listEvents('exit-counted').map(event => [event.message, event.count]).sort(), [
    ['Back-off restarting failed container', 8000],
    ['Reconcile failed: conflict', 1]
  ])
  t.same(diagnosticLines(run.stderr), [])
})
