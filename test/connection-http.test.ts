import t, { type Test } from 'tap'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApiClient, type ApiClientOptions } from '../lib/connection/index.js'
import { startApiServer } from './apiserver/server.js'
import type { ApiClient } from '../lib/types.js'

const server = await startApiServer({ tls: false })
t.teardown(() => server.close())
const EVENTS = '/api/v1/namespaces/default/events'

function kubeconfigFor (url: string, user: Record<string, unknown> = { token: 'admin-token' }): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pino-k8s-events-http-')), 'config')
  writeFileSync(file, JSON.stringify({
    'current-context': 'c',
    clusters: [{ name: 'c', cluster: { server: url } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }]
  }))
  return file
}

function makeClient (t: Test, url = server.url, extra: Partial<ApiClientOptions> = {}, user?: Record<string, unknown>): { client: ApiClient, warnings: string[] } {
  const warnings: string[] = []
  const client = createApiClient({ kubeconfig: kubeconfigFor(url, user), requestTimeoutMs: 2000, diagnostics: { warn: (_k, m) => warnings.push(m), emit () {} }, env: {}, ...extra })
  t.teardown(() => client.close())
  return { client, warnings }
}

/** A bare server for what the API server never does: huge answers, redirects; it records headers. */
async function bareServer (t: Test, handler: http.RequestListener): Promise<{ url: string, headers: http.IncomingHttpHeaders[], connections: () => number }> {
  const headers: http.IncomingHttpHeaders[] = []
  let connections = 0
  const bare = http.createServer((req, res) => { headers.push(req.headers); handler(req, res) })
  bare.on('connection', () => { connections++ })
  await new Promise<void>(resolve => bare.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { bare.closeAllConnections(); bare.close() })
  return { url: `http://127.0.0.1:${(bare.address() as AddressInfo).port}`, headers, connections: () => connections }
}

const event = {
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'demo.1', namespace: 'default' },
  involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'demo', namespace: 'default' },
  reason: 'Started',
  message: 'héllo',
  type: 'Normal',
  source: { component: 'pino-k8s-events' },
  firstTimestamp: '2026-01-01T00:00:00Z',
  lastTimestamp: '2026-01-01T00:00:00Z',
  count: 1
}

t.test('a POST sends the body as JSON and returns the status and parsed answer', async t => {
  const { client } = makeClient(t)
  server.clearRequests()
  const result = await client.request({ method: 'POST', path: EVENTS, body: event })
  t.match(result, { kind: 'response', status: 201, body: { kind: 'Event', message: 'héllo', metadata: { name: 'demo.1' } } })
  t.match(server.requests.at(-1), { method: 'POST', path: EVENTS, contentType: 'application/json', user: 'admin', body: event })
  const patched = await client.request({ method: 'PATCH', path: `${EVENTS}/demo.1`, body: { count: 2 }, contentType: 'application/merge-patch+json' })
  t.match(patched, { kind: 'response', status: 200, body: { count: 2 } })
  t.equal(server.requests.at(-1)?.contentType, 'application/merge-patch+json')
})

t.test('error answers are responses with the Status body and Retry-After', async t => {
  const { client } = makeClient(t)
  server.faults.add({ method: 'POST', path: EVENTS, action: { status: 429, retryAfter: 3 } })
  const result = await client.request({ method: 'POST', path: EVENTS, body: event })
  t.match(result, { kind: 'response', status: 429, retryAfterSeconds: 3, body: { kind: 'Status', code: 429 } })
  const conflict = await client.request({ method: 'POST', path: EVENTS, body: event })
  t.match(conflict, { kind: 'response', status: 409, body: { reason: 'AlreadyExists' } })
  t.notOk('retryAfterSeconds' in conflict)
})

t.test('a request the server never answers ends with ETIMEDOUT after the timeout', async t => {
  const { client } = makeClient(t, server.url, { requestTimeoutMs: 300 })
  server.faults.add({ path: EVENTS, action: { hang: true } })
  const started = Date.now()
  const result = await client.request({ method: 'GET', path: EVENTS })
  const took = Date.now() - started
  t.match(result, { kind: 'network', code: 'ETIMEDOUT', message: /no answer within 300 ms/ })
  t.ok(took >= 290 && took < 30_000, `took ${took} ms: not before the timeout, and not waiting for an answer that never comes`)
  server.faults.add({ path: EVENTS, action: { hang: true } })
  const perRequest = await client.request({ method: 'GET', path: EVENTS, timeoutMs: 100 })
  t.match(perRequest, { code: 'ETIMEDOUT', message: /100 ms/ }, 'a request may set its own timeout')
  t.match(await client.request({ method: 'GET', path: EVENTS }), { kind: 'response', status: 200 }, 'the client works afterwards')
})

t.test('a dropped connection is ECONNRESET', async t => {
  const { client } = makeClient(t)
  server.faults.add({ path: EVENTS, action: { drop: true } })
  t.match(await client.request({ method: 'POST', path: EVENTS, body: event }), { kind: 'network', code: 'ECONNRESET' })
})

t.test('a stopped server is ECONNREFUSED; requests work again once it is back', async t => {
  const { client } = makeClient(t)
  t.match(await client.request({ method: 'GET', path: EVENTS }), { kind: 'response', status: 200 })
  await server.stop()
  try {
    t.match(await client.request({ method: 'GET', path: EVENTS }), { kind: 'network', code: /^(ECONNREFUSED|ECONNRESET)$/ })
  } finally {
    await server.start()
  }
  t.match(await client.request({ method: 'GET', path: EVENTS }), { kind: 'response', status: 200 })
})

