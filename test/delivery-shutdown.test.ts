// Delivery at its limits, through pino's worker on the compiled transport against the local API server: a bounded
// queue while the API hangs, what a shutdown delivers (process.exit, logger.flush, signals), and a long run with
// failures. The application runs in a process of its own.
import t from 'tap'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'
import { runApp } from './helpers/transport.js'
import { diagnosticLines, startApp } from './helpers/app-process.js'
import { eventQueries, eventsPath, parseSummary, podIn, UNTHROTTLED } from './helpers/delivery.js'

let server: LocalApiServer
let kubeconfig: string

t.before(async () => {
  server = await startApiServer()
  kubeconfig = server.kubeconfig()
})
t.teardown(async () => await server.close())
t.beforeEach(() => server.faults.clear())

const { requestsTo, totalCount } = eventQueries(() => server)

t.test('a bounded queue while the API hangs: drops counted, memory flat, a prompt exit', async t => {
  await server.createNamespace('hanging')
  server.faults.add({ path: eventsPath('hanging'), times: Infinity, action: { hang: true } })
  // The caches fill during the first 50,000 lines; the next 200,000 must not make either thread keep more.
  const warmUp = 50_000
  const total = warmUp + 200_000
  const app = startApp({
    // The requests hang for the whole run: none times out and makes room in the queue, however long a busy machine
    // takes for the lines.
    options: { kubeconfig, ...UNTHROTTLED, queueSize: 10, flushTimeout: 1000, requestTimeout: 600_000 },
    script: `
      const log = logger.child({ k8sObject: ${JSON.stringify(podIn('hanging'))} })
      const total = ${total}
      let i = 0
      // At most about 50,000 lines a second, and never far ahead of the worker: faster, pino itself would buffer
      // the lines in this thread, whatever the transport does.
      const logSome = async (until) => {
        while (i < until) {
          for (const end = Math.min(until, i + 1000); i < end; i++) log.warn({ reason: 'Distinct' + i }, 'warning number ' + i)
          await new Promise(resolve => setTimeout(resolve, 20))
          if (i % 10000 === 0 && i > 20000) await statsWhere(s => s.linesRead >= i - 20000, 60000)
        }
        return await statsWhere(s => s.linesRead >= until, 60000)
      }
      // What both threads keep alive: a heap snapshot collects garbage first, and its nodes' sizes add up to the
      // live heap. RSS and heapTotal say how far V8 let a heap grow before collecting it, which differs by version
      // (Node 24 lets the worker's heap reach ~200 MB of mostly garbage here, Node 20 far less).
      const liveBytes = async snapshotStream => {
        let text = ''
        for await (const chunk of snapshotStream) text += chunk
        const { snapshot, nodes } = JSON.parse(text)
        const width = snapshot.meta.node_fields.length
        let sum = 0
        for (let n = snapshot.meta.node_fields.indexOf('self_size'); n < nodes.length; n += width) sum += nodes[n]
        return sum
      }
      const liveHeaps = async () => ({
        app: await liveBytes(process.getBuiltinModule('node:v8').getHeapSnapshot()),
        worker: await liveBytes(await transport.worker.getHeapSnapshot())
      })
      await logSome(${warmUp})
      const liveBefore = await liveHeaps()
      const caughtUp = await logSome(total)
      const liveAfter = await liveHeaps()
      // The notices' bucket was made after this process started: its age bounds how many it could give.
      report('flooded', { caughtUp, liveBefore, liveAfter, stats, drops, uptimeMs: process.uptime() * 1000 })
      report('exiting', Date.now())
      process.exit(0)
    `
  })
  const flooded = await app.report('flooded', 120_000)
  const exitingAt: number = await app.report('exiting')
  const run = await app.ended
  const exitMs = Date.now() - exitingAt
  t.equal(run.code, 0)
  t.ok(flooded.caughtUp, 'the worker read every line while the API hung')
  // An unbounded queue would keep every one of the 200,000 distinct events (well over 50 MB); a bounded one keeps
  // the live heaps where the warm-up left them (they moved by under 1 MB on Node 20 and 24).
  for (const thread of ['app', 'worker'] as const) {
    const growthMb = (flooded.liveAfter[thread] - flooded.liveBefore[thread]) / 2 ** 20
    t.ok(growthMb < 8, `the ${thread} thread's live heap grew by ${growthMb.toFixed(2)} MB over the last 200,000 lines (${(flooded.liveAfter[thread] / 2 ** 20).toFixed(1)} MB)`)
  }
  const { stats, drops } = flooded
  t.equal(stats.linesRead, total)
  t.equal(stats.eventsObserved, total)
  t.ok(stats.dropped['queue-full'] >= total - 10 - 8 - 1, `${stats.dropped['queue-full']} distinct events beyond the bound dropped`)
  t.ok(drops.length > 0 && drops.every((drop: any) => drop.cause === 'queue-full' && drop.count === 1), 'k8sEventDropped notices, by cause')
  const noticeBound = 10 + 10 * Math.ceil(flooded.uptimeMs / 1000)
  t.ok(drops.length <= noticeBound, `notices are rate-limited: ${drops.length}, at most 10 a second (${noticeBound} in ${flooded.uptimeMs} ms)`)
  t.ok(drops.length < stats.dropped['queue-full'] / 100, 'far fewer notices than drops')
  t.same(drops[0].event, { namespace: 'hanging', type: 'Warning', reason: drops[0].event.reason, object: 'Pod hanging/worker' })
  // Without the flush deadline of 1 s, the hanging writes would hold the exit until pino gives up at 10 s.
  t.ok(exitMs < 9000, `the process ended ${exitMs} ms after process.exit(0), held by the flush deadline, not by pino's 10 s limit`)
  const lines = diagnosticLines(run.stderr)
  // Said once, and again at most once a minute while it lasts (a busy machine can take longer than a minute here).
  const queueLines = lines.filter(line => line.includes('queue of events waiting to be written is full (10)')).length
  t.ok(queueLines >= 1 && queueLines <= 1 + Math.floor(run.ms / 60_000), `${queueLines} line(s) about the full queue in ${run.ms} ms`)
  const summary = parseSummary(lines)
  t.equal(summary?.total, total, 'the shutdown summary accounts for every event')
  t.equal(summary?.['queue-full'], stats.dropped['queue-full'])
  t.equal(server.listEvents('hanging').length, 0)
})

