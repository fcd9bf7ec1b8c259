// The recorder's bounds over real HTTP: the pending queue, the per-object and global rate limits, flush and
// close deadlines, the forgotten-record safety valve, the stats it reports, and timers that never keep a
// process alive.
import t from 'tap'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { LocalApiServer } from './apiserver/server.js'
import { dropped, eventsIn as storedEvents, makeRecorder, resetApiServer, shape, startApiServerWith, testConfig, yieldToIo } from './helpers/recorder.js'
import { waitFor } from './helpers/wait.js'
import type { ApiClient } from '../lib/types.js'

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

let server: LocalApiServer
t.before(async () => { server = await startApiServerWith(['lab', 'slow']) })
t.teardown(async () => await server.close())
t.beforeEach(() => { resetApiServer(server) })

const eventsIn = (namespace: string, reason: string): any[] => storedEvents(server, namespace, reason)

t.test('a full queue drops NEW events (queue-full); occurrences of pending ones still count', async t => {
  const { recorder, lines } = makeRecorder(server, { delivery: { queueSize: 5, concurrency: 1 } })
  server.faults.add({ times: Infinity, action: { hang: true } })
  recorder.record(shape({ reason: 'Queued' }, { name: 'pod-0' }))
  await yieldToIo()
  for (let i = 1; i < 20; i++) recorder.record(shape({ reason: 'Queued' }, { name: `pod-${i}` }))
  for (let i = 0; i < 6; i++) recorder.record(shape({ reason: 'Queued' }, { name: `pod-${i}` }))
  t.same(dropped(recorder), { 'queue-full': 14 }, 'one in flight and five waiting; the other 14 new ones dropped')
  t.equal(lines.filter(line => line.includes('queue')).length, 1)
  t.match(lines[0], /the queue of events waiting to be written is full \(5\); new events are dropped/)
  await recorder.close(200)
  // Closing flushes first, and a flush is not held to concurrency: the five waiting records go out and hang too.
  t.same(dropped(recorder), { 'queue-full': 14, closed: 1, unconfirmed: 11 },
    'closing drops what is still unsent: 6 records with 2 occurrences each, all in hanging requests but the first one\'s second')
  t.match(lines.at(-1), /dropped 26 events: 14 queue-full \(the queue of events waiting to be written was full\), 11 unconfirmed \(the transport closed while they were being written; they may have landed\), 1 closed \(the transport closed before they were written\)$/)
})

t.test('flush honours its deadline when the server hangs, and never rejects', async t => {
  const { recorder } = makeRecorder(server)
  server.faults.add({ times: Infinity, action: { hang: true } })
  recorder.record(shape({ reason: 'Hanging' }))
  // The hanging request would end only at its own timeout (5 s), and then be retried: a flush waiting for it
  // instead of its deadline would take that long.
  const started = Date.now()
  await recorder.flush(300)
  const took = Date.now() - started
  t.ok(took >= 290 && took < 5000, `flush took ${took} ms`)
  t.same(dropped(recorder), {}, 'a flush deadline drops nothing')
  server.faults.clear()
  const closing = Date.now()
  await recorder.close(300)
  t.ok(Date.now() - closing < 5000, `close keeps its deadline too (${Date.now() - closing} ms)`)
  t.same(dropped(recorder), { unconfirmed: 1 }, 'the hanging request may have landed')
})

t.test('close: flush, final stats, client closed, and record() does nothing afterwards', async t => {
  const { recorder, emitted, closedClients, lines } = makeRecorder(server)
  recorder.record(shape({ reason: 'LastWords' }))
  await recorder.close()
  t.equal(eventsIn('lab', 'LastWords')[0].count, 1, 'written before closing')
  t.equal(closedClients(), 1)
  const statsNotices = emitted.filter(e => e.name === 'k8sEventsStats')
  t.equal(statsNotices.at(-1)?.payload.posted, 1, 'the last stats tell the final numbers')
  t.same(lines, [], 'nothing dropped, no summary')
  recorder.record(shape({ reason: 'AfterClose' }))
  await recorder.flush()
  await recorder.close()
  t.equal(eventsIn('lab', 'AfterClose').length, 0)
  t.equal(recorder.stats().eventsObserved, 1)
  t.equal(closedClients(), 1, 'closing twice closes once')
})