t.test('an unresolvable host is ENOTFOUND (or EAI_AGAIN without DNS)', async t => {
  const { client } = makeClient(t, 'http://no-such-host.invalid:6443')
  t.match(await client.request({ method: 'GET', path: EVENTS }), { kind: 'network', code: /^(ENOTFOUND|EAI_AGAIN)$/ })
})

t.test('requests carry Accept, User-Agent and impersonation headers, and reuse one connection', async t => {
  const bare = await bareServer(t, (_req, res) => { res.setHeader('Content-Type', 'application/json'); res.end('{"ok":true}') })
  const { client } = makeClient(t, bare.url, {}, { token: 'tok', as: 'someone', 'as-groups': ['g1', 'g2'], 'as-uid': 'u-1' })
  for (let i = 0; i < 3; i++) t.match(await client.request({ method: 'GET', path: '/api' }), { kind: 'response', status: 200, body: { ok: true } })
  const headers = bare.headers[0]
  t.equal(headers.accept, 'application/json')
  t.match(headers['user-agent'], /^pino-k8s-events\/\d+\.\d+\.\d+/)
  t.equal(headers.authorization, 'Bearer tok')
  t.equal(headers['impersonate-user'], 'someone')
  t.equal(headers['impersonate-group'], 'g1, g2')
  t.equal(headers['impersonate-uid'], 'u-1')
  t.equal(bare.connections(), 1, 'keep-alive')
})

t.test('basic auth from username and password', async t => {
  const bare = await bareServer(t, (_req, res) => { res.end() })
  const { client } = makeClient(t, bare.url, {}, { username: 'jane', password: 'pa:ss' })
  t.match(await client.request({ method: 'GET', path: '/api' }), { kind: 'response', status: 200, body: undefined })
  t.equal(bare.headers[0].authorization, `Basic ${Buffer.from('jane:pa:ss').toString('base64')}`)
})

t.test('an answer larger than the limit is not read; the status still comes back', async t => {
  const bare = await bareServer(t, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' })
    const chunk = Buffer.alloc(64 * 1024, 'a')
    let sent = 0
    const more = (): void => { while (sent < 4 * 1024 * 1024) { sent += chunk.length; if (!res.write(chunk)) { res.once('drain', more); return } } res.end() }
    more()
  })
  const { client, warnings } = makeClient(t, bare.url)
  t.match(await client.request({ method: 'GET', path: '/api' }), { kind: 'response', status: 200, body: undefined })
  t.match(warnings.join('\n'), /more than 1048576 bytes/)
})

t.test('redirects are not followed; a body that is not JSON is undefined', async t => {
  const bare = await bareServer(t, (req, res) => {
    if (req.url === '/api') { res.writeHead(307, { Location: 'http://elsewhere.invalid/api' }); res.end(); return }
    res.end('plain text')
  })
  const { client } = makeClient(t, bare.url)
  t.match(await client.request({ method: 'GET', path: '/api' }), { kind: 'response', status: 307 })
  t.equal(bare.headers.length, 1)
  t.match(await client.request({ method: 'GET', path: '/text' }), { kind: 'response', status: 200, body: undefined })
})

t.test('paths must belong to the configured server', async t => {
  const { client } = makeClient(t)
  t.match(await client.request({ method: 'GET', path: 'http://elsewhere.invalid/api' }), { kind: 'network', code: 'EINVALIDPATH' })
  t.match(await client.request({ method: 'GET', path: '//elsewhere.invalid/api' }), { kind: 'network', code: 'EINVALIDPATH' })
})

t.test('a body that cannot be JSON is refused without a request', async t => {
  const { client } = makeClient(t)
  const circular: Record<string, unknown> = {}
  circular.self = circular
  server.clearRequests()
  t.match(await client.request({ method: 'POST', path: EVENTS, body: circular }), { kind: 'network', code: 'EINVALIDBODY' })
  t.equal(server.requests.length, 0)
})

t.test('close() ends pooled connections; later requests answer ECLOSED', async t => {
  let closedSockets = 0
  const bare = await bareServer(t, (req, res) => { req.socket.once('close', () => { closedSockets++ }); res.end('{}') })
  const { client } = makeClient(t, bare.url)
  await client.request({ method: 'GET', path: '/api' })
  client.close()
  while (closedSockets === 0) await new Promise(resolve => setTimeout(resolve, 10))
  t.equal(closedSockets, 1)
  t.match(await client.request({ method: 'GET', path: '/api' }), { kind: 'network', code: 'ECLOSED' })
  client.close()
})

t.test('many concurrent requests all complete, bounded by the socket pool', async t => {
  const bare = await bareServer(t, (_req, res) => { setTimeout(() => res.end('{}'), 20) })
  const { client } = makeClient(t, bare.url, { maxSockets: 4 })
  const results = await Promise.all(Array.from({ length: 40 }, async () => await client.request({ method: 'GET', path: '/api' })))
  t.ok(results.every(r => r.kind === 'response' && r.status === 200))
  t.ok(bare.connections() <= 4, `${bare.connections()} connections`)
})
