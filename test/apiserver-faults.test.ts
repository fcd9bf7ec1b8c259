import t from 'tap'
import { waitFor } from './helpers/wait.js'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'
import { rawRequest } from './apiserver/raw-client.js'

const LIST = '/api/v1/namespaces/default/events'

async function fresh (t: { teardown: (fn: () => unknown) => void }, opts: { tls?: boolean, seed?: number } = {}): Promise<LocalApiServer> {
  const server = await startApiServer({ tls: opts.tls ?? false, seed: opts.seed })
  t.teardown(() => server.close())
  return server
}

async function errorCode (promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
    return undefined
  } catch (err) {
    return (err as NodeJS.ErrnoException).code
  }
}

t.test('a status fault answers once with the real Status for its code, then the server answers normally', async t => {
  const server = await fresh(t)
  server.faults.add({ action: { status: 429, retryAfter: 3 } })
  let res = await rawRequest(server, { path: LIST })
  t.equal(res.status, 429)
  t.equal(res.headers['retry-after'], '3')
  t.same(res.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Too many requests, please try again later.', reason: 'TooManyRequests', details: { retryAfterSeconds: 3 }, code: 429 })
  res = await rawRequest(server, { path: LIST })
  t.equal(res.status, 200, 'times defaults to 1')

  server.faults.add({ action: { status: 500 } })
  res = await rawRequest(server, { path: LIST })
  t.equal(res.status, 500)
  t.equal(res.body.reason, 'InternalError')
  t.equal(res.headers['retry-after'], undefined)

  server.faults.add({ action: { status: 503 } })
  res = await rawRequest(server, { path: LIST })
  t.equal(res.status, 503)
  t.equal(res.body.reason, 'ServiceUnavailable')

  server.faults.add({ action: { status: 409, body: { custom: true } } })
  res = await rawRequest(server, { path: LIST })
  t.equal(res.status, 409)
  t.same(res.body, { custom: true }, 'a given body is sent as is')
})

t.test('method and path select the requests; times counts them; Infinity lasts until clear()', async t => {
  const server = await fresh(t)
  server.faults.add({ method: 'POST', path: '/api/v1/namespaces/default/events', times: 2, action: { status: 503 } })
  t.equal((await rawRequest(server, { path: LIST })).status, 200, 'GET is not a POST')
  const post = async (): Promise<number> => (await rawRequest(server, { method: 'POST', path: LIST, body: { metadata: { generateName: 'e-' }, involvedObject: { kind: 'Node', name: 'n' }, reason: 'R' } })).status
  t.equal(await post(), 503)
  t.equal(await post(), 503)
  t.equal(await post(), 201)

  server.faults.add({ path: /\/events\/[^/?]+$/, times: Infinity, action: { status: 500 } })
  for (let i = 0; i < 5; i++) t.equal((await rawRequest(server, { path: `${LIST}/x${i}` })).status, 500)
  t.equal((await rawRequest(server, { path: LIST })).status, 200, 'the RegExp does not match the list')
  server.faults.clear()
  t.equal((await rawRequest(server, { path: `${LIST}/x0` })).status, 404)
})

t.test('share hits a deterministic part of the matching requests for a given seed', async t => {
  const pattern = async (seed: number): Promise<number[]> => {
    const server = await fresh(t, { seed })
    server.faults.add({ share: 0.3, times: Infinity, action: { status: 500 } })
    const statuses: number[] = []
    for (let i = 0; i < 60; i++) statuses.push((await rawRequest(server, { path: LIST })).status)
    return statuses
  }
  const first = await pattern(42)
  const again = await pattern(42)
  const other = await pattern(7)
  t.same(again, first, 'same seed, same requests hit')
  t.not(JSON.stringify(other), JSON.stringify(first), 'another seed hits others')
  const hits = first.filter(s => s === 500).length
  t.ok(hits > 6 && hits < 32, `about 30% hit (${hits} of 60)`)
})

t.test('delayMs answers normally after the delay', async t => {
  const server = await fresh(t)
  server.faults.add({ action: { delayMs: 300 } })
  const started = Date.now()
  const res = await rawRequest(server, { path: LIST })
  t.equal(res.status, 200)
  t.ok(Date.now() - started >= 290, 'delayed')
})

t.test('hang never answers; the client times out, and close() cuts it', async t => {
  const server = await startApiServer({ tls: false })
  server.faults.add({ action: { hang: true } })
  t.equal(await errorCode(rawRequest(server, { path: LIST, timeoutMs: 300 })), 'ETIMEDOUT')
  server.faults.add({ action: { hang: true } })
  const pending = errorCode(rawRequest(server, { path: LIST, timeoutMs: 20_000 }))
  t.ok(await waitFor(() => server.requests.length === 2), 'the second request has arrived and hangs')
  const closing = Date.now()
  await server.close()
  t.equal(await pending, 'ECONNRESET', 'the hung request ends when the server closes')
  t.ok(Date.now() - closing < 10_000, 'close does not wait for it (it would for the request\'s 20 s)')
})

t.test('drop destroys the connection: the client sees ECONNRESET, over TLS too', async t => {
  for (const tls of [false, true]) {
    const server = await fresh(t, { tls })
    server.faults.add({ method: 'POST', action: { drop: true } })
    const code = await errorCode(rawRequest(server, { method: 'POST', path: LIST, body: { metadata: { name: 'x' } } }))
    t.equal(code, 'ECONNRESET', tls ? 'https' : 'http')
    t.equal(server.requests.at(-1)?.status, 0, 'logged without an answer')
    t.equal((await rawRequest(server, { path: LIST })).status, 200, 'the next request is served')
  }
})

t.test('stop() takes the API down and start() brings it back on the same port with the store intact', async t => {
  const server = await fresh(t, { tls: true })
  const created = await rawRequest(server, { method: 'POST', path: LIST, body: { metadata: { name: 'kept' }, involvedObject: { kind: 'Node', name: 'n' }, reason: 'R' } })
  t.equal(created.status, 201)
  const { port, url } = server
  server.faults.add({ action: { hang: true } })
  const hung = errorCode(rawRequest(server, { path: LIST, timeoutMs: 20_000 }))
  t.ok(await waitFor(() => server.requests.length === 2), 'the request has arrived and hangs')
  await server.stop()
  t.equal(await hung, 'ECONNRESET', 'open connections are cut')
  t.equal(await errorCode(rawRequest(server, { path: LIST })), 'ECONNREFUSED', 'nobody listens')
  await server.stop()
  await new Promise(resolve => setTimeout(resolve, 200))
  await server.start()
  t.equal(server.port, port)
  t.equal(server.url, url)
  const res = await rawRequest(server, { path: `${LIST}/kept` })
  t.equal(res.status, 200)
  t.equal(res.body.metadata.uid, created.body.metadata.uid)
  await server.start()
  t.equal((await rawRequest(server, { path: LIST })).status, 200, 'start() twice is harmless')
})

t.test('the request log records method, path with query, content type, body, user, status and arrival time', async t => {
  const server = await fresh(t)
  const before = Date.now()
  await rawRequest(server, { path: `${LIST}?limit=5` })
  await rawRequest(server, { method: 'PATCH', path: `${LIST}/nope`, contentType: 'application/merge-patch+json', body: { count: 2 }, token: 'creator-token' })
  await rawRequest(server, { method: 'POST', path: LIST, body: '{broken', token: null })
  const [list, patched, broken] = server.requests
  t.match(list, { method: 'GET', path: `${LIST}?limit=5`, body: undefined, user: 'admin', status: 200 })
  t.equal(list.contentType, undefined)
  t.ok(list.time >= before && list.time <= Date.now())
  t.match(patched, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { count: 2 }, user: 'creator', status: 403 })
  t.match(broken, { method: 'POST', body: '{broken', status: 401 })
  t.equal(broken.user, undefined)
  const held = server.requests
  server.clearRequests()
  t.equal(server.requests.length, 0)
  await rawRequest(server, { path: LIST })
  t.equal(held.length, 1, 'the same array keeps filling')
})

