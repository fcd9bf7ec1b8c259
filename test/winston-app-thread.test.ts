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
