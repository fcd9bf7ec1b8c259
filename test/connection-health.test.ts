// The connection's health watch over a real client and the local API server: a failure is told once per outage,
// the recovery once, and a connection that comes and goes is told at most once a minute per kind of failure.
import t from 'tap'
import { createApiClient } from '../lib/connection/index.js'
import { watchConnection } from '../lib/connection/health.js'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'

let server: LocalApiServer
t.before(async () => { server = await startApiServer() })
t.teardown(async () => await server.close())

const LIST = { method: 'GET' as const, path: '/api/v1/namespaces/default/events' }

t.test('told once per outage, recovery told, flapping told once a minute', async t => {
  const told: string[] = []
  let now = 1_000_000
  const diagnostics = { warn: (_key: string, message: string) => { told.push(message) }, emit () {} }
  const client = watchConnection(createApiClient({ kubeconfig: server.kubeconfig(), requestTimeoutMs: 5000, diagnostics, env: {} }),
    { diagnostics, retryForMs: 300_000, now: () => now })
  t.teardown(() => client.close())

  t.match(await client.request(LIST), { kind: 'response', status: 200 })
  t.same(told, [], 'nothing to tell while it works')
  t.equal(client.problem, undefined)

  await server.stop()
  // The pooled connection may be reset first: one reset is not an outage, and refused says more.
  for (let i = 0; i < 3; i++) t.match(await client.request(LIST), { kind: 'network', code: /^(ECONNREFUSED|ECONNRESET)$/ })
  t.equal(told.length, 1, `three failures, one line: ${told.join('\n')}`)
  t.match(told[0], /^cannot connect to the Kubernetes API at https:\/\/127\.0\.0\.1:\d+: connection refused \(ECONNREFUSED\).*Events are kept and retried for up to 5 min \(maxRetryAge\)/)
  t.match(client.problem, /could not be used: connection refused/)

  now += 2500
  await server.start()
  t.match(await client.request(LIST), { kind: 'response', status: 200 })
  t.equal(told.length, 2)
  t.match(told[1], /^the Kubernetes API at https:\/\/127\.0\.0\.1:\d+ answers again after 2\.5 s; the events kept meanwhile are being written$/)
  t.equal(client.problem, undefined)

  // Down and up again within the minute: neither is told.
  await server.stop()
  await client.request(LIST)
  await server.start()
  await client.request(LIST)
  t.equal(told.length, 2, 'a flapping connection is not told again within the minute')

  now += 60_000
  await server.stop()
  await client.request(LIST)
  await client.request(LIST)
  t.equal(told.length, 3, 'told again a minute later')
  await server.start()
  await client.request(LIST)
  t.equal(told.length, 4)
  t.match(told[3], /answers again/)
})
