// An API server that is away for longer than maxAttempts lasts, and clients that can never send: over real
// HTTP, network failures are bounded by maxRetryAge alone, while failures no retry can mend drop at once.
import t from 'tap'
import type { LocalApiServer } from './apiserver/server.js'
import type { ApiClient } from '../lib/types.js'
import { dropped, eventsIn as storedEvents, makeRecorder, resetApiServer, shape, startApiServerWith } from './helpers/recorder.js'

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

let server: LocalApiServer
t.before(async () => { server = await startApiServerWith(['lab', 'slow']) })
t.teardown(async () => await server.close())
t.beforeEach(() => { resetApiServer(server) })

const eventsIn = (namespace: string, reason: string): any[] => storedEvents(server, namespace, reason)

/** forwards to the real client and counts the requests, also those that never reach the server */
function counting (): { wrap: (client: ApiClient) => ApiClient, requests: () => number } {
  let requests = 0
  return {
    requests: () => requests,
    wrap: client => ({
      server: client.server,
      defaultNamespace: client.defaultNamespace,
      reloadCredentials: () => client.reloadCredentials(),
      close: () => client.close(),
      async request (req) {
        requests++
        return await client.request(req)
      }
    })
  }
}

async function until (condition: () => boolean, withinMs: number): Promise<void> {
  const started = Date.now()
  while (!condition() && Date.now() - started < withinMs) await sleep(20)
}

t.test('an outage outlasting maxAttempts loses nothing: connection failures do not use attempts up', async t => {
  const attempts = counting()
  const { recorder, lines } = makeRecorder(server, { delivery: { maxAttempts: 3, maxRetryAgeMs: 60_000 }, wrap: attempts.wrap })
  await server.stop()
  for (let i = 0; i < 3; i++) recorder.record(shape({ reason: 'Outage' }, { name: `pod-${i}` }))
  recorder.record(shape({ reason: 'Outage' }, { name: 'pod-0' }))
  await until(() => attempts.requests() >= 3 * 5, 60_000)
  t.ok(attempts.requests() >= 3 * 5, `${attempts.requests()} refused attempts, five or more per Event where maxAttempts is 3`)
  t.same(dropped(recorder), {}, 'still waiting')
  await server.start()
  await recorder.flush()
  const events = eventsIn('lab', 'Outage')
  t.equal(events.length, 3)
  t.equal(events.reduce((sum, event) => sum + event.count, 0), 4)
  t.same(dropped(recorder), {})
  t.same(lines, [])
  await recorder.close()
})

t.test('an outage is bounded by maxRetryAge: then the occurrences are dropped, counted and told once', async t => {
  const attempts = counting()
  const { recorder, lines } = makeRecorder(server, { delivery: { maxAttempts: 2, maxRetryAgeMs: 1500 }, wrap: attempts.wrap })
  await server.stop()
  try {
    const started = Date.now()
    recorder.record(shape({ reason: 'TooLong' }))
    recorder.record(shape({ reason: 'TooLong' }))
    await until(() => Object.keys(dropped(recorder)).length > 0, 60_000)
    const took = Date.now() - started
    t.same(dropped(recorder), { 'retries-exhausted': 2 })
    t.ok(attempts.requests() > 2, `${attempts.requests()} attempts, more than maxAttempts`)
    // Without maxRetryAge, refused connections would be retried for as long as the server is away.
    t.ok(took >= 500, `given up after ${took} ms, as maxRetryAge (1500 ms) drew near`)
    t.equal(lines.length, 1)
    t.match(lines[0], /gave up writing 2 event occurrence\(s\) to http:\/\/127\.0\.0\.1:\d+: \d+ attempt\(s\) failed, the last with ECONNREFUSED/)
  } finally {
    await server.start()
  }
  await recorder.close()
})

t.test('an Event whose connections keep failing never holds up the others', async t => {
  const { recorder } = makeRecorder(server, { delivery: { concurrency: 1, maxAttempts: 2, maxRetryAgeMs: 1500 } })
  server.faults.add({ path: '/api/v1/namespaces/slow/', times: Infinity, action: { drop: true } })
  recorder.record(shape({ namespace: 'slow', reason: 'Cut' }, { namespace: 'slow' }))
  for (let i = 0; i < 5; i++) recorder.record(shape({ reason: 'Moving' }, { name: `pod-${i}` }))
  await recorder.flush(60_000)
  t.equal(eventsIn('lab', 'Moving').length, 5)
  const cut = server.requests.filter(r => r.path.startsWith('/api/v1/namespaces/slow/'))
  t.ok(cut.length > 2 && cut.every(r => r.status === 0), `${cut.length} cut connections, more than maxAttempts`)
  // One request slot: had the failing Event held it through its retries, every other write would come after its last.
  const lastCut = server.requests.indexOf(cut.at(-1)!)
  const moving = server.requests.filter(r => r.path.startsWith('/api/v1/namespaces/lab/'))
  t.ok(moving.every(r => server.requests.indexOf(r) < lastCut), 'the others were written between its attempts, before it was given up')
  t.same(dropped(recorder), { 'retries-exhausted': 1 })
  await recorder.close()
})

