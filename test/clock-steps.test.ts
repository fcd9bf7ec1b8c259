// The wall clock steps (an NTP step, a VM resume) while events wait: for a retry, for their object's rate-limit
// token, or for a flush. The step is real inside pino's worker thread (Date.now() and `new Date()` move; timers and
// performance.now() do not, as with a real step), on the compiled transport, against the local API server and its
// fault injection. Every case ends exact: the retry comes when it was due, nothing is dropped, counts are right.
import t, { type Test } from 'tap'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'
import { startLogger, type RunningLogger } from './helpers/transport.js'
import { controlWallClock, type WallClockControl } from './helpers/wall-clock.js'
import { waitFor } from './helpers/wait.js'
import { eventQueries, eventsPath, podIn, UNTHROTTLED } from './helpers/delivery.js'

const TEN_MINUTES = 10 * 60_000
/** Far beyond a prompt retry (seconds), far short of the step (ten minutes). */
const PROMPTLY_MS = 30_000

let server: LocalApiServer
let kubeconfig: string

t.before(async () => {
  server = await startApiServer()
  kubeconfig = server.kubeconfig()
})
t.teardown(async () => { await server.close() })
t.beforeEach(() => server.faults.clear())

const { requestsTo, countsByReason } = eventQueries(() => server)

interface SteppedLogger { running: RunningLogger, clock: WallClockControl }

async function startSteppedLogger (t: Test, options: Record<string, unknown>): Promise<SteppedLogger> {
  const clock = controlWallClock()
  const running = await startLogger({ kubeconfig, ...UNTHROTTLED, ...options }, { worker: { execArgv: clock.execArgv } })
  await clock.ready()
  t.teardown(async () => {
    await running.close()
    clock.close()
  })
  return { running, clock }
}

type StatsPayload = { eventsObserved: number, retried: number, dropped: Record<string, number> }

function latestStats (running: RunningLogger): StatsPayload | undefined {
  return running.emitted.k8sEventsStats.at(-1) as StatsPayload | undefined
}

/** waits until the worker's stats (sent each second) show `condition` */
async function statsShow (running: RunningLogger, condition: (stats: StatsPayload) => boolean): Promise<boolean> {
  return await waitFor(() => {
    const stats = latestStats(running)
    return stats !== undefined && condition(stats)
  })
}

function droppedCauses (running: RunningLogger): Record<string, number> {
  return Object.fromEntries(Object.entries(latestStats(running)?.dropped ?? {}).filter(([, count]) => count > 0))
}

function warnAbout (running: RunningLogger, namespace: string, reason: string, times: number, name = 'worker'): void {
  const log = running.logger.child({ k8sObject: podIn(namespace, name) })
  for (let i = 0; i < times; i++) log.warn({ reason }, `the same warning about ${name}`)
}

for (const [direction, stepMs] of [['back', -TEN_MINUTES], ['forward', TEN_MINUTES]] as const) {
  t.test(`a retry after 503 with the wall clock stepping ${direction} ten minutes`, async t => {
    const namespace = `retry-${direction}`
    await server.createNamespace(namespace)
    // Two refusals: a step forward between them makes the retry look older than maxRetryAge on the wall clock.
    server.faults.add({ method: 'POST', path: eventsPath(namespace), times: 2, action: { status: 503, retryAfter: 2 } })
    const { running, clock } = await startSteppedLogger(t, { rateLimit: false })
    warnAbout(running, namespace, 'Refused', 5)
    t.ok(await statsShow(running, stats => stats.retried >= 1), 'the first 503 was answered and a retry planned')
    clock.step(stepMs)
    const stored = await waitFor(() => countsByReason(namespace).Refused === 5, PROMPTLY_MS)
    t.ok(stored, `the retries came as planned, not ${direction === 'back' ? 'ten minutes late' : 'given up as too old'}`)
    const [first, second, third] = requestsTo(namespace, 'POST')
    t.equal(first?.status, 503)
    t.equal(second?.status, 503)
    t.equal(third?.status, 201)
    t.ok(third.time - first.time < PROMPTLY_MS, `written ${third.time - first.time} ms after the first refusal`)
    warnAbout(running, namespace, 'Refused', 3)
    await running.flush()
    t.same(countsByReason(namespace), { Refused: 8 }, 'every occurrence counted once')
    t.same(droppedCauses(running), {}, 'nothing dropped')
    const [event] = server.listEvents(namespace)
    const lastTime = Date.parse(event.lastTimestamp as string)
    t.ok(Math.abs(Date.now() - lastTime) < PROMPTLY_MS, `lastTimestamp ${event.lastTimestamp as string} is the lines' own time, not the stepped clock`)
  })
}

