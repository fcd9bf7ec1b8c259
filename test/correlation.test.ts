// Correlation end to end: through pino.transport() in a real worker, against the local API server.
import t from 'tap'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'
import { kubectl, kubectlAvailable } from './apiserver/kubectl.js'
import { rawRequest } from './apiserver/raw-client.js'
import { runApp, startLogger } from './helpers/transport.js'

let server: LocalApiServer
let kubeconfig: string

t.before(async () => {
  server = await startApiServer()
  kubeconfig = server.kubeconfig()
})
t.teardown(async () => await server.close())

async function podIn (namespace: string, name = 'target'): Promise<any> {
  await server.createNamespace(namespace)
  return await server.createObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: {} })
}

const writesTo = (namespace: string): number =>
  server.requests.filter(request => request.path.startsWith(`/api/v1/namespaces/${namespace}/events`) && request.method !== 'GET').length

t.test('100,000 identical warnings: at most 26 requests, and the count on the server is exactly 100,000', async t => {
  const pod = await podIn('flood')
  const running = await startLogger({ component: 'my-operator', kubeconfig })
  const log = running.logger.child({ k8sObject: pod })
  for (let i = 0; i < 100_000; i++) log.warn({ reason: 'BackOff' }, 'Back-off restarting failed container')
  await running.flush()
  await running.close()
  t.same(running.errors, [])
  const events = server.listEvents('flood')
  t.equal(events.length, 1, 'one Event')
  t.equal(events[0].count, 100_000, 'counted exactly')
  t.ok(writesTo('flood') <= 26, `${writesTo('flood')} requests, at most 26 (one create and the per-object burst)`)
})

t.test('kubectl describe shows (x1000 over ...) for 1,000 identical warnings', async t => {
  const pod = await podIn('thousand')
  const running = await startLogger({ component: 'my-operator', kubeconfig })
  const log = running.logger.child({ k8sObject: pod })
  for (let i = 0; i < 1000; i++) log.warn({ reason: 'Unhealthy' }, 'Readiness probe failed')
  await running.close()
  t.equal(server.listEvents('thousand')[0]?.count, 1000)
  if (!kubectlAvailable()) { t.comment('kubectl is not installed: the describe check is left out'); return }
  const { stdout } = await kubectl(['describe', 'pod', 'target', '-n', 'thousand'], kubeconfig)
  t.match(stdout, /Warning\s+Unhealthy\s+\S+ \(x1000 over \S+\)\s+my-operator\s+Readiness probe failed/)
})

t.test('an Event deleted on the server (as its one-hour TTL does) is created again with the accumulated count', async t => {
  const pod = await podIn('expired')
  const running = await startLogger({ component: 'my-operator', kubeconfig })
  const log = running.logger.child({ k8sObject: pod })
  for (let i = 0; i < 10; i++) log.warn({ reason: 'Retrying' }, 'still failing')
  await running.flush()
  const [first] = server.listEvents('expired')
  t.equal(first.count, 10)
  const deleted = await rawRequest(server, { method: 'DELETE', path: `/api/v1/namespaces/expired/events/${first.metadata.name as string}` })
  t.equal(deleted.status, 200)
  for (let i = 0; i < 5; i++) log.warn({ reason: 'Retrying' }, 'still failing')
  await running.close()
  const events = server.listEvents('expired')
  t.equal(events.length, 1)
  t.equal(events[0].count, 15, 'the new Event carries every occurrence')
  t.not(events[0].metadata.uid, first.metadata.uid, 'it is a new object')
})

t.test('a second process with the same component continues the count of the first', async t => {
  const pod = await podIn('restart')
  const script = `
    const log = logger.child({ k8sObject: ${JSON.stringify(pod)} })
    for (let i = 0; i < 3; i++) log.warn({ reason: 'CrashLoop' }, 'the operator restarted')
    process.exit(0)
  `
  const first = await runApp({ options: { component: 'my-operator', kubeconfig, instance: 'operator-abc' }, script })
  const second = await runApp({ options: { component: 'my-operator', kubeconfig, instance: 'operator-def' }, script })
  t.equal(first.code, 0)
  t.equal(second.code, 0)
  const events = server.listEvents('restart')
  t.equal(events.length, 1, 'one Event across both lives of the operator')
  t.equal(events[0].count, 6)
})

