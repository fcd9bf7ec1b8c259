import t, { type Test } from 'tap'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApiClient, type ApiClientOptions } from '../lib/connection/index.js'
import { watchConnection } from '../lib/connection/health.js'
import { startApiServer } from './apiserver/server.js'
import type { ApiClient } from '../lib/types.js'

const server = await startApiServer({ tls: false })
t.teardown(() => server.close())
const LIST = { method: 'GET', path: '/api/v1/namespaces/default/events' } as const
const V1 = 'client.authentication.k8s.io/v1'

function tempDir (): string {
  return mkdtempSync(join(tmpdir(), 'pino-k8s-events-credentials-'))
}

function writeKubeconfig (dir: string, user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string {
  const file = join(dir, 'config')
  writeFileSync(file, JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local', cluster: { server: server.url, ...cluster } }],
    users: [{ name: 'me', user }],
    contexts: [{ name: 'local', context: { cluster: 'local', user: 'me', namespace: 'lab' } }],
    'current-context': 'local'
  }))
  return file
}

interface Made { client: ApiClient, warnings: string[] }
function makeClient (t: Test, kubeconfig: string, extra: Partial<ApiClientOptions> = {}): Made {
  const warnings: string[] = []
  const client = createApiClient({ kubeconfig, requestTimeoutMs: 5000, diagnostics: { warn: (_k, m) => warnings.push(m), emit () {} }, env: {}, ...extra })
  t.teardown(() => client.close())
  return { client, warnings }
}

async function userOf (client: ApiClient): Promise<{ status?: number, user?: string }> {
  server.clearRequests()
  const result = await client.request(LIST)
  return { status: result.kind === 'response' ? result.status : undefined, user: server.requests.at(-1)?.user }
}

/** A plugin that counts its runs, records what it was given, and prints the credential of its args. */
function writePlugin (dir: string): { path: string, runs: () => number, lastInfo: () => any } {
  const path = join(dir, 'plugin.mjs')
  const counter = join(dir, 'runs')
  const info = join(dir, 'exec-info.json')
  writeFileSync(path, `
import { appendFileSync, writeFileSync } from 'node:fs'
const [mode, token, lifetimeMs, apiVersion] = process.argv.slice(2)
appendFileSync(${JSON.stringify(counter)}, 'x')
writeFileSync(${JSON.stringify(info)}, JSON.stringify({ info: JSON.parse(process.env.KUBERNETES_EXEC_INFO ?? 'null'), fromEnv: process.env.PLUGIN_TOKEN ?? null }))
if (mode === 'fail') { console.error('login failed for token=' + token); process.exit(3) }
if (mode === 'hang') setTimeout(() => {}, 60000)
else if (mode === 'garbage') console.log('not json ' + token)
else {
  const status = { token: mode === 'env' ? process.env.PLUGIN_TOKEN : token }
  if (Number(lifetimeMs) > 0) status.expirationTimestamp = new Date(Date.now() + Number(lifetimeMs)).toISOString()
  console.log(JSON.stringify({ apiVersion: apiVersion || ${JSON.stringify(V1)}, kind: 'ExecCredential', status }))
}
`)
  return {
    path,
    runs: () => existsSync(counter) ? readFileSync(counter, 'utf8').length : 0,
    lastInfo: () => JSON.parse(readFileSync(info, 'utf8'))
  }
}

function execUser (plugin: string, args: string[], more: Record<string, unknown> = {}): Record<string, unknown> {
  return { exec: { apiVersion: V1, command: process.execPath, args: [plugin, ...args], interactiveMode: 'Never', ...more } }
}

t.test('a static token authenticates, and the context namespace is the default namespace', async t => {
  const { client } = makeClient(t, writeKubeconfig(tempDir(), { token: 'admin-token' }))
  t.equal(client.defaultNamespace, 'lab')
  t.same(await userOf(client), { status: 200, user: 'admin' })
})

t.test('an unknown token gets 401 from the server, not a client error', async t => {
  const { client } = makeClient(t, writeKubeconfig(tempDir(), { token: 'no-such-token' }))
  t.same(await userOf(client), { status: 401, user: undefined })
})

t.test('a tokenFile is re-read once the interval has passed', async t => {
  const dir = tempDir()
  writeFileSync(join(dir, 'token'), 'admin-token\n')
  let now = 1_000_000
  const { client } = makeClient(t, writeKubeconfig(dir, { tokenFile: 'token' }), { clock: { wall: () => now, monotonic: () => now }, credentialRereadMs: 60_000 })
  t.same(await userOf(client), { status: 200, user: 'admin' }, 'relative to the kubeconfig, trailing newline trimmed')
  writeFileSync(join(dir, 'token'), 'creator-token')
  now += 59_000
  t.equal((await userOf(client)).user, 'admin', 'not re-read within the interval')
  now += 2_000
  t.equal((await userOf(client)).user, 'creator', 'rotated token used after the interval')
})