t.test('no usable configuration: dropped at once as no-connection, one line, no retries', async t => {
  const { recorder, lines } = makeRecorder(server, { kubeconfig: '/nonexistent/pino-k8s-events/config' })
  for (let i = 0; i < 3; i++) recorder.record(shape({ reason: 'Unconfigured' }, { name: `pod-${i}` }))
  await recorder.flush()
  t.same(dropped(recorder), { 'no-connection': 3 }, 'settled by the time flush() resolves')
  t.equal(recorder.stats().retried, 0)
  // The connection tells its configuration problem when it is made; the drops do not tell it again.
  t.equal(lines.length, 1, lines.join('\n'))
  t.match(lines[0], /no events will be posted: cannot read kubeconfig \/nonexistent\/pino-k8s-events\/config/)
  await recorder.close()
})

t.test('a closed client: dropped at once as invalid, with one line naming the reason', async t => {
  const { recorder, lines, emitted } = makeRecorder(server, {
    wrap: client => {
      client.close()
      return client
    }
  })
  for (let i = 0; i < 4; i++) recorder.record(shape({ reason: 'Closed' }, { name: `pod-${i}` }))
  await recorder.flush()
  t.same(dropped(recorder), { invalid: 4 })
  t.equal(recorder.stats().retried, 0)
  t.equal(server.requests.length, 0)
  t.equal(lines.length, 1)
  t.match(lines[0], /an event about Pod lab\/pod-0 could not be sent: ECLOSED: POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/lab\/events: the client is closed/)
  t.match(emitted.find(e => e.name === 'k8sEventDropped')?.payload, { cause: 'invalid', count: 1, message: /^ECLOSED/ })
  await recorder.close()
})

t.test('each drop notice tells how many occurrences were dropped since the previous one', async t => {
  // The notices' own rate limit (10 at once, then 10 a second) runs on this monotonic clock, which moves only when
  // the test moves it: how long the 403s take on a busy machine does not change which drops get a notice.
  let monotonic = 1_000_000
  const { recorder, emitted } = makeRecorder(server, { user: 'nobody', clock: { wall: () => Date.now(), monotonic: () => monotonic } })
  for (let i = 0; i < 40; i++) recorder.record(shape({ reason: 'Denied' }, { name: `pod-${i}` }))
  await recorder.flush()
  monotonic += 1000
  recorder.record(shape({ reason: 'Denied' }, { name: 'pod-last' }))
  await recorder.flush()
  const notices = emitted.filter(e => e.name === 'k8sEventDropped').map(e => e.payload)
  t.equal(notices.length, 11, 'ten at once, then one after a second')
  t.match(notices[0], { cause: 'forbidden', count: 1, droppedSincePrevious: 1 })
  t.equal(notices.at(-1).droppedSincePrevious, 31, 'the notice after the quiet ones stands for them too')
  t.equal(notices.reduce((sum, notice) => sum + notice.droppedSincePrevious, 0), 41, 'together the notices account for every drop')
  await recorder.close()
})

t.test('once the server answers again, events waiting after network failures go at once, not after their backoff', async t => {
  // A monotonic clock of the test's own that stands still: a retry's backoff never runs out by itself, so only the
  // server's answer can send the waiting Event.
  const clock = { wall: () => Date.now(), monotonic: () => 1_000_000 }
  const attempts = counting()
  const { recorder, lines } = makeRecorder(server, { clock, wrap: attempts.wrap })
  await server.stop()
  recorder.record(shape({ reason: 'KeptThrough' }, { name: 'pod-kept' }))
  await until(() => attempts.requests() >= 1, 60_000)
  await server.start()
  recorder.record(shape({ reason: 'AfterOutage' }, { name: 'pod-after' }))
  await until(() => eventsIn('lab', 'KeptThrough').length === 1, 60_000)
  t.equal(eventsIn('lab', 'AfterOutage').length, 1)
  t.equal(eventsIn('lab', 'KeptThrough').length, 1, 'the kept Event is written as soon as an answer shows the server is back')
  t.equal(attempts.requests(), 3, 'one refused attempt, then one request each')
  t.same(dropped(recorder), {})
  t.same(lines, [])
  await recorder.close()
})
