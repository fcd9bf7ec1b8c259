// An API server that rejects for overload, as API Priority and Fairness does at a priority level of 3 seats with
// `limitResponse: Reject`: the transport sends fewer requests at once after each rejection and more again after
// successes, and spreads its retries, so that 300 distinct Events all land within one flushTimeout instead of
// turning into a herd of retries. Through pino's worker on the compiled transport, in a process of its own.
import t from 'tap'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'
import { diagnosticLines, startApp } from './helpers/app-process.js'
import { eventsPath, parseSummary } from './helpers/delivery.js'

const EVENTS = 300
/**
 * The default (8 s) holds with room to spare on a quiet machine (bench case 10 measures it); twice that keeps the
 * test from failing on a CI machine shared with other work. A flush that did not finish would still show: it would
 * answer at its timeout with Events missing.
 */
const FLUSH_TIMEOUT_MS = 15_000

let server: LocalApiServer
let kubeconfig: string
t.before(async () => {
  server = await startApiServer()
  kubeconfig = server.kubeconfig()
})
t.teardown(async () => await server.close())

t.test(`${EVENTS} distinct Events at a 3-seat rejecting priority level: all stored within one flushTimeout`, async t => {
  const namespace = 'overloaded'
  await server.createNamespace(namespace)
  const app = startApp({
    options: { kubeconfig, concurrency: 16, flushTimeout: FLUSH_TIMEOUT_MS },
    script: `
      const pods = Array.from({ length: ${EVENTS} }, (_, i) => logger.child({
        k8sObject: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'busy-' + i, namespace: '${namespace}', uid: 'uid-busy-' + i } }
      }))
      report('ready', true)
      await command()
      const started = performance.now()
      for (const pod of pods) pod.warn({ reason: 'Overloaded' }, 'a warning of its own')
      const flushedStats = await settledStats()
      report('flushed', { ms: performance.now() - started, stats: flushedStats })
      await command()
      process.exit(0)
    `
  })
  await app.report('ready', 60_000)
  server.priorityLevel.set({ seats: 3, serviceMs: 3 })
  app.send('go')
  const { ms, stats } = await app.report('flushed', 60_000)
  const stored = server.listEvents(namespace)
  const rejected = server.priorityLevel.rejected()
  server.priorityLevel.set(undefined)
  app.send('exit')
  const run = await app.ended

  t.equal(stored.length, EVENTS, `all ${EVENTS} Events stored when the flush answered`)
  t.ok(stored.every(event => event.count === 1), 'each counted once')
  t.ok(ms < FLUSH_TIMEOUT_MS, `the flush answered after ${Math.round(ms)} ms, within its ${FLUSH_TIMEOUT_MS} ms`)
  t.ok(rejected > 0, `the priority level did reject (${rejected} × 429)`)
  t.ok(rejected < EVENTS, `fewer rejections (${rejected}) than Events (${EVENTS}): no herd of retries`)
  t.same(Object.entries(stats.dropped).filter(([, n]) => (n as number) > 0), [], 'nothing dropped')
  t.equal(stats.retried, rejected, 'every rejection was retried, nothing else was')
  t.equal(run.code, 0)
  t.same(parseSummary(diagnosticLines(run.stderr)), undefined, 'no drop summary at exit')
  const told = diagnosticLines(run.stderr).filter(line => line.includes('rejecting requests for overload'))
  t.ok(told.length <= 1, `overload told at most once (${told.length})`)
  const posts = server.requests.filter(r => r.path.startsWith(eventsPath(namespace)) && r.method === 'POST')
  t.equal(posts.filter(r => r.status === 201).length, EVENTS, 'one successful POST each')
  t.comment(`${EVENTS} Events through 3 seats: flushed in ${Math.round(ms)} ms, ${rejected} rejections, ${posts.length} POSTs`)
})