t.test('a tokenFile is re-read by the monotonic clock: a wall clock stepping forward does not make it due', async t => {
  const dir = tempDir()
  writeFileSync(join(dir, 'token'), 'admin-token\n')
  let wall = 1_000_000
  let monotonic = 5_000
  const { client } = makeClient(t, writeKubeconfig(dir, { tokenFile: 'token' }), { clock: { wall: () => wall, monotonic: () => monotonic }, credentialRereadMs: 60_000 })
  t.equal((await userOf(client)).user, 'admin')
  writeFileSync(join(dir, 'token'), 'creator-token')
  wall += 10 * 60_000
  t.equal((await userOf(client)).user, 'admin', 'ten minutes on the wall clock are not an interval passed')
  monotonic += 61_000
  t.equal((await userOf(client)).user, 'creator', 'the interval passed on the monotonic clock')
})

t.test('after a 401, reloadCredentials makes the next request read the rotated token', async t => {
  const dir = tempDir()
  const oldToken = server.addUser('rotating', { rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] })
  const newToken = server.addUser('rotating')
  writeFileSync(join(dir, 'token'), oldToken)
  const { client } = makeClient(t, writeKubeconfig(dir, { tokenFile: 'token' }))
  t.same(await userOf(client), { status: 200, user: 'rotating' })
  server.removeToken(oldToken)
  writeFileSync(join(dir, 'token'), newToken)
  t.equal((await userOf(client)).status, 401, 'the cached token is still used')
  client.reloadCredentials()
  t.same(await userOf(client), { status: 200, user: 'rotating' })
})

t.test('a vanished tokenFile keeps the last token and says so; never read at all is a credentials failure', async t => {
  const dir = tempDir()
  writeFileSync(join(dir, 'token'), 'admin-token')
  let now = 0
  const { client, warnings } = makeClient(t, writeKubeconfig(dir, { tokenFile: join(dir, 'token') }), { clock: { wall: () => now, monotonic: () => now } })
  t.equal((await userOf(client)).user, 'admin')
  const missing = makeClient(t, writeKubeconfig(tempDir(), { tokenFile: '/nonexistent/token' }))
  // The connection's health watch tells it, once, as the transport does.
  const told: string[] = []
  const watched = watchConnection(missing.client, { diagnostics: { warn: (_key, message) => told.push(message), emit () {} }, retryForMs: 300_000 })
  const result = await watched.request(LIST)
  t.match(result, { kind: 'network', code: 'CREDENTIALS', message: /\/nonexistent\/token/ })
  await watched.request(LIST)
  t.equal(told.length, 1, told.join('\n'))
  t.match(told[0], /^cannot write events to the Kubernetes API at .*: no credentials could be had: .*\/nonexistent\/token/)
  now += 120_000
  rmSync(join(dir, 'token'))
  t.equal((await userOf(client)).user, 'admin')
  t.match(warnings.join('\n'), /cannot read .*token: ENOENT; using the token read before/)
})

t.test('an exec plugin runs once for concurrent and later requests while its credential is valid', async t => {
  const dir = tempDir()
  const plugin = writePlugin(dir)
  const { client } = makeClient(t, writeKubeconfig(dir, execUser(plugin.path, ['ok', 'admin-token'])))
  const results = await Promise.all(Array.from({ length: 6 }, async () => await client.request(LIST)))
  t.same(results.map(r => r.kind === 'response' ? r.status : r.code), [200, 200, 200, 200, 200, 200])
  await userOf(client)
  await userOf(client)
  t.equal(plugin.runs(), 1)
  const { info } = plugin.lastInfo()
  t.same(info, { apiVersion: V1, kind: 'ExecCredential', spec: { interactive: false } }, 'KUBERNETES_EXEC_INFO')
})

t.test('an exec credential is fetched again once it expires', async t => {
  const dir = tempDir()
  const plugin = writePlugin(dir)
  // The client's clock stands still until the test moves it past the expiry, however slow the machine.
  let now = Date.now()
  // No minimum interval between runs here: only the expiry decides.
  const { client } = makeClient(t, writeKubeconfig(dir, execUser(plugin.path, ['ok', 'admin-token', '60000'])), { clock: { wall: () => now, monotonic: () => now }, execMinIntervalMs: 0 })
  t.equal((await userOf(client)).user, 'admin')
  t.equal((await userOf(client)).user, 'admin')
  t.equal(plugin.runs(), 1, 'cached while valid')
  now += 120_000
  t.equal((await userOf(client)).user, 'admin')
  t.equal(plugin.runs(), 2, 'run again after expiry')
})

