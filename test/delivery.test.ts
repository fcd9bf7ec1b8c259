// Delivery proven through pino's worker on the compiled transport, against the local API server and its faults:
// retries, refusals and an API server that is away (a bounded queue, shutdown and a long run with failures are in
// delivery-shutdown.test.ts). The application runs in a process of its own wherever its stderr, its exit or a
// signal matters.
import t from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'
import { runApp } from './helpers/transport.js'
import { diagnosticLines, startApp, waitFor } from './helpers/app-process.js'
import { eventQueries, eventsPath, parseSummary, podIn, UNTHROTTLED } from './helpers/delivery.js'

let server: LocalApiServer
let kubeconfig: string
let scratch: string

t.before(async () => {
  server = await startApiServer()
  kubeconfig = server.kubeconfig()
  scratch = mkdtempSync(join(tmpdir(), 'pino-k8s-events-delivery-'))
})
t.teardown(async () => {
  await server.close()
  rmSync(scratch, { recursive: true, force: true })
})
t.beforeEach(() => server.faults.clear())

const { requestsTo, totalCount, countsByReason } = eventQueries(() => server)

t.test('retries through the worker', async t => {
  t.test('429 with Retry-After: the retry waits for it, and the count is exact', async t => {
    await server.createNamespace('too-many')
    server.faults.add({ method: 'POST', path: eventsPath('too-many'), action: { status: 429, retryAfter: 2 } })
    const run = await runApp({
      options: { kubeconfig, ...UNTHROTTLED },
      script: `
        const log = logger.child({ k8sObject: ${JSON.stringify(podIn('too-many'))} })
        for (let i = 0; i < 5; i++) log.warn({ reason: 'Throttled' }, 'the same warning')
        process.exit(0)
      `
    })
    t.equal(run.code, 0)
    t.same(diagnosticLines(run.stderr), [], 'a retried event is no trouble worth a line')
    const [refused, ...later] = requestsTo('too-many')
    t.equal(refused.status, 429)
    t.ok(later.length > 0, 'it was sent again')
    t.ok(later[0].time - refused.time >= 2000 - 20, `the next request came ${later[0].time - refused.time} ms later, after Retry-After: 2`)
    t.same(countsByReason('too-many'), { Throttled: 5 })
  })

  t.test('500, 503 and dropped connections: every event arrives with its exact count', async t => {
    await server.createNamespace('flaky')
    const path = eventsPath('flaky')
    server.faults.add({ path, times: 3, action: { status: 500 } })
    server.faults.add({ path, times: 3, action: { status: 503 } })
    server.faults.add({ path, times: 3, action: { drop: true } })
    const app = startApp({
      options: { kubeconfig, ...UNTHROTTLED, rateLimit: false },
      script: `
        const log = logger.child({ k8sObject: ${JSON.stringify(podIn('flaky'))} })
        for (let round = 0; round < 7; round++) {
          for (let i = 0; i < 10; i++) log.warn({ reason: 'Failing' + i }, 'warning number ' + i)
        }
        await flushed()
        report('stats', await settledStats())
        process.exit(0)
      `
    })
    const stats = await app.report('stats')
    const run = await app.ended
    t.equal(run.code, 0)
    const statuses = requestsTo('flaky').map(request => request.status)
    t.equal(statuses.filter(status => status === 500).length, 3)
    t.equal(statuses.filter(status => status === 503).length, 3)
    t.equal(statuses.filter(status => status === 0).length, 3, 'three connections were dropped unanswered')
    t.equal(server.listEvents('flaky').length, 10)
    t.same(countsByReason('flaky'), Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`Failing${i}`, 7])))
    t.ok(stats.retried >= 9, `${stats.retried} retries counted`)
    t.same(Object.values(stats.dropped).filter(count => count !== 0), [], 'nothing dropped')
    t.same(diagnosticLines(run.stderr), [])
  })

  t.test('an event that keeps failing never holds up the others', async t => {
    await server.createNamespace('stuck')
    await server.createNamespace('free')
    server.faults.add({ path: eventsPath('stuck'), times: Infinity, action: { status: 503 } })
    const app = startApp({
      // Two request slots for five failing events: retries must wait outside the slots.
      options: { kubeconfig, ...UNTHROTTLED, rateLimit: false, concurrency: 2 },
      script: `
        const stuck = logger.child({ k8sObject: ${JSON.stringify(podIn('stuck'))} })
        const free = logger.child({ k8sObject: ${JSON.stringify(podIn('free'))} })
        for (let i = 0; i < 5; i++) stuck.warn({ reason: 'Stuck' + i }, 'cannot be written yet')
        for (let i = 0; i < 20; i++) free.warn({ reason: 'Free' + i }, 'written at once')
        await command()
        await flushed()
        process.exit(0)
      `
    })
    const flowed = await waitFor(() => server.listEvents('free').length === 20, 60_000)
    t.ok(flowed, 'the other events were written while the failing ones were retried')
    t.equal(server.listEvents('stuck').length, 0)
    t.ok(requestsTo('stuck').length >= 5, 'the failing events were tried')
    server.faults.clear()
    app.send('finish')
    const run = await app.ended
    t.equal(run.code, 0)
    t.equal(server.listEvents('stuck').length, 5, 'once the server accepts them, the retried events arrive too')
    t.equal(totalCount('stuck'), 5)
    t.same(diagnosticLines(run.stderr), [])
  })
})

