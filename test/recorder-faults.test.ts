// The recorder over real HTTP when the API server fails, refuses or is away: what is retried, what is
// dropped with which cause, and which single line an operator gets on stderr.
import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LocalApiServer } from './apiserver/server.js'
import { waitFor } from './helpers/wait.js'
import { dropped, eventsIn as storedEvents, makeRecorder as makeRecorderWith, resetApiServer, shape, startApiServerWith, type RecorderHarness, type RecorderOptions } from './helpers/recorder.js'

/** every recorder in this file gives a request 2 s rather than 5 s */
function makeRecorder (server: LocalApiServer, opts: RecorderOptions = {}): RecorderHarness {
  return makeRecorderWith(server, { ...opts, delivery: { requestTimeoutMs: 2000, ...opts.delivery } })
}

let server: LocalApiServer
t.before(async () => { server = await startApiServerWith(['lab', 'slow']) })
t.teardown(async () => await server.close())
t.beforeEach(() => { resetApiServer(server) })

const eventsIn = (namespace: string, reason: string): any[] => storedEvents(server, namespace, reason)

t.test('429 with Retry-After: the retry waits at least that long, then the event is written', async t => {
  const { recorder } = makeRecorder(server)
  server.faults.add({ method: 'POST', action: { status: 429, retryAfter: 1 } })
  recorder.record(shape({ reason: 'Throttled' }))
  await recorder.flush()
  const posts = server.requests.filter(r => r.method === 'POST')
  t.same(posts.map(r => r.status), [429, 201])
  t.ok(posts[1].time - posts[0].time >= 950, `retried after ${posts[1].time - posts[0].time} ms`)
  t.equal(eventsIn('lab', 'Throttled')[0].count, 1)
  t.equal(recorder.stats().retried, 1)
  await recorder.close()
})

t.test('500, 503 and a dropped connection are retried with backoff; the count stays exact', async t => {
  const { recorder, lines } = makeRecorder(server)
  server.faults.add({ method: 'POST', action: { status: 500 } })
  server.faults.add({ method: 'POST', action: { status: 503 } })
  server.faults.add({ method: 'POST', action: { drop: true } })
  for (let i = 0; i < 3; i++) recorder.record(shape({ reason: 'Flaky' }))
  await recorder.flush()
  t.same(server.requests.filter(r => r.method === 'POST').map(r => r.status), [500, 503, 0, 201], 'the dropped connection has no status')
  t.equal(eventsIn('lab', 'Flaky')[0].count, 3)
  t.equal(recorder.stats().retried, 3)
  t.same(dropped(recorder), {})
  t.same(lines, [], 'a retry that succeeds is not worth a line')
  await recorder.close()
})

t.test('retries are bounded: after maxAttempts the occurrences are dropped, counted and told once', async t => {
  const { recorder, lines, emitted } = makeRecorder(server, { delivery: { maxAttempts: 3 } })
  server.faults.add({ method: 'POST', times: Infinity, action: { status: 503 } })
  for (let i = 0; i < 4; i++) recorder.record(shape({ reason: 'Unlucky' }))
  await recorder.flush()
  t.equal(server.requests.filter(r => r.method === 'POST').length, 3)
  t.same(dropped(recorder), { 'retries-exhausted': 4 })
  t.equal(lines.length, 1)
  t.match(lines[0], /gave up writing 4 event occurrence\(s\) to http:\/\/127\.0\.0\.1:\d+: 3 attempt\(s\) failed, the last with 503/)
  const notice = emitted.find(e => e.name === 'k8sEventDropped')
  t.match(notice?.payload, { cause: 'retries-exhausted', count: 4, event: { namespace: 'lab', type: 'Warning', reason: 'Unlucky', object: 'Pod lab/demo-pod' } })
  await recorder.close()
})

