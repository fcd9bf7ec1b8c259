// What the winston transport does on the application's thread, seen through real winston, the worker on dist/ and
// the local API server: lines below minLevel, reused binding objects, logging after close.
import t from 'tap'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'
import { startWinston } from './helpers/winston.js'
import { waitFor } from './helpers/app-process.js'

let server: LocalApiServer
let kubeconfig: string

t.before(async () => {
  server = await startApiServer()
  kubeconfig = server.kubeconfig()
})
t.teardown(async () => await server.close())

async function podIn (namespace: string, name = 'p'): Promise<any> {
  await server.createNamespace(namespace)
  return await server.createObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: {} })
}

const writesTo = (namespace: string): number => server.requests.filter(request =>
  (request.method === 'POST' || request.method === 'PATCH') && request.path.includes(`/namespaces/${namespace}/`)).length

t.test('bound lines below minLevel cost no line to the worker, even a burst the worker could not take', async t => {
  const body = await podIn('below-min')
  const running = await startWinston({ component: 'my-operator', kubeconfig, rateLimit: false }, { level: 'debug' })
  const log = running.logger.child({ k8sObject: body })
  const message = 'x'.repeat(900)
  const lines = 30_000
  // No turn of the event loop: had they gone to the worker, most of them would be dropped as it fell behind.
  for (let i = 0; i < lines; i++) log.debug(message, { reason: 'Debug' })
  log.warn('the one at minLevel or above', { reason: 'Warned' })
  await running.flush()
  await waitFor(() => running.stats()?.eventsObserved === 1)
  const stats = running.stats()
  t.equal(stats.linesRead, lines + 1, 'every line is counted as read')
  t.equal(stats.linesSelected, 1)
  t.same(Object.entries(stats.dropped).filter(([, count]) => count !== 0), [], 'nothing dropped')
  t.same(running.emitted.k8sEventDropped, [])
  t.same(server.listEvents('below-min').map(event => event.message), ['the one at minLevel or above'])
  t.equal(writesTo('below-min'), 1)
  await running.end()
  t.same(running.errors, [])
})

t.test('a binding object changed in place between lines: each Event goes to the object it names at that line', async t => {
  await server.createNamespace('reused-a')
  await server.createNamespace('reused-b')
  const first = await server.createObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'first', namespace: 'reused-a' }, spec: {} })
  const second = await server.createObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'second', namespace: 'reused-b' }, spec: {} })
  const example = await server.createObject({ apiVersion: 'kopf.dev/v1', kind: 'KopfExample', metadata: { name: 'second', namespace: 'reused-b' }, spec: {} })
  const running = await startWinston({ component: 'my-operator', kubeconfig })
  // One reference object, reused for every call, as a reconcile loop might hold it.
  const ref: Record<string, string> = { apiVersion: 'v1', kind: 'Pod', name: 'first', namespace: 'reused-a', uid: first.metadata.uid }
  running.logger.warn('about the first pod', { k8sObject: ref, reason: 'One' })
  Object.assign(ref, { name: 'second', namespace: 'reused-b', uid: second.metadata.uid })
  running.logger.warn('about the second pod', { k8sObject: ref, reason: 'Two' })
  Object.assign(ref, { apiVersion: 'kopf.dev/v1', kind: 'KopfExample', uid: example.metadata.uid })
  running.logger.warn('about the example', { k8sObject: ref, reason: 'Three' })
  // A body changed in place: its metadata object is the same, its name is not.
  const body = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'first', namespace: 'reused-a', uid: first.metadata.uid } }
  running.logger.warn('body of the first pod', { k8sObject: body, reason: 'Four' })
  Object.assign(body.metadata, { name: 'second', namespace: 'reused-b', uid: second.metadata.uid })
  running.logger.warn('body of the second pod', { k8sObject: body, reason: 'Five' })
  await running.end()
  t.same(running.errors, [])
  const where = (namespace: string): string[][] => server.listEvents(namespace)
    .map(event => [event.message, event.involvedObject.kind, event.involvedObject.name, event.involvedObject.uid]).sort()
  t.same(where('reused-a'), [
    ['about the first pod', 'Pod', 'first', first.metadata.uid],
    ['body of the first pod', 'Pod', 'first', first.metadata.uid]
  ])
  t.same(where('reused-b'), [
    ['about the example', 'KopfExample', 'second', example.metadata.uid],
    ['about the second pod', 'Pod', 'second', second.metadata.uid],
    ['body of the second pod', 'Pod', 'second', second.metadata.uid]
  ])
})

