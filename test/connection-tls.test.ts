import t from 'tap'
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApiClient } from '../lib/connection/index.js'
import { createPki } from './helpers/pki.js'
import { startApiServer } from './apiserver/server.js'
import type { ApiResult } from '../lib/types.js'

const pki = createPki()
const server = await startApiServer({ tls: true, pki })
t.teardown(() => server.close())
const LIST = { method: 'GET', path: '/api/v1/namespaces/default/events' } as const
const TLS_TRUST_CODES = ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']
const b64 = (text: string): string => Buffer.from(text).toString('base64')

function kubeconfig (cluster: Record<string, unknown>, user: Record<string, unknown>, dir = mkdtempSync(join(tmpdir(), 'pino-k8s-events-tls-'))): string {
  const file = join(dir, 'config')
  writeFileSync(file, JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local', cluster: { server: server.url, ...cluster } }],
    users: [{ name: 'me', user }],
    contexts: [{ name: 'local', context: { cluster: 'local', user: 'me' } }],
    'current-context': 'local'
  }))
  return file
}

async function requestWith (file: string): Promise<{ result: ApiResult, warnings: string[], user?: string }> {
  const warnings: string[] = []
  const client = createApiClient({ kubeconfig: file, requestTimeoutMs: 5000, diagnostics: { warn: (_k, m) => warnings.push(m), emit () {} } })
  server.clearRequests()
  const result = await client.request(LIST)
  client.close()
  return { result, warnings, user: server.requests.at(-1)?.user }
}

t.test('the CA from a file named relative to the kubeconfig verifies the server', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'pino-k8s-events-tls-'))
  copyFileSync(pki.files.caCert, join(dir, 'cluster-ca.crt'))
  const { result, user } = await requestWith(kubeconfig({ 'certificate-authority': 'cluster-ca.crt' }, { token: 'admin-token' }, dir))
  t.match(result, { kind: 'response', status: 200 })
  t.equal(user, 'admin')
})

t.test('the CA from certificate-authority-data verifies the server', async t => {
  const { result } = await requestWith(kubeconfig({ 'certificate-authority-data': b64(pki.caCert) }, { token: 'admin-token' }))
  t.match(result, { kind: 'response', status: 200 })
})

t.test('a server signed by another CA is refused with a clear code', async t => {
  const other = createPki()
  const { result } = await requestWith(kubeconfig({ 'certificate-authority-data': b64(other.caCert) }, { token: 'admin-token' }))
  t.equal(result.kind, 'network')
  if (result.kind !== 'network') return
  t.ok(TLS_TRUST_CODES.includes(result.code), result.code)
  t.match(result.message, /not signed by the configured certificate authority/)
  t.equal(server.requests.length, 0, 'nothing reached the server')
})

t.test('without a CA the system roots are used, and do not trust the test CA', async t => {
  const { result } = await requestWith(kubeconfig({}, { token: 'admin-token' }))
  t.equal(result.kind, 'network')
  if (result.kind === 'network') t.ok(TLS_TRUST_CODES.includes(result.code), result.code)
})

t.test('insecure-skip-tls-verify accepts any server certificate, even with a wrong CA given', async t => {
  const other = createPki()
  const { result, user } = await requestWith(kubeconfig({ 'insecure-skip-tls-verify': true, 'certificate-authority-data': b64(other.caCert) }, { token: 'admin-token' }))
  t.match(result, { kind: 'response', status: 200 })
  t.equal(user, 'admin')
})

t.test('tls-server-name is the name the certificate is checked against', async t => {
  const good = await requestWith(kubeconfig({ 'certificate-authority-data': b64(pki.caCert), 'tls-server-name': 'kubernetes.default.svc' }, { token: 'admin-token' }))
  t.match(good.result, { kind: 'response', status: 200 })
  const bad = await requestWith(kubeconfig({ 'certificate-authority-data': b64(pki.caCert), 'tls-server-name': 'elsewhere.example' }, { token: 'admin-token' }))
  t.match(bad.result, { kind: 'network', code: 'ERR_TLS_CERT_ALTNAME_INVALID' })
  t.match((bad.result as { message: string }).message, /tls-server-name/)
})

t.test('a client certificate from files authenticates as its CN', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'pino-k8s-events-tls-'))
  const cert = pki.clientCert('admin', ['system:masters'])
  copyFileSync(cert.certFile, join(dir, 'me.crt'))
  copyFileSync(cert.keyFile, join(dir, 'me.key'))
  const { result, user } = await requestWith(kubeconfig({ 'certificate-authority': pki.files.caCert }, { 'client-certificate': 'me.crt', 'client-key': 'me.key' }, dir))
  t.match(result, { kind: 'response', status: 200 })
  t.equal(user, 'admin')
})

t.test('a client certificate from -data fields authenticates as its CN', async t => {
  const cert = pki.clientCert('cert-user')
  const { result, user } = await requestWith(kubeconfig({ 'certificate-authority-data': b64(pki.caCert) },
    { 'client-certificate-data': b64(cert.cert), 'client-key-data': b64(cert.key) }))
  t.match(result, { kind: 'response', status: 403 }, 'known but without rights')
  t.equal(user, 'cert-user')
})

t.test('a client certificate from an exec plugin authenticates as its CN', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'pino-k8s-events-tls-'))
  const cert = pki.clientCert('admin', ['system:masters'])
  const plugin = join(dir, 'cert-plugin.mjs')
  writeFileSync(plugin, `console.log(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential',
    status: { clientCertificateData: ${JSON.stringify(cert.cert)}, clientKeyData: ${JSON.stringify(cert.key)} } }))`)
  const { result, user } = await requestWith(kubeconfig({ 'certificate-authority-data': b64(pki.caCert) },
    { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [plugin], interactiveMode: 'Never' } }, dir))
  t.match(result, { kind: 'response', status: 200 })
  t.equal(user, 'admin')
})

t.test('an unreadable CA file gives a client that answers NOCONFIG, saying which file', async t => {
  const { result, warnings } = await requestWith(kubeconfig({ 'certificate-authority': '/nonexistent/ca.crt' }, { token: 'admin-token' }))
  t.match(result, { kind: 'network', code: 'NOCONFIG', message: /\/nonexistent\/ca\.crt/ })
  t.equal(warnings.length, 1)
})

t.test('private keys and tokens never appear in messages', async t => {
  const cert = pki.clientCert('leaky')
  const { result, warnings } = await requestWith(kubeconfig({ 'certificate-authority-data': b64(pki.caCert) },
    { token: 'secret-token-value', 'client-certificate-data': b64(cert.cert) }))
  t.match(result, { kind: 'network', code: 'CREDENTIALS' })
  const text = JSON.stringify({ result, warnings })
  t.notMatch(text, /secret-token-value/)
  t.notMatch(text, /PRIVATE KEY/)
})