t.test('one failing event never holds up the others', async t => {
  const { recorder } = makeRecorder(server, { delivery: { concurrency: 1, maxAttempts: 4 } })
  server.faults.add({ path: '/api/v1/namespaces/slow/', times: Infinity, action: { status: 503 } })
  const started = Date.now()
  recorder.record(shape({ namespace: 'slow', reason: 'Stuck' }, { namespace: 'slow' }))
  for (let i = 0; i < 5; i++) recorder.record(shape({ reason: 'Moving' }, { name: `pod-${i}` }))
  await recorder.flush()
  const moving = server.requests.filter(r => r.path.startsWith('/api/v1/namespaces/lab/') && r.status === 201)
  t.equal(moving.length, 5)
  t.ok(moving.every(r => r.time - started < 500), 'written while the failing one waits for its retries')
  t.same(dropped(recorder), { 'retries-exhausted': 1 })
  await recorder.close()
})

t.test('403 RBAC: dropped as forbidden, one line naming the missing rule, not one per event', async t => {
  const { recorder, lines, emitted } = makeRecorder(server, { user: 'nobody' })
  const started = Date.now()
  for (let i = 0; i < 30; i++) recorder.record(shape({ reason: 'Denied' }, { name: `pod-${i}` }))
  await recorder.flush()
  // Notices are a token bucket of 10, refilled at 10 per second.
  const noticeBound = 10 + Math.ceil((Date.now() - started) / 100)
  t.same(dropped(recorder), { forbidden: 30 })
  t.equal(lines.length, 1)
  t.match(lines[0], /not allowed to create events in namespace "lab" \(403 Forbidden\): events is forbidden: User "nobody" cannot create resource "events" in API group "" in the namespace "lab"/)
  t.match(lines[0], /apiGroups: \["", "events\.k8s\.io"\], resources: \["events"\], verbs: \["create", "patch", "get"\]/)
  const notices = emitted.filter(e => e.name === 'k8sEventDropped')
  t.ok(notices.length >= 1 && notices.length <= Math.min(noticeBound, 29), `${notices.length} notices, throttled (at most ${noticeBound})`)
  t.match(notices[0].payload, { cause: 'forbidden', count: 1, status: 403, message: /cannot create/, event: { object: 'Pod lab/pod-0' } })
  await recorder.close()
})

t.test('a user who may create but not patch: the update is forbidden and the line names "patch"', async t => {
  const { recorder, lines } = makeRecorder(server, { user: 'creator' })
  recorder.record(shape({ reason: 'HalfAllowed' }))
  await recorder.flush()
  recorder.record(shape({ reason: 'HalfAllowed' }))
  await recorder.flush()
  t.equal(eventsIn('lab', 'HalfAllowed')[0].count, 1)
  t.same(dropped(recorder), { forbidden: 1 })
  t.match(lines.join('\n'), /not allowed to patch events .*cannot patch resource "events"/)
  await recorder.close()
})

t.test('403 NamespaceTerminating: dropped quietly', async t => {
  await server.createNamespace('doomed')
  await server.deleteNamespace('doomed')
  const { recorder, lines } = makeRecorder(server)
  for (let i = 0; i < 3; i++) recorder.record(shape({ namespace: 'doomed', reason: 'TooLate' }, { namespace: 'doomed', name: `pod-${i}` }))
  await recorder.flush()
  t.same(server.requests.map(r => r.status), [403, 403, 403])
  t.same(dropped(recorder), { 'namespace-terminating': 3 })
  t.same(lines, [], 'no stderr line')
  await recorder.close()
})

t.test('a missing namespace: not-found, the line quotes the server', async t => {
  const { recorder, lines } = makeRecorder(server)
  recorder.record(shape({ namespace: 'ghost', reason: 'Lost' }, { namespace: 'ghost' }))
  await recorder.flush()
  t.same(dropped(recorder), { 'not-found': 1 })
  t.equal(lines.length, 1)
  t.match(lines[0], /\(404 NotFound\): namespaces "ghost" not found/)
  await recorder.close()
})

