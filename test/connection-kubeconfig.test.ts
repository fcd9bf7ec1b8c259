import t, { type Test } from 'tap'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { createApiClient, type ApiClientOptions } from '../lib/connection/index.js'
import { createPki } from './helpers/pki.js'
import { startApiServer } from './apiserver/server.js'
import type { ApiClient } from '../lib/types.js'

const pki = createPki()
const server = await startApiServer({ tls: true, pki })
t.teardown(() => server.close())
const LIST = { method: 'GET', path: '/api/v1/namespaces/default/events' } as const
const caData = Buffer.from(pki.caCert).toString('base64')

function tempDir (): string {
  return mkdtempSync(join(tmpdir(), 'pino-k8s-events-kubeconfig-'))
}

function writeYaml (file: string, text: string): string {
  writeFileSync(file, text)
  return file
}

interface Made { client: ApiClient, warnings: string[] }
function makeClient (t: Test, opts: Partial<ApiClientOptions>): Made {
  const warnings: string[] = []
  const client = createApiClient({ requestTimeoutMs: 5000, diagnostics: { warn: (_k, m) => warnings.push(m), emit () {} }, env: {}, homeDir: tempDir(), serviceAccountDir: join(tempDir(), 'no-sa'), ...opts })
  t.teardown(() => client.close())
  return { client, warnings }
}

async function userOf (client: ApiClient): Promise<string | undefined> {
  server.clearRequests()
  const result = await client.request(LIST)
  return result.kind === 'response' ? server.requests.at(-1)?.user : `network:${result.code}`
}

/** Two files: the first names cluster "shared", users "first" (admin) and contexts a and both; the second
 * redefines "shared" with a dead server, adds user "second" (creator) and context b, and its own current-context. */
function twoFiles (): { first: string, second: string } {
  const dir = tempDir()
  const first = writeYaml(join(dir, 'first.yaml'), `
apiVersion: v1
kind: Config
current-context: a
clusters:
- name: shared
  cluster:
    server: ${server.url}
    certificate-authority-data: ${caData}
users:
- name: first
  user:
    token: admin-token
contexts:
- name: a
  context: { cluster: shared, user: first, namespace: from-first }
`)
  const second = writeYaml(join(dir, 'second.yaml'), `
apiVersion: v1
kind: Config
current-context: b
clusters:
- name: shared
  cluster:
    server: https://127.0.0.1:1
users:
- name: first
  user:
    token: nobody-token
- name: second
  user:
    token: creator-token
contexts:
- name: a
  context: { cluster: shared, user: second, namespace: from-second }
- name: b
  context: { cluster: shared, user: second, namespace: bee }
`)
  return { first, second }
}

t.test('KUBECONFIG files merge: the first file wins for each name and for current-context', async t => {
  const { first, second } = twoFiles()
  const { client } = makeClient(t, { env: { KUBECONFIG: [first, second].join(delimiter) } })
  t.equal(client.server, server.url)
  t.equal(client.defaultNamespace, 'from-first')
  t.equal(await userOf(client), 'admin')
})

t.test('the context option picks a context defined in a later file, using clusters and users from any file', async t => {
  const { first, second } = twoFiles()
  const { client } = makeClient(t, { env: { KUBECONFIG: [first, '/nonexistent/skipped.yaml', second].join(delimiter) }, context: 'b' })
  t.equal(client.defaultNamespace, 'bee')
  t.equal(client.server, server.url, 'cluster "shared" from the first file')
  t.equal(await userOf(client), 'creator', 'user "second" from the second file')
})

t.test('the kubeconfig option wins over KUBECONFIG, which wins over ~/.kube/config', async t => {
  const { first, second } = twoFiles()
  const home = tempDir()
  mkdirSync(join(home, '.kube'))
  writeFileSync(join(home, '.kube', 'config'), `
current-context: h
clusters: [{ name: h, cluster: { server: "${server.url}/home", certificate-authority-data: ${caData} } }]
users: [{ name: h, user: { token: admin-token } }]
contexts: [{ name: h, context: { cluster: h, user: h, namespace: home } }]
`)
  const byOption = makeClient(t, { kubeconfig: second, env: { KUBECONFIG: first }, homeDir: home })
  t.equal(byOption.client.defaultNamespace, 'bee')
  const byEnv = makeClient(t, { env: { KUBECONFIG: first }, homeDir: home })
  t.equal(byEnv.client.defaultNamespace, 'from-first')
  const byHome = makeClient(t, { env: {}, homeDir: home })
  t.equal(byHome.client.defaultNamespace, 'home')
  t.equal(byHome.client.server, `${server.url}/home`)
})

t.test('a server path prefix is kept in front of request paths', async t => {
  const dir = tempDir()
  const file = writeYaml(join(dir, 'config'), `
current-context: p
clusters: [{ name: p, cluster: { server: "${server.url}/prefix/", certificate-authority-data: ${caData} } }]
users: [{ name: p, user: { token: admin-token } }]
contexts: [{ name: p, context: { cluster: p, user: p } }]
`)
  const { client } = makeClient(t, { kubeconfig: file })
  server.clearRequests()
  await client.request(LIST)
  t.equal(server.requests.at(-1)?.path, `/prefix${LIST.path}`)
})

t.test('a context that does not exist gives NOCONFIG naming it, and one diagnostic', async t => {
  const { first } = twoFiles()
  const { client, warnings } = makeClient(t, { kubeconfig: first, context: 'nope' })
  const result = await client.request(LIST)
  t.match(result, { kind: 'network', code: 'NOCONFIG', message: /context "nope" is not in .*first\.yaml/ })
  t.equal(warnings.length, 1)
  t.equal(client.server, '(not configured)')
})