/**
 * Date.now() once it has moved on from `since`: at most a millisecond's spin, without a turn of the event loop, so
 * that the lines logged between stay in one handover to the worker.
 */
function laterThan (since: number): number {
  let now = Date.now()
  while (now <= since) now = Date.now()
  return now
}

t.test('lines repeated about an object are counted here and keep the first and the last time, to the millisecond', async t => {
  const body = await podIn('counted-times')
  const running = await startWinston({ component: 'my-operator', kubeconfig, api: 'events.k8s.io/v1' })
  const log = running.logger.child({ k8sObject: body })
  // Each line at a millisecond of its own, all before the next handover to the worker: the worker gets them as one
  // line standing for five occurrences. A line's time lies between the readings before and after its call.
  const calls: Array<[number, number]> = []
  for (let i = 0; i < 5; i++) {
    const before = laterThan(calls.at(-1)?.[1] ?? 0)
    log.warn('Back-off restarting failed container', { reason: 'BackOff' })
    calls.push([before, Date.now()])
  }
  await running.flush()
  const [event] = server.listEvents('counted-times')
  t.equal(event.series?.count, 5)
  const within = (time: number, [before, after]: [number, number]): boolean => time >= before && time <= after
  t.ok(within(Date.parse(event.eventTime), calls[0]), `eventTime ${event.eventTime} is the first line's, ${calls[0].join('–')}`)
  t.ok(within(Date.parse(event.series?.lastObservedTime), calls[4]), `series.lastObservedTime ${event.series?.lastObservedTime} is the last line's, ${calls[4].join('–')}`)
  t.equal(running.stats().linesSelected, 5)
  await running.end()
  t.same(running.errors, [])
})

t.test('counted lines interleaved across objects, messages, errors and levels: every Event counted exactly', async t => {
  await server.createNamespace('counted-mix')
  const pods = await Promise.all(['a', 'b', 'c'].map(async name => await server.createObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'counted-mix' }, spec: {} })))
  const running = await startWinston({ component: 'my-operator', kubeconfig, rateLimit: false, aggregate: false })
  const logs = pods.map(pod => running.logger.child({ k8sObject: pod }))
  const expected = new Map<string, number>()
  const note = (pod: string, type: string, message: string): void => { expected.set(`${pod} ${type} ${message}`, (expected.get(`${pod} ${type} ${message}`) ?? 0) + 1) }
  for (let i = 0; i < 3000; i++) {
    const which = i % 3
    const log = logs[which]
    const pod = pods[which].metadata.name
    if (i % 7 === 0) {
      log.error('Reconcile failed:', new Error('conflict'))
      note(pod, 'Error', 'Reconcile failed: conflict')
    } else if (i % 5 === 0) {
      log.info('Reconciled', { reason: 'Reconciled' })
      note(pod, 'Normal', 'Reconciled')
    } else {
      log.warn('Back-off', { reason: 'BackOff' })
      note(pod, 'Warning', 'Back-off')
    }
    if (i % 500 === 499) await new Promise(resolve => setImmediate(resolve))
  }
  await running.flush()
  const counts = new Map(server.listEvents('counted-mix').map(event => [`${event.involvedObject.name} ${event.type} ${event.message}`, event.count]))
  t.same(Object.fromEntries(counts), Object.fromEntries(expected))
  t.equal(running.stats().linesSelected, 3000)
  await running.end()
  t.same(running.errors, [])
})