t.test('many different messages for one object and reason are combined, counted like any other', async t => {
  const pod = await podIn('similar')
  const running = await startLogger({ component: 'my-operator', kubeconfig })
  const log = running.logger.child({ k8sObject: pod })
  for (let i = 0; i < 15; i++) log.warn({ reason: 'SyncFailed' }, `sync failed for key-${i}`)
  await running.close()
  const events = server.listEvents('similar')
  const combined = events.filter(event => event.message.startsWith('(combined from similar events): '))
  t.equal(combined.length, 1, 'one combined Event')
  t.equal(combined[0].message, '(combined from similar events): sync failed for key-14', 'with the latest message')
  const total = events.reduce((sum, event) => sum + (event.count as number), 0)
  t.equal(total, 15, 'no occurrence lost or counted twice')
  t.equal(events.length, 10, 'nine distinct Events, then the combined one')
})

t.test('aggregation can be switched off', async t => {
  const pod = await podIn('distinct')
  const running = await startLogger({ component: 'my-operator', kubeconfig, aggregate: false })
  const log = running.logger.child({ k8sObject: pod })
  for (let i = 0; i < 15; i++) log.warn({ reason: 'SyncFailed' }, `sync failed for key-${i}`)
  await running.close()
  t.equal(server.listEvents('distinct').length, 15)
})

t.test('the per-object rate limit keeps throttled counts and writes them at shutdown', async t => {
  const pod = await podIn('throttled')
  const running = await startLogger({ component: 'my-operator', kubeconfig, rateLimit: { burst: 2, qps: 0.001 }, aggregate: false })
  const log = running.logger.child({ k8sObject: pod })
  for (let i = 0; i < 5; i++) log.warn({ reason: 'Distinct' }, `message ${i}`)
  await running.close()
  const events = server.listEvents('throttled')
  t.equal(events.length, 5, 'every Event is written, none thrown away as client-go would')
})

t.test("client-go's recorder sequence (TestEventf): fieldPath and uid tell Events apart, repeats count", async t => {
  await server.createNamespace('baz')
  const pod = { apiVersion: 'v1', kind: 'Pod', name: 'foo', namespace: 'baz', uid: 'bar' }
  const running = await startLogger({ component: 'eventTest', kubeconfig })
  const log = (binding: object, reason: string, message: string): void => running.logger.child({ k8sObject: binding }).info({ reason }, message)
  const container2 = { ...pod, fieldPath: 'spec.containers[2]' }
  const otherUid = { ...pod, uid: 'differentUid', fieldPath: 'spec.containers[3]' }
  const steps: Array<[object, string, string]> = [
    [container2, 'Started', 'some verbose message: 1'],
    [pod, 'Killed', 'some other verbose message: 1'],
    [container2, 'Started', 'some verbose message: 1'],
    [otherUid, 'Started', 'some verbose message: 1'],
    [container2, 'Started', 'some verbose message: 1'],
    [otherUid, 'Stopped', 'some verbose message: 1'],
    [otherUid, 'Stopped', 'some verbose message: 1']
  ]
  const writes: string[] = []
  for (const [binding, reason, message] of steps) {
    server.clearRequests()
    log(binding, reason, message)
    await running.flush()
    writes.push(server.requests.filter(request => request.method !== 'GET').map(request => request.method).join(','))
  }
  await running.close()
  t.same(writes, ['POST', 'POST', 'PATCH', 'POST', 'PATCH', 'POST', 'PATCH'], 'a create for each new Event, a patch for each repeat')
  const counts = server.listEvents('baz').map(event => [event.involvedObject.uid, event.involvedObject.fieldPath ?? '', event.reason, event.count]).sort()
  t.same(counts, [
    ['bar', '', 'Killed', 1],
    ['bar', 'spec.containers[2]', 'Started', 3],
    ['differentUid', 'spec.containers[3]', 'Started', 1],
    ['differentUid', 'spec.containers[3]', 'Stopped', 2]
  ])
})