t.test('a missing user or cluster of the context is named', async t => {
  const dir = tempDir()
  const file = writeYaml(join(dir, 'config'), 'current-context: x\ncontexts: [{ name: x, context: { cluster: gone, user: ghost } }]\n')
  const { client } = makeClient(t, { kubeconfig: file })
  t.match(await client.request(LIST), { code: 'NOCONFIG', message: /cluster "gone" of context "x"/ })
})

t.test('a kubeconfig that is not YAML is reported by position, without quoting it', async t => {
  const dir = tempDir()
  const file = writeYaml(join(dir, 'config'), 'users:\n- name: u\n  user:\n    token: "leaked-secret\n  : [\n')
  const { client, warnings } = makeClient(t, { kubeconfig: file })
  const result = await client.request(LIST)
  t.match(result, { code: 'NOCONFIG', message: /not valid YAML .*line \d+/ })
  t.notMatch(JSON.stringify({ result, warnings }), /leaked-secret/)
})

t.test('proxy-url is not supported and says so once; the connection is made directly', async t => {
  const dir = tempDir()
  const file = writeYaml(join(dir, 'config'), `
current-context: p
clusters: [{ name: p, cluster: { server: "${server.url}", certificate-authority-data: ${caData}, proxy-url: "http://proxy.invalid:3128" } }]
users: [{ name: p, user: { token: admin-token } }]
contexts: [{ name: p, context: { cluster: p, user: p } }]
`)
  const { client, warnings } = makeClient(t, { kubeconfig: file })
  t.equal(await userOf(client), 'admin')
  t.equal(warnings.length, 1)
  t.match(warnings[0], /proxy-url .* not supported/)
})

function serviceAccount (token: string, namespace = 'lab\n', withCa = true): string {
  const dir = tempDir()
  writeFileSync(join(dir, 'token'), token)
  writeFileSync(join(dir, 'namespace'), namespace)
  if (withCa) writeFileSync(join(dir, 'ca.crt'), pki.caCert)
  return dir
}

t.test('in-cluster: server from the service env, CA, token and namespace from the service-account dir', async t => {
  const sa = serviceAccount('admin-token')
  const { client, warnings } = makeClient(t, { env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(server.port) }, serviceAccountDir: sa })
  t.equal(client.server, `https://127.0.0.1:${server.port}`)
  t.equal(client.defaultNamespace, 'lab', 'trimmed')
  t.equal(await userOf(client), 'admin')
  t.same(warnings, [])
})

t.test('in-cluster: the rotated token is read after the interval', async t => {
  const sa = serviceAccount('admin-token')
  let now = 0
  const { client } = makeClient(t, { env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(server.port) }, serviceAccountDir: sa, clock: { wall: () => now, monotonic: () => now } })
  t.equal(await userOf(client), 'admin')
  writeFileSync(join(sa, 'token'), 'creator-token')
  now += 30_000
  t.equal(await userOf(client), 'admin')
  now += 31_000
  t.equal(await userOf(client), 'creator')
})

t.test('in-cluster: an IPv6 service host is bracketed; a missing ca.crt falls back to system roots, with a note', async t => {
  const sa = serviceAccount('admin-token', 'lab', false)
  const { client, warnings } = makeClient(t, { env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }, serviceAccountDir: sa })
  t.equal(client.server, 'https://[fd00::1]:6443')
  t.match(warnings.join('\n'), /ca\.crt is missing/)
})

t.test('a kubeconfig wins over in-cluster; KUBECONFIG naming no existing file falls back to in-cluster', async t => {
  const { first } = twoFiles()
  const sa = serviceAccount('creator-token')
  const env = { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(server.port) }
  const withFile = makeClient(t, { env: { ...env, KUBECONFIG: first }, serviceAccountDir: sa })
  t.equal(await userOf(withFile.client), 'admin')
  const withoutFile = makeClient(t, { env: { ...env, KUBECONFIG: '/nonexistent/config' }, serviceAccountDir: sa })
  t.equal(await userOf(withoutFile.client), 'creator')
})

t.test('with no configuration anywhere, every request answers NOCONFIG saying what was looked for', async t => {
  const home = tempDir()
  const { client, warnings } = makeClient(t, { env: { KUBERNETES_SERVICE_HOST: '127.0.0.1' }, homeDir: home, serviceAccountDir: '/nonexistent/sa' })
  const result = await client.request(LIST)
  t.match(result, { kind: 'network', code: 'NOCONFIG' })
  if (result.kind === 'network') {
    t.match(result.message, join(home, '.kube', 'config'))
    t.match(result.message, /KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT and \/nonexistent\/sa\/token/)
  }
  t.equal(warnings.length, 1)
  t.equal((await client.request(LIST)).kind, 'network')
  t.equal(warnings.length, 1, 'told once, at creation')
})

t.test('a kubeconfig option naming a missing file is NOCONFIG, not a fallback', async t => {
  const sa = serviceAccount('admin-token')
  const { client } = makeClient(t, { kubeconfig: '/nonexistent/kubeconfig', env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(server.port) }, serviceAccountDir: sa })
  t.match(await client.request(LIST), { code: 'NOCONFIG', message: /cannot read kubeconfig \/nonexistent\/kubeconfig: ENOENT/ })
})