t.test('shutdown', async t => {
  t.test('1,000 distinct events and process.exit(0) at once: all on the server', async t => {
    await server.createNamespace('exit-at-once')
    const run = await runApp({
      options: { kubeconfig, ...UNTHROTTLED },
      script: `
        const log = logger.child({ k8sObject: ${JSON.stringify(podIn('exit-at-once'))} })
        for (let i = 0; i < 1000; i++) log.warn({ reason: 'Step' + i }, 'step ' + i)
        process.exit(0)
      `
    })
    t.equal(run.code, 0)
    t.equal(server.listEvents('exit-at-once').length, 1000)
    t.equal(totalCount('exit-at-once'), 1000)
    t.same(diagnosticLines(run.stderr), [])
  })

  t.test('logger.flush(cb) waits for pending deliveries (single target)', async t => {
    await server.createNamespace('flushing')
    server.faults.add({ method: 'POST', path: eventsPath('flushing'), times: Infinity, action: { delayMs: 300 } })
    const app = startApp({
      options: { kubeconfig, ...UNTHROTTLED, rateLimit: false },
      script: `
        const log = logger.child({ k8sObject: ${JSON.stringify(podIn('flushing'))} })
        for (let i = 0; i < 30; i++) log.warn({ reason: 'Slow' + i }, 'written slowly')
        log.warn({ reason: 'Slow0' }, 'written slowly')
        const loggedAt = Date.now()
        await flushed()
        report('flushed', { loggedAt, flushedAt: Date.now() })
        await command()
        process.exit(0)
      `
    })
    const { loggedAt, flushedAt } = await app.report('flushed')
    t.equal(server.listEvents('flushing').length, 30, 'every event is on the server when the callback has run')
    t.equal(totalCount('flushing'), 31)
    // Each create is answered 300 ms after it arrived: the callback came after the last answer.
    const lastAnswer = Math.max(...requestsTo('flushing', 'POST').map(request => request.time + 300))
    t.ok(lastAnswer - 5 <= flushedAt, `the callback came ${flushedAt - lastAnswer} ms after the last create was answered`)
    t.ok(flushedAt - loggedAt >= 300, `and ${flushedAt - loggedAt} ms after the lines were logged`)
    app.send('exit')
    const run = await app.ended
    t.equal(run.code, 0)
    t.same(diagnosticLines(run.stderr), [])
  })

  const signalled = async (namespace: string, handler: string): Promise<Awaited<ReturnType<typeof runApp>>> => {
    await server.createNamespace(namespace)
    // Deliveries are still pending when the signal comes: it comes when the first POST has arrived, whose answer
    // the server holds back.
    server.faults.add({ method: 'POST', path: eventsPath(namespace), times: Infinity, action: { delayMs: 400 } })
    return await runApp({
      options: { kubeconfig, ...UNTHROTTLED, rateLimit: false },
      signalWhen: () => requestsTo(namespace).length > 0,
      script: `
        ${handler}
        const log = logger.child({ k8sObject: ${JSON.stringify(podIn(namespace))} })
        for (let i = 0; i < 20; i++) log.warn({ reason: 'Pending' + i }, 'a warning')
        console.log('logged')
        setInterval(() => {}, 1000)
      `
    })
  }

  t.test('SIGTERM handled with logger.flush then process.exit: delivered', async t => {
    const run = await signalled('sigterm-flush', "process.on('SIGTERM', () => logger.flush(() => process.exit(0)))")
    t.equal(run.code, 0)
    t.equal(server.listEvents('sigterm-flush').length, 20)
    t.same(diagnosticLines(run.stderr), [])
  })

  t.test('SIGTERM handled with process.exit: delivered', async t => {
    const run = await signalled('sigterm-exit', "process.on('SIGTERM', () => process.exit(0))")
    t.equal(run.code, 0)
    t.equal(server.listEvents('sigterm-exit').length, 20)
    t.same(diagnosticLines(run.stderr), [])
  })

  t.test('SIGTERM without a handler: pino skips its exit flush, the transport never closes', async t => {
    await server.createNamespace('sigterm-unhandled')
    // Were the transport closed, its summary would report these as dropped.
    server.faults.add({ path: eventsPath('sigterm-unhandled'), times: Infinity, action: { hang: true } })
    const run = await runApp({
      options: { kubeconfig, ...UNTHROTTLED, flushTimeout: 500 },
      signalWhen: () => requestsTo('sigterm-unhandled').length > 0,
      script: `
        const log = logger.child({ k8sObject: ${JSON.stringify(podIn('sigterm-unhandled'))} })
        for (let i = 0; i < 20; i++) log.warn({ reason: 'Lost' + i }, 'a warning')
        console.log('logged')
        setInterval(() => {}, 1000)
      `
    })
    t.equal(run.signal, 'SIGTERM', 'the default action ended the process')
    t.equal(run.code, null)
    t.same(diagnosticLines(run.stderr), [], 'no shutdown summary: close() never ran')
  })
})

