// Replicas colliding on one Event under sustained contention: three applications (processes of their own, each
// with pino's worker on the compiled transport, each its own `instance`) log the same warning about one pod, one
// per millisecond for five seconds, all at once. Whoever loses a race (409) backs off and tries again with
// everything it holds: the Event counts every occurrence exactly once and nothing is dropped, on both event APIs,
// with the per-object rate limit and without it.
import t from 'tap'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'
import { kubectlAvailable, kubectlOrFail } from './apiserver/kubectl.js'
import { diagnosticLines, startApp, type AppProcess } from './helpers/app-process.js'
import { eventsPath, parseSummary, podIn } from './helpers/delivery.js'

const REPLICAS = ['replica-a', 'replica-b', 'replica-c']
const LINES = 5000

let server: LocalApiServer
let kubeconfig: string
t.before(async () => {
  server = await startApiServer()
  kubeconfig = server.kubeconfig()
})
t.teardown(async () => await server.close())

/** Logs LINES warnings at one per millisecond once told to go; catches up in a burst when a timer fired late. */
function replicaScript (namespace: string): string {
  return `
    const log = logger.child({ k8sObject: ${JSON.stringify(podIn(namespace))} })
    report('ready', true)
    await command()
    const started = performance.now()
    let logged = 0
    while (logged < ${LINES}) {
      const due = Math.min(${LINES}, Math.floor(performance.now() - started) + 1)
      while (logged < due) {
        log.warn({ reason: 'Contended' }, 'the same warning from every replica')
        logged++
      }
      await new Promise(resolve => setTimeout(resolve, 1))
    }
    report('logged', performance.now() - started)
    report('stats', await settledStats())
    report('drops', drops)
    process.exit(0)
  `
}

function storedCount (event: any): number {
  return Math.max(event.series?.count ?? 0, event.count ?? 0, event.deprecatedCount ?? 0)
}

const cases = [
  { api: 'v1', rateLimit: 'default', options: {} },
  { api: 'v1', rateLimit: 'off', options: { rateLimit: false, qps: 1000, burst: 1000 } },
  { api: 'events.k8s.io/v1', rateLimit: 'default', options: {} },
  { api: 'events.k8s.io/v1', rateLimit: 'off', options: { rateLimit: false, qps: 1000, burst: 1000 } }
]

for (const [index, run] of cases.entries()) {
  t.test(`three replicas × ${LINES} on one Event, ${run.api}, per-object rate limit ${run.rateLimit}: exactly ${REPLICAS.length * LINES}`, async t => {
    const namespace = `contended-${index}`
    await server.createNamespace(namespace)
    const apps: AppProcess[] = REPLICAS.map(instance => startApp({
      options: { kubeconfig, instance, api: run.api, ...run.options },
      script: replicaScript(namespace)
    }))
    await Promise.all(apps.map(async app => await app.report('ready', 60_000)))
    for (const app of apps) app.send('go')
    const ran = await Promise.all(apps.map(async app => await app.ended))
    const stats = await Promise.all(apps.map(async app => await app.report('stats', 1000)))

    for (const [i, result] of ran.entries()) {
      t.equal(result.code, 0, `${REPLICAS[i]} exited cleanly`)
      t.same(parseSummary(diagnosticLines(result.stderr)), undefined, `${REPLICAS[i]} dropped nothing: ${diagnosticLines(result.stderr).join(' | ')}`)
    }
    for (const [i, s] of stats.entries()) t.same(Object.entries(s.dropped).filter(([, n]) => (n as number) > 0), [], `${REPLICAS[i]}'s counters show no drop`)
    const events = server.listEvents(namespace)
    t.equal(events.length, 1, 'one Event for all three')
    t.equal(storedCount(events[0]), REPLICAS.length * LINES, 'every occurrence counted exactly once')

    const writes = server.requests.filter(r => r.path.startsWith(eventsPath(namespace)) || r.path.includes(`/namespaces/${namespace}/events`))
    const conflicts = writes.filter(r => r.status === 409).length
    t.ok(conflicts > 0, `the replicas did collide: ${writes.length} requests, ${conflicts} answered 409`)
    t.comment(`${run.api}, rate limit ${run.rateLimit}: ${writes.length} requests (${conflicts} × 409), ` +
      `writes per replica ${stats.map(s => s.posted + s.patched).join('/')}, logged in ${(await Promise.all(apps.map(async app => Math.round(await app.report('logged'))))).join('/')} ms`)

    if (kubectlAvailable()) {
      const [resource, field] = run.api === 'v1' ? ['events', '{.items[*].count}'] : ['events.v1.events.k8s.io', '{.items[*].series.count}']
      const counts = await kubectlOrFail(['get', resource, '-n', namespace, '-o', `jsonpath=${field}`], kubeconfig)
      t.equal(counts.trim(), String(REPLICAS.length * LINES), `kubectl get ${resource} shows the same count`)
    }
  })
}