t.test('the global rate limit holds across all events of the process', async t => {
  // When each request left: the limit paces sending; arrival at the server may bunch on a busy machine.
  const times: number[] = []
  const sentAt = (client: ApiClient): ApiClient => ({ ...client, request: async req => { times.push(Date.now()); return await client.request(req) } })
  const { recorder } = makeRecorder(server, { delivery: { qps: 20, burst: 5 }, wrap: sentAt })
  for (let i = 0; i < 45; i++) recorder.record(shape({ reason: 'Global' }, { name: `pod-${i}` }))
  // Not flush: a flush writes everything at once, as the process is about to stop.
  t.ok(await waitFor(() => server.requests.length >= 45), 'all written')
  t.equal(times.length, 45)
  t.equal(eventsIn('lab', 'Global').length, 45)
  const span = times.at(-1)! - times[0]
  t.ok(span >= 1900, `45 requests took ${span} ms: 5 at once, then 20 per second`)
  let busiest = 0
  for (const start of times) busiest = Math.max(busiest, times.filter(time => time >= start && time < start + 1000).length)
  t.ok(busiest <= 25 + 1, `at most burst + qps in any second, give or take a token's edge (${busiest})`)
})

t.test('the per-object limit keeps throttled occurrences and writes them at flush', async t => {
  const { recorder } = makeRecorder(server, { correlation: { rateLimit: { burst: 2, qps: 0.001 } } })
  for (let i = 0; i < 5; i++) recorder.record(shape({ reason: `Step${i}` }))
  await waitFor(() => server.requests.length >= 2)
  await sleep(300)
  t.equal(server.requests.length, 2, 'the burst of 2 goes out, the others wait for a token')
  await recorder.flush()
  t.equal(server.requests.length, 5, 'flush writes the rest, bypassing the per-object bucket')
  t.same(dropped(recorder), {})
  await recorder.close()
})

t.test('throttled occurrences go out when the object gets a token again, without a flush', async t => {
  const { recorder } = makeRecorder(server, { correlation: { rateLimit: { burst: 1, qps: 5 } } })
  const started = Date.now()
  recorder.record(shape({ reason: 'Paced' }, { name: 'paced' }))
  await yieldToIo()
  for (let i = 0; i < 20; i++) recorder.record(shape({ reason: 'Paced' }, { name: 'paced' }))
  recorder.record(shape({ reason: 'PacedToo' }, { name: 'paced' }))
  t.ok(await waitFor(() => server.requests.length >= 3), 'no flush needed')
  const times = server.requests.map(r => r.time)
  t.equal(times.length, 3, 'POST, then the coalesced PATCH and the other reason one token each')
  t.ok(times[1] - started >= 190 && times[2] - started >= 390, `one token per 200 ms: sent after ${times.map(time => time - started).join(', ')} ms`)
  t.equal(eventsIn('lab', 'Paced')[0].count, 21)
  await recorder.close()
})

t.test('retries do not take tokens from the object\'s bucket: an Event failing through an outage leaves its burst to later Events', async t => {
  const { recorder } = makeRecorder(server, { correlation: { rateLimit: { burst: 3, qps: 0.001 } } })
  server.faults.add({ method: 'POST', times: 4, action: { status: 503 } })
  recorder.record(shape({ reason: 'ThroughOutage' }, { name: 'bucketed' }))
  t.ok(await waitFor(() => eventsIn('lab', 'ThroughOutage').length === 1, 20_000), 'written after four failures, no flush needed')
  recorder.record(shape({ reason: 'Later1' }, { name: 'bucketed' }))
  recorder.record(shape({ reason: 'Later2' }, { name: 'bucketed' }))
  // A token comes every 1,000 s: had the retries paid, these two would wait for it.
  t.ok(await waitFor(() => eventsIn('lab', 'Later1').length + eventsIn('lab', 'Later2').length === 2, 20_000),
    'the two later Events of the object go out at once: the burst of 3 paid for three Events, not for retries')
  t.same(server.requests.map(r => `${r.method} ${r.status}`), ['POST 503', 'POST 503', 'POST 503', 'POST 503', 'POST 201', 'POST 201', 'POST 201'])
  t.equal(recorder.stats().retried, 4)
  t.same(dropped(recorder), {})
  await recorder.close()
})

t.test('the requests after a lost race (409, read, write) take no token either: only new occurrences pay', async t => {
  const other = makeRecorder(server, { instance: 'replica-b' })
  other.recorder.record(shape({ reason: 'Raced' }, { name: 'raced' }))
  await other.recorder.flush()
  const { recorder } = makeRecorder(server, { instance: 'replica-a', correlation: { rateLimit: { burst: 2, qps: 0.001 } } })
  server.clearRequests()
  recorder.record(shape({ reason: 'Raced' }, { name: 'raced' }))
  t.ok(await waitFor(() => eventsIn('lab', 'Raced')[0]?.count === 2, 20_000), 'the other replica\'s Event counts ours, no flush needed')
  recorder.record(shape({ reason: 'NotRaced' }, { name: 'raced' }))
  t.ok(await waitFor(() => eventsIn('lab', 'NotRaced').length === 1, 20_000), 'the object\'s second token is still there for a new Event')
  t.same(server.requests.map(r => `${r.method} ${r.status}`), ['POST 409', 'GET 200', 'PATCH 200', 'POST 201'])
  t.same(dropped(recorder), {})
  await Promise.all([recorder.close(), other.recorder.close()])
})

