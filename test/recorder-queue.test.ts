// What takes room in the pending queue and what a clean exit owes: over real HTTP, records throttled by their
// object's rate limit leave room for new events, flush and close write everything whatever the rate limits say,
// and what close cannot confirm is told apart from what it never sent.
import t from 'tap'
import type { LocalApiServer } from './apiserver/server.js'
import { dropped, eventsIn as storedEvents, makeRecorder, resetApiServer, shape, startApiServerWith, yieldToIo } from './helpers/recorder.js'

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

let server: LocalApiServer
t.before(async () => { server = await startApiServerWith(['lab']) })
t.teardown(async () => await server.close())
t.beforeEach(() => { resetApiServer(server) })

const eventsIn = (namespace: string, reason: string): any[] => storedEvents(server, namespace, reason)

async function untilRequests (count: number, withinMs = 60_000): Promise<void> {
  const started = Date.now()
  while (server.requests.length < count && Date.now() - started < withinMs) await sleep(10)
}

t.test('records waiting for their object\'s token take no room in the queue: a healthy API drops nothing', async t => {
  // The default per-object limit (burst 25, then one token per 300 s) throttles 5 of each object's 30 Events.
  const { recorder, lines } = makeRecorder(server, { delivery: { queueSize: 50 }, correlation: { rateLimit: { burst: 25, qps: 1 / 300 } } })
  for (let object = 0; object < 12; object++) {
    for (let reason = 0; reason < 30; reason++) recorder.record(shape({ reason: `Step${reason}` }, { name: `pod-${object}` }))
    await untilRequests(25 * (object + 1))
  }
  await sleep(50)
  t.equal(server.requests.length, 12 * 25, 'each object\'s burst went out, the rest wait for tokens')
  t.same(dropped(recorder), {}, '60 throttled Events, more than queueSize, and no new event was refused')
  t.same(lines, [])
  recorder.record(shape({ reason: 'Newcomer' }, { name: 'pod-new' }))
  await untilRequests(12 * 25 + 1)
  t.equal(eventsIn('lab', 'Newcomer').length, 1, 'a new object\'s event still goes out at once')
  await recorder.flush()
  t.equal(server.listEvents('lab').filter(event => /^Step\d+$/.test(event.reason)).length, 12 * 30, 'flush writes the throttled ones')
  t.same(dropped(recorder), {})
  await recorder.close()
})

t.test('throttled records the dedup cache forgot take room in the queue, so they stay bounded', async t => {
  const { recorder, lines } = makeRecorder(server, {
    delivery: { queueSize: 3 },
    correlation: { cacheSize: 4, rateLimit: { burst: 1, qps: 0.001 }, aggregate: false }
  })
  for (let reason = 0; reason < 12; reason++) {
    recorder.record(shape({ reason: `Forgotten${reason}` }))
    await yieldToIo()
  }
  await untilRequests(1)
  await sleep(50)
  t.equal(server.requests.length, 1, 'one token, one request; the other Events wait for a token')
  // The cache holds 4 Events; 3 of those it forgot keep their place in the queue, which is then full.
  t.same(dropped(recorder), { 'queue-full': 4 }, 'new Events find the queue full of forgotten throttled ones')
  t.match(lines.join('\n'), /the queue of events waiting to be written is full \(3\)/)
  // A forgotten one counts again and comes back into the cache, pushing out a throttled one that finds no room.
  recorder.record(shape({ reason: 'Forgotten1' }))
  t.same(dropped(recorder), { 'queue-full': 4, evicted: 1 })
  t.match(lines.join('\n'), /the event cache and the queue are both full/)
  await recorder.flush()
  const events = server.listEvents('lab').filter(event => event.reason.startsWith('Forgotten'))
  t.equal(events.length, 1 + 3 + 3, 'the first, the three queued and the three still cached')
  t.equal(events.reduce((sum, event) => sum + event.count, 0), 8)
  await recorder.close()
})

t.test('flush and close write every pending Event whatever the global rate limit says', async t => {
  const { recorder } = makeRecorder(server, { delivery: { qps: 20, burst: 100 } })
  const recorded = Date.now()
  for (let i = 0; i < 400; i++) recorder.record(shape({ reason: 'Exiting' }, { name: `pod-${i}` }))
  await untilRequests(100)
  const beforeClose = server.requests.length
  const elapsed = Date.now() - recorded
  const allowed = 100 + Math.ceil(20 * elapsed / 1000)
  t.ok(beforeClose <= allowed, `the global limit paces normal delivery (${beforeClose} requests in ${elapsed} ms, at most ${allowed})`)
  // A deadline far beyond need: the point is that the limit does not hold the writes back, not how fast they are.
  await recorder.close(60_000)
  t.equal(eventsIn('lab', 'Exiting').length, 400, 'a clean exit loses nothing')
  t.same(dropped(recorder), {})
})

t.test('close after its deadline: in-flight writes are unconfirmed, never-sent ones closed', async t => {
  const { recorder, lines } = makeRecorder(server, { delivery: { concurrency: 1 } })
  server.faults.add({ times: Infinity, action: { hang: true } })
  recorder.record(shape({ reason: 'InFlight' }))
  await yieldToIo()
  recorder.record(shape({ reason: 'InFlight' }))
  recorder.record(shape({ reason: 'NeverSent' }))
  await recorder.close(200)
  t.equal(server.requests.length, 2, 'the other Event went out when the flush began, beyond concurrency 1; both hang')
  t.same(dropped(recorder), { unconfirmed: 2, closed: 1 }, 'the hanging POSTs may land; the later occurrence of the first was never sent')
  t.match(lines.at(-1), /dropped 3 events: 2 unconfirmed \(the transport closed while they were being written; they may have landed\), 1 closed \(the transport closed before they were written\)$/)
})

t.test('a flush has up to 32 requests out, whatever concurrency says, and no more', async t => {
  const { recorder } = makeRecorder(server, { delivery: { concurrency: 2 } })
  server.faults.add({ times: Infinity, action: { hang: true } })
  for (let i = 0; i < 40; i++) recorder.record(shape({ reason: `Distinct${i}` }))
  await untilRequests(2)
  t.equal(server.requests.length, 2, 'before the flush: concurrency 2')
  const flushed = recorder.flush(60_000)
  await untilRequests(32)
  t.equal(server.requests.length, 32, 'while flushing: 32')
  await recorder.close(0)
  await flushed
  t.equal(server.requests.length, 32, 'and never more')
  t.same(dropped(recorder), { unconfirmed: 32, closed: 8 })
})