t.test('refusals: no retry, one clear message', async t => {
  t.test('400, 422, a missing namespace and 409: dropped, each cause told once, quoting the server', async t => {
    await server.createNamespace('bad-request')
    await server.createNamespace('invalid')
    await server.createNamespace('conflict')
    await server.createNamespace('accepted')
    const status = (code: number, reason: string, message: string): object =>
      ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code })
    server.faults.add({ method: 'POST', path: eventsPath('bad-request'), times: Infinity, action: { status: 400, body: status(400, 'BadRequest', 'marker-400: the body could not be decoded') } })
    server.faults.add({ method: 'POST', path: eventsPath('invalid'), times: Infinity, action: { status: 422, body: status(422, 'Invalid', 'Event "x" is invalid: marker-422: reason: Invalid value') } })
    server.faults.add({ method: 'POST', path: eventsPath('conflict'), times: Infinity, action: { status: 409, body: status(409, 'Conflict', 'marker-409: Operation cannot be fulfilled') } })
    const run = await startApp({
      options: { kubeconfig, ...UNTHROTTLED, rateLimit: false },
      script: `
        for (const namespace of ['bad-request', 'invalid', 'never-created', 'conflict', 'accepted']) {
          const log = logger.child({ k8sObject: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace } } })
          for (let i = 0; i < 5; i++) log.warn({ reason: 'Refused' + i }, 'a warning')
        }
        await flushed()
        process.exit(0)
      `
    }).ended
    t.equal(run.code, 0)
    t.equal(server.listEvents('accepted').length, 5, 'events elsewhere are written')
    for (const namespace of ['bad-request', 'invalid', 'never-created']) {
      t.equal(requestsTo(namespace).length, 5, `${namespace}: one request per event, none retried`)
    }
    t.equal(requestsTo('conflict').length, 5, '409 other than AlreadyExists: one request per event, none retried')
    const lines = diagnosticLines(run.stderr)
    t.equal(lines.filter(line => line.includes('marker-400')).length, 1, '400 told once, quoting the server')
    t.equal(lines.filter(line => line.includes('marker-422')).length, 1, '422 told once, quoting the server')
    t.equal(lines.filter(line => line.includes('namespaces "never-created" not found')).length, 1, '404 told once, quoting the server')
    t.equal(lines.filter(line => /conflict|409/i.test(line) && !line.startsWith('dropped ')).length, 1, '409 told once')
    t.equal(lines.filter(line => line.includes('marker-409')).length, 1, '409 told once, quoting the server')
    t.same(parseSummary(lines), { total: 20, invalid: 10, 'not-found': 5, conflict: 5 })
  })

  t.test('403 from RBAC: one line naming the rule and the ClusterRole snippet for 50 events', async t => {
    await server.createNamespace('no-rights')
    const run = await startApp({
      options: { kubeconfig: server.kubeconfig({ user: 'nobody' }), ...UNTHROTTLED, rateLimit: false },
      script: `
        const log = logger.child({ k8sObject: ${JSON.stringify(podIn('no-rights'))} })
        for (let i = 0; i < 50; i++) log.warn({ reason: 'Denied' + i }, 'a warning')
        await flushed()
        process.exit(0)
      `
    }).ended
    t.equal(run.code, 0)
    t.equal(server.listEvents('no-rights').length, 0)
    const refused = requestsTo('no-rights')
    t.ok(refused.length > 0 && refused.length <= 50, `${refused.length} requests for 50 events: none retried`)
    t.ok(refused.every(request => request.status === 403 && request.user === 'nobody'))
    const lines = diagnosticLines(run.stderr)
    const rbac = lines.filter(line => line.includes('not allowed'))
    t.equal(rbac.length, 1, 'one line, not one per event')
    t.match(rbac[0], /not allowed to create events in namespace "no-rights"/)
    t.match(rbac[0], /User "nobody" cannot create resource "events"/, 'the server\'s message is quoted')
    t.match(rbac[0], /ClusterRole/)
    t.match(rbac[0], /resources: \["events"\], verbs: \["create", "patch", "get"\]/, 'the rule to grant')
    t.same(parseSummary(lines), { total: 50, forbidden: 50 })
    t.equal(lines.length, 2, 'nothing else')
  })

  t.test('a terminating namespace: dropped quietly', async t => {
    await server.createNamespace('doomed')
    await server.deleteNamespace('doomed')
    await server.createNamespace('alive')
    const run = await startApp({
      options: { kubeconfig, ...UNTHROTTLED, rateLimit: false },
      script: `
        const doomed = logger.child({ k8sObject: ${JSON.stringify(podIn('doomed'))} })
        const alive = logger.child({ k8sObject: ${JSON.stringify(podIn('alive'))} })
        for (let i = 0; i < 10; i++) doomed.warn({ reason: 'Leaving' + i }, 'a warning')
        alive.warn({ reason: 'Staying' }, 'a warning')
        await flushed()
        process.exit(0)
      `
    }).ended
    t.equal(run.code, 0)
    t.equal(server.listEvents('doomed').length, 0)
    t.equal(requestsTo('doomed').length, 10, 'no retries')
    t.ok(requestsTo('doomed').every(request => request.status === 403))
    t.equal(server.listEvents('alive').length, 1)
    const lines = diagnosticLines(run.stderr)
    t.same(lines.filter(line => !line.startsWith('dropped ')), [], 'no line about it while running')
    t.same(parseSummary(lines), { total: 10, 'namespace-terminating': 10 }, 'only counted in the shutdown summary')
  })

  t.test('401 after the token rotated: the token file is read again and the event delivered', async t => {
    await server.createNamespace('rotation')
    const rules = [{ verbs: ['create', 'patch', 'get'], apiGroups: ['', 'events.k8s.io'], resources: ['events'] }]
    const oldToken = server.addUser('rotating', { token: 'rotating-token-old', rules })
    const tokenFile = join(scratch, 'token')
    writeFileSync(tokenFile, oldToken + '\n')
    const config = parse(server.kubeconfigYaml({ user: 'rotating' }))
    config.users = config.users.map((entry: any) => entry.name === 'rotating' ? { name: 'rotating', user: { tokenFile } } : entry)
    const rotatingKubeconfig = join(scratch, 'rotating.yaml')
    writeFileSync(rotatingKubeconfig, stringify(config))

    const app = startApp({
      options: { kubeconfig: rotatingKubeconfig, ...UNTHROTTLED },
      script: `
        const log = logger.child({ k8sObject: ${JSON.stringify(podIn('rotation'))} })
        log.warn({ reason: 'BeforeRotation' }, 'a warning')
        await flushed()
        report('first', true)
        await command()
        log.warn({ reason: 'AfterRotation' }, 'a warning')
        await flushed()
        process.exit(0)
      `
    })
    await app.report('first')
    t.same(countsByReason('rotation'), { BeforeRotation: 1 })
    const newToken = server.addUser('rotating', { token: 'rotating-token-new' })
    writeFileSync(tokenFile, newToken + '\n')
    server.removeToken(oldToken)
    app.send('rotated')
    const run = await app.ended
    t.equal(run.code, 0)
    t.same(countsByReason('rotation'), { BeforeRotation: 1, AfterRotation: 1 })
    const statuses = requestsTo('rotation', 'POST').map(request => [request.status, request.user ?? null])
    t.same(statuses, [[201, 'rotating'], [401, null], [201, 'rotating']], 'refused once with the old token, accepted with the new')
    t.same(diagnosticLines(run.stderr), [])
  })
})