t.test('many concurrent requests over keep-alive connections, and bodies of a few MB', async t => {
  const server = await fresh(t, { tls: true })
  const results = await Promise.all(Array.from({ length: 200 }, async (_, i) => {
    const res = await rawRequest(server, {
      method: 'POST',
      path: LIST,
      body: { metadata: { name: `c-${i}` }, involvedObject: { kind: 'Node', name: 'n' }, reason: 'R', message: 'x'.repeat(1000) }
    })
    return res.status
  }))
  t.same(new Set(results), new Set([201]))
  t.equal(server.listEvents('default').length, 200)
  const big = await rawRequest(server, { method: 'POST', path: LIST, body: { metadata: { name: 'big' }, involvedObject: { kind: 'Node', name: 'n' }, reason: 'R', message: 'y'.repeat(2_500_000) } })
  t.equal(big.status, 201, 'a 2.5 MB legacy message is accepted')
  const tooBig = await rawRequest(server, { method: 'POST', path: LIST, body: { metadata: { name: 'too-big' }, message: 'z'.repeat(3_200_000) } })
  t.equal(tooBig.status, 413)
  t.equal(tooBig.body.reason, 'RequestEntityTooLarge')
})

t.test('the request log is bounded and keeps the newest records', async t => {
  const server = await startApiServer({ tls: false, maxRequests: 50 })
  t.teardown(() => server.close())
  for (let i = 0; i < 120; i++) await rawRequest(server, { path: `${LIST}?i=${i}` })
  t.ok(server.requests.length <= 50 && server.requests.length >= 45, `${server.requests.length} kept`)
  t.equal(server.requests.at(-1)?.path, `${LIST}?i=119`)
})