t.test('exec plugin env entries and cluster info reach the plugin; v1beta1 works', async t => {
  const dir = tempDir()
  const plugin = writePlugin(dir)
  const { client } = makeClient(t, writeKubeconfig(dir, execUser(plugin.path, ['env', '', '0', 'client.authentication.k8s.io/v1beta1'], {
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    env: [{ name: 'PLUGIN_TOKEN', value: 'creator-token' }],
    provideClusterInfo: true
  }), { 'tls-server-name': 'api.example', extensions: [{ name: 'client.authentication.k8s.io/exec', extension: { audience: 'x' } }] }))
  t.equal((await userOf(client)).user, 'creator')
  const { info, fromEnv } = plugin.lastInfo()
  t.equal(fromEnv, 'creator-token')
  t.same(info.spec.cluster, { server: server.url, 'tls-server-name': 'api.example', config: { audience: 'x' } })
})

t.test('after a 401, reloadCredentials runs the exec plugin again', async t => {
  const dir = tempDir()
  const plugin = writePlugin(dir)
  const token = server.addUser('exec-user', { rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] })
  const { client } = makeClient(t, writeKubeconfig(dir, execUser(plugin.path, ['ok', token])), { execMinIntervalMs: 100 })
  t.equal((await userOf(client)).status, 200)
  client.reloadCredentials()
  t.equal((await userOf(client)).status, 200)
  t.equal(plugin.runs(), 2)
})

t.test('a failing exec plugin is a credentials failure that tells its exit code but no token', async t => {
  const dir = tempDir()
  const plugin = writePlugin(dir)
  const { client, warnings } = makeClient(t, writeKubeconfig(dir, execUser(plugin.path, ['fail', 'hunter2-secret'], { installHint: 'install the login tool' })))
  server.clearRequests()
  const result = await client.request(LIST)
  t.match(result, { kind: 'network', code: 'CREDENTIALS', message: /exited with code 3: login failed .*install the login tool/ })
  const again = await client.request(LIST)
  t.equal(again.kind === 'network' ? again.code : '', 'CREDENTIALS')
  t.equal(plugin.runs(), 1, 'a failure is not retried at once')
  t.notMatch(JSON.stringify({ result, warnings }), /hunter2-secret/)
  t.equal(server.requests.length, 0, 'nothing was sent')
})

t.test('an exec plugin that prints no ExecCredential, or too late, fails without quoting its output', async t => {
  const dir = tempDir()
  const plugin = writePlugin(dir)
  const garbage = makeClient(t, writeKubeconfig(dir, execUser(plugin.path, ['garbage', 'hunter3-secret'])))
  const bad = await garbage.client.request(LIST)
  t.match(bad, { kind: 'network', code: 'CREDENTIALS', message: /not JSON/ })
  t.notMatch(JSON.stringify(bad), /hunter3-secret/)
  const hanging = makeClient(t, writeKubeconfig(tempDir(), execUser(plugin.path, ['hang', 'x'])), { execTimeoutMs: 300 })
  const started = Date.now()
  const late = await hanging.client.request(LIST)
  t.match(late, { kind: 'network', code: 'CREDENTIALS', message: /did not finish within 300 ms/ })
  t.ok(Date.now() - started < 30_000, 'long before the plugin would have finished by itself (60 s)')
})

t.test('an exec plugin that does not exist says so', async t => {
  const { client } = makeClient(t, writeKubeconfig(tempDir(), { exec: { apiVersion: V1, command: 'no-such-login-tool-xyz', interactiveMode: 'Never' } }))
  t.match(await client.request(LIST), { kind: 'network', code: 'CREDENTIALS', message: /exec plugin no-such-login-tool-xyz could not be run: no-such-login-tool-xyz is not on PATH \(ENOENT\); install it, add its directory to PATH, or give its path in the kubeconfig \/.*\/config/ })
})

t.test('an oidc auth-provider id-token reaches the server through the optional client library', async t => {
  const payload = Buffer.from(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url')
  const idToken = `e30.${payload}.signature`
  server.addUser('oidc-user', { token: idToken })
  const { client } = makeClient(t, writeKubeconfig(tempDir(), {
    'auth-provider': { name: 'oidc', config: { 'id-token': idToken, 'client-id': 'pino', 'idp-issuer-url': 'https://issuer.invalid' } }
  }))
  t.equal((await userOf(client)).user, 'oidc-user')
})