t.test('a forgotten record whose counts cannot be queued is dropped as evicted, not silently', async t => {
  const { recorder, lines } = makeRecorder(server, { correlation: { cacheSize: 3 }, delivery: { queueSize: 1, concurrency: 2 } })
  server.faults.add({ path: '/api/v1/namespaces/slow/', times: Infinity, action: { hang: true } })
  const x = shape({ reason: 'Evictable' }, { name: 'x' })
  const p = shape({ namespace: 'slow', reason: 'Stuck' }, { namespace: 'slow', name: 'p' })
  const q = shape({ namespace: 'slow', reason: 'Stuck' }, { namespace: 'slow', name: 'q' })
  const r = shape({ namespace: 'slow', reason: 'Stuck' }, { namespace: 'slow', name: 'r' })
  recorder.record(x)
  await recorder.flush()
  recorder.record(p)
  await yieldToIo()
  // x is written again while p hangs in flight, so p becomes the least recently used record.
  recorder.record(x)
  await recorder.flush(200)
  recorder.record(q)
  await yieldToIo()
  // q hangs in flight too; r waits in the queue (now full) and pushes p, still in flight, out of the cache.
  recorder.record(r)
  // x has a new occurrence but no room in the queue: it waits in the cache...
  recorder.record(x)
  recorder.record(q)
  recorder.record(r)
  // ...until p counts again and comes back into the cache, pushing x out.
  recorder.record(p)
  t.same(dropped(recorder), { evicted: 1 })
  t.match(lines.join('\n'), /the event cache and the queue are both full/)
  await recorder.close(100)
})

t.test('stats are emitted at most once per second while they change, and at close', async t => {
  const { recorder, emitted } = makeRecorder(server)
  const started = Date.now()
  while (Date.now() - started < 2500) {
    recorder.record(shape({ reason: 'Ticking' }))
    await sleep(50)
  }
  const elapsed = Date.now() - started
  const during = emitted.filter(e => e.name === 'k8sEventsStats')
  t.ok(during.length >= 1 && during.length <= Math.ceil(elapsed / 1000), `${during.length} stats notices in ${elapsed} ms`)
  await recorder.close()
  const all = emitted.filter(e => e.name === 'k8sEventsStats')
  t.equal(all.length, during.length + 1, 'one more at close')
  t.match(all.at(-1)?.payload, { eventsObserved: Number, posted: 1, patched: Number, dropped: { 'queue-full': 0 } })
  t.equal(all.at(-1)?.payload.eventsObserved, recorder.stats().eventsObserved)
})

t.test('timers never keep the process alive: a recorder still retrying lets node exit', async t => {
  const recorderJs = fileURLToPath(new URL('../dist/lib/recorder.js', import.meta.url))
  if (!existsSync(recorderJs)) {
    t.pass('skipped: build first (npx tsc -p tsconfig.build.json), the child process runs the compiled recorder', { skip: true })
    return
  }
  // Port 9 (discard) refuses connections: every request fails and is retried with backoff timers.
  const script = `
    import { createRecorder } from ${JSON.stringify(recorderJs)}
    const config = ${JSON.stringify(testConfig({ delivery: { maxAttempts: 1000, maxRetryAgeMs: 600000 } }))}
    const client = { server: 'http://127.0.0.1:9', request: async () => ({ kind: 'network', code: 'ECONNREFUSED', message: 'refused' }), reloadCredentials () {}, close () {} }
    const recorder = createRecorder({ config, source: { component: 'c', instance: 'i' }, client, diagnostics: { warn () {}, emit () {} } })
    recorder.record(${JSON.stringify(shape())})
    setTimeout(() => { console.log('retried', recorder.stats().retried) }, 500)
  `
  const started = Date.now()
  const output = await new Promise<string>((resolve, reject) => {
    // Kept alive by its retry timers, it would run for maxRetryAge (600 s) and be killed here first.
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 60_000 }, (err, stdout) => err ? reject(err) : resolve(stdout))
  })
  t.match(output, /retried [1-9]/, 'it was retrying')
  t.comment(`exited after ${Date.now() - started} ms`)
})
