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