t.test('a priority level with a seat limit rejects as API Priority and Fairness does: 429 in text/plain, Retry-After: 1', async t => {
  const server = await fresh(t)
  // Long enough that all twelve arrive while the first three hold their seats, however busy the machine.
  server.priorityLevel.set({ seats: 3, serviceMs: 1500 })
  const answers = await Promise.all(Array.from({ length: 12 }, async () => await rawRequest(server, { path: LIST })))
  const admitted = answers.filter(res => res.status === 200)
  const rejected = answers.filter(res => res.status === 429)
  t.equal(admitted.length, 3, 'three seats, three served')
  t.equal(rejected.length, 9, 'the rest rejected at once')
  t.equal(server.priorityLevel.rejected(), 9)
  const [res] = rejected
  t.equal(res.text, 'Too many requests, please try again later.\n', 'the text of Go\'s http.Error, with its newline')
  t.equal(Buffer.byteLength(res.text), 43)
  t.equal(res.body, undefined, 'not a JSON Status')
  t.equal(res.headers['retry-after'], '1')
  t.equal(res.headers['content-type'], 'text/plain; charset=utf-8')
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  for (const answer of answers) {
    t.match(answer.headers['x-kubernetes-pf-flowschema-uid'], /^[0-9a-f-]{36}$/, 'the matched FlowSchema, admitted or not')
    t.match(answer.headers['x-kubernetes-pf-prioritylevel-uid'], /^[0-9a-f-]{36}$/)
  }
  t.equal(server.requests.filter(r => r.status === 429).length, 9, 'the request log sees the rejections')

  server.priorityLevel.set({ seats: 1, serviceMs: 1 })
  for (let i = 0; i < 5; i++) t.equal((await rawRequest(server, { path: LIST })).status, 200, 'one at a time fits one seat')
  t.equal((await rawRequest(server, { path: '/healthz' })).status, 200, 'health checks are exempt')
  server.priorityLevel.set({ seats: 0, users: ['someone-else'] })
  t.equal((await rawRequest(server, { path: LIST })).status, 200, 'the FlowSchema matches only its users')
  t.equal((await rawRequest(server, { path: LIST, token: null })).status, 401, 'authentication comes first')
  server.priorityLevel.set(undefined)
  const free = await Promise.all(Array.from({ length: 12 }, async () => await rawRequest(server, { path: LIST })))
  t.ok(free.every(res => res.status === 200 && res.headers['x-kubernetes-pf-flowschema-uid'] === undefined), 'no limit once lifted')
})