t.test('422 from validation: invalid, not retried, one line quoting the server per status and reason', async t => {
  const { recorder, lines } = makeRecorder(server, { api: 'events.k8s.io/v1' })
  for (let i = 0; i < 5; i++) recorder.record(shape({ type: 'Error', reason: 'Crashed' }, { name: `pod-${i}` }))
  await recorder.flush()
  t.equal(server.requests.length, 5, 'one attempt each')
  t.same(dropped(recorder), { invalid: 5 })
  t.equal(lines.length, 1)
  t.match(lines[0], /\(422 Invalid\): Event "pod-0\.[0-9a-f]+" is invalid: type: Invalid value: "": has invalid value: Error/)
  await recorder.close()
})

t.test('401: credentials are read again once and the request retried (a rotated token file)', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'pino-k8s-events-rotate-'))
  const tokenFile = join(dir, 'token')
  const rules = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]
  const oldToken = server.addUser('rotating', { token: 'old-token-0123456789', rules })
  writeFileSync(tokenFile, oldToken)
  const kubeconfig = join(dir, 'config')
  writeFileSync(kubeconfig, [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: local, cluster: {server: "${server.url}"}}]`,
    `users: [{name: rotating, user: {tokenFile: "${tokenFile}"}}]`,
    'contexts: [{name: local, context: {cluster: local, user: rotating, namespace: lab}}]',
    'current-context: local'
  ].join('\n'))
  const { recorder, reloads } = makeRecorder(server, { kubeconfig })
  recorder.record(shape({ reason: 'BeforeRotation' }))
  await recorder.flush()
  t.equal(eventsIn('lab', 'BeforeRotation').length, 1)
  const newToken = server.addUser('rotating', { token: 'new-token-9876543210' })
  writeFileSync(tokenFile, newToken)
  server.removeToken(oldToken)
  server.clearRequests()
  recorder.record(shape({ reason: 'AfterRotation' }))
  await recorder.flush()
  t.same(server.requests.map(r => r.status), [401, 201])
  t.equal(reloads(), 0, 'the client itself read the token file again when the 401 came')
  t.equal(eventsIn('lab', 'AfterRotation').length, 1)
  t.same(dropped(recorder), {})
  await recorder.close()
})

t.test('401 again after reloading the credentials: dropped as unauthorized, with a line', async t => {
  const { recorder, lines, reloads } = makeRecorder(server)
  server.faults.add({ times: 2, action: { status: 401 } })
  recorder.record(shape({ reason: 'Rejected' }))
  await recorder.flush()
  t.same(server.requests.map(r => r.status), [401, 401])
  t.equal(reloads(), 0, 'the client itself asked for fresh credentials when the 401 came')
  t.same(dropped(recorder), { unauthorized: 1 })
  t.match(lines.join('\n'), /does not accept the credentials even after reading them again \(401 Unauthorized\)/)
  await recorder.close()
})

t.test('the API away at start: events wait and are written when it is back', async t => {
  const { recorder } = makeRecorder(server, { delivery: { maxAttempts: 20 } })
  await server.stop()
  for (let i = 0; i < 5; i++) recorder.record(shape({ reason: 'Patient' }, { name: `pod-${i}` }))
  recorder.record(shape({ reason: 'Patient' }, { name: 'pod-0' }))
  // The server stays away until each Event has been refused at least once.
  t.ok(await waitFor(() => recorder.stats().retried >= 5), 'each Event was refused while the server was away')
  t.equal(eventsIn('lab', 'Patient').length, 0)
  await server.start()
  await recorder.flush()
  const events = eventsIn('lab', 'Patient')
  t.equal(events.length, 5)
  t.equal(events.reduce((sum, event) => sum + event.count, 0), 6)
  t.ok(recorder.stats().retried >= 5)
  t.same(dropped(recorder), {})
  await recorder.close()
})