t.test('a write held by its object\'s rate limit, the wall clock stepping back ten minutes', async t => {
  const namespace = 'held-back'
  await server.createNamespace(namespace)
  // One write, then a token every 5 s.
  const { running, clock } = await startSteppedLogger(t, { rateLimit: { burst: 1, qps: 0.2 } })
  warnAbout(running, namespace, 'Held', 1)
  t.ok(await waitFor(() => countsByReason(namespace).Held === 1), 'the first write took the only token')
  warnAbout(running, namespace, 'Held', 4)
  t.ok(await statsShow(running, stats => stats.eventsObserved >= 5), 'the next four wait for a token')
  clock.step(-TEN_MINUTES)
  t.ok(await waitFor(() => countsByReason(namespace).Held === 5, PROMPTLY_MS), 'written when the token came, not ten minutes later')
  await running.flush()
  t.same(countsByReason(namespace), { Held: 5 })
  t.same(droppedCauses(running), {}, 'nothing dropped')
})

t.test('the wall clock stepping forward ten minutes fills no rate-limit bucket', async t => {
  const namespace = 'held-forward'
  await server.createNamespace(namespace)
  // Three writes, then a token a minute: nothing real refills the bucket during the test.
  const { running, clock } = await startSteppedLogger(t, { rateLimit: { burst: 3, qps: 1 / 60 } })
  for (let written = 1; written <= 3; written++) {
    warnAbout(running, namespace, 'Held', 1)
    t.ok(await waitFor(() => countsByReason(namespace).Held === written), `write ${written} took a token`)
  }
  clock.step(TEN_MINUTES)
  // The other object has a bucket of its own: once its Event is written, the held one was considered in the same turn.
  warnAbout(running, namespace, 'Held', 2)
  warnAbout(running, namespace, 'Other', 1, 'other')
  t.ok(await waitFor(() => countsByReason(namespace).Other === 1), 'the other object\'s Event was written')
  t.equal(countsByReason(namespace).Held, 3, 'the held occurrences still wait for a token: the step gave none')
  await running.flush()
  t.same(countsByReason(namespace), { Held: 5, Other: 1 }, 'the flush wrote them, counts exact')
  t.equal(requestsTo(namespace).filter(request => request.method === 'PATCH').length, 3, 'one write per token, and one for the flush')
  t.same(droppedCauses(running), {}, 'nothing dropped')
})

for (const [direction, stepMs] of [['back', -TEN_MINUTES], ['forward', TEN_MINUTES]] as const) {
  t.test(`a flush waiting on a retry, the wall clock stepping ${direction} ten minutes`, async t => {
    const namespace = `flush-${direction}`
    await server.createNamespace(namespace)
    server.faults.add({ method: 'POST', path: eventsPath(namespace), times: 2, action: { status: 503, retryAfter: 2 } })
    const { running, clock } = await startSteppedLogger(t, { rateLimit: false, flushTimeout: 8000 })
    warnAbout(running, namespace, 'Flushed', 7)
    t.ok(await statsShow(running, stats => stats.retried >= 1), 'the first 503 was answered and a retry planned')
    const flushing = running.flush()
    clock.step(stepMs)
    await flushing
    t.same(countsByReason(namespace), { Flushed: 7 }, 'the flush ended with the Event written')
    t.equal(requestsTo(namespace, 'POST').length, 3, 'two refusals, one write')
    t.same(droppedCauses(running), {}, 'nothing dropped')
  })
}