t.test('soak: 50,000 lines with 30% of requests failing, every count exact after a clean exit', async t => {
  await server.createNamespace('soak')
  const path = eventsPath('soak')
  // Four rules tried in turn, each taking this share of what reaches it: 1 - (1 - share)^4 = 0.3 fail.
  const share = 1 - Math.pow(0.7, 1 / 4)
  server.faults.add({ path, times: Infinity, share, action: { status: 429, retryAfter: 1 } })
  server.faults.add({ path, times: Infinity, share, action: { status: 500 } })
  server.faults.add({ path, times: Infinity, share, action: { status: 503 } })
  server.faults.add({ path, times: Infinity, share, action: { drop: true } })
  const objects = 500
  const repeats = 100
  const app = startApp({
    options: { kubeconfig, ...UNTHROTTLED, rateLimit: false, maxAttempts: 30, flushTimeout: 45_000 },
    script: `
      const children = []
      for (let i = 0; i < ${objects}; i++) {
        children.push(logger.child({ k8sObject: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'soak-' + i, namespace: 'soak', uid: 'uid-' + i } } }))
      }
      for (let round = 0; round < ${repeats}; round++) {
        for (const child of children) child.warn({ reason: 'Soaking' }, 'the same warning, again')
        // Spread over a second or two, so that counts keep growing while earlier writes are retried.
        await new Promise(resolve => setTimeout(resolve, 5))
      }
      await flushed()
      report('stats', await settledStats())
      process.exit(0)
    `
  })
  const stats = await app.report('stats', 90_000)
  const run = await app.ended
  t.equal(run.code, 0)
  const events = server.listEvents('soak')
  t.equal(events.length, objects, 'one Event per object')
  t.ok(events.every(event => event.count === repeats), 'each with its exact count')
  t.equal(totalCount('soak'), objects * repeats, 'the counts add up to the lines logged')
  const requests = requestsTo('soak')
  const failed = requests.filter(request => request.status !== 200 && request.status !== 201).length
  t.ok(failed / requests.length > 0.2 && failed / requests.length < 0.4, `${failed} of ${requests.length} requests failed`)
  t.equal(stats.linesRead, objects * repeats)
  t.ok(stats.retried >= failed, `${stats.retried} retries`)
  t.same(Object.values(stats.dropped).filter(count => count !== 0), [], 'nothing dropped')
  t.match(diagnosticLines(run.stderr), [/option 'flushTimeout' is 45000 ms, but pino waits at most 10000 ms/],
    'nothing on stderr but the note that a 45 s flushTimeout outlasts pino\'s exit wait')
})