t.test('the API server away', async t => {
  t.test('down when the application starts: events are delivered when it comes back', async t => {
    await server.createNamespace('late')
    await server.stop()
    const app = startApp({
      options: { kubeconfig, ...UNTHROTTLED, rateLimit: false, flushTimeout: 8000 },
      script: `
        const log = logger.child({ k8sObject: ${JSON.stringify(podIn('late'))} })
        for (let i = 0; i < 20; i++) log.warn({ reason: 'Early' + i }, 'logged while the API server is down')
        // The server stays away until every event has failed at least once.
        report('failed', await statsWhere(s => s.retried >= 20, 60000))
        await command()
        report('stats', await settledStats())
        process.exit(0)
      `
    })
    t.ok(await app.report('failed', 60_000), 'every event was tried and failed while the server was away')
    t.equal(server.requests.filter(request => request.path.includes('/late/')).length, 0, 'nothing got through while it was down')
    await server.start()
    app.send('started')
    const stats = await app.report('stats', 60_000)
    const run = await app.ended
    t.equal(run.code, 0)
    t.ok(stats.retried >= 20, `each event was retried while the server was away (${stats.retried} retries)`)
    t.equal(stats.posted, 20)
    t.equal(server.listEvents('late').length, 20)
    t.equal(totalCount('late'), 20)
    // The outage is told when it begins and when it ends, once each.
    const told = diagnosticLines(run.stderr)
    t.equal(told.length, 2, told.join('\n'))
    t.match(told[0], /^cannot connect to the Kubernetes API at .*: connection refused \(ECONNREFUSED\).*Events are kept and retried/)
    t.match(told[1], /^the Kubernetes API at .* answers again after /)
  })

  t.test('stopped mid-stream: nothing lost within the queue\'s bound', async t => {
    await server.createNamespace('outage')
    const app = startApp({
      options: { kubeconfig, ...UNTHROTTLED, rateLimit: false, flushTimeout: 8000 },
      script: `
        const log = logger.child({ k8sObject: ${JSON.stringify(podIn('outage'))} })
        let ticks = 0
        let logging = true
        const steps = (async () => {
          await command()
          // The server is away: it stays away until many lines were logged and writes failed meanwhile.
          const stoppedAt = { ticks, retried: stats?.retried ?? 0 }
          await statsWhere(s => s.retried > stoppedAt.retried + 10 && ticks > stoppedAt.ticks + 100, 60000)
          report('outage', { ticksDuring: ticks - stoppedAt.ticks })
          await command()
          // Back: events flow again before the logging stops.
          const postedAtRestart = stats.posted
          await statsWhere(s => s.posted > postedAtRestart + 10, 60000)
          logging = false
        })()
        while (logging) {
          log.info({ reason: 'Tick' + ticks }, 'a distinct event')
          log.warn({ reason: 'Heartbeat' }, 'the same warning again')
          ticks++
          await new Promise(resolve => setTimeout(resolve, 10))
        }
        await steps
        await flushed()
        report('ticks', ticks)
        process.exit(0)
      `
    })
    t.ok(await waitFor(() => server.listEvents('outage').length >= 20, 60_000), 'events are flowing')
    await server.stop()
    app.send('stopped')
    const { ticksDuring } = await app.report('outage', 60_000)
    t.ok(ticksDuring > 100, `${ticksDuring} ticks logged while the server was away, with failed writes`)
    await server.start()
    app.send('started')
    const ticks: number = await app.report('ticks', 60_000)
    const run = await app.ended
    t.equal(run.code, 0)
    const counts = countsByReason('outage')
    t.equal(counts.Heartbeat, ticks, 'the repeated warning counts every line')
    t.equal(server.listEvents('outage').filter(event => event.reason.startsWith('Tick')).length, ticks, 'every distinct event is there')
    t.equal(totalCount('outage'), 2 * ticks)
    // The outage is told when it begins and when it ends, once each.
    const told = diagnosticLines(run.stderr)
    t.equal(told.length, 2, told.join('\n'))
    t.match(told[0], /^cannot connect to the Kubernetes API at .*: connection refused \(ECONNREFUSED\).*Events are kept and retried/)
    t.match(told[1], /^the Kubernetes API at .* answers again after /)
  })
})
