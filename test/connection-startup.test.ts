// Start-up cost: the usual paths must not load the YAML parser (in-cluster) or @kubernetes/client-node (all but
// auth-provider users). Each case runs in a fresh node process on the built output.
import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const root = fileURLToPath(new URL('..', import.meta.url))
const entry = join(root, 'dist/lib/connection/index.js')

// Resolve hooks see every ESM import, including dynamic ones; the CJS cache shows what require() loaded.
const HOOKS = `
import { appendFileSync } from 'node:fs'
let file
export function initialize (data) { file = data.file }
export async function resolve (specifier, context, next) {
  const result = await next(specifier, context)
  appendFileSync(file, result.url + '\\n')
  return result
}`

const PROBE = `
import { register, createRequire } from 'node:module'
const [entry, loadedFile, optionsJson] = process.argv.slice(2)
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}), { data: { file: loadedFile } })
const started = performance.now()
const { createApiClient } = await import(entry)
const warnings = []
const options = JSON.parse(optionsJson)
const client = createApiClient({ ...options, requestTimeoutMs: 500, diagnostics: { warn: (key, message) => warnings.push(message), emit () {} } })
const result = await client.request({ method: 'GET', path: '/api' })
const ms = performance.now() - started
client.close()
const cjs = Object.keys(createRequire(import.meta.url).cache)
console.log(JSON.stringify({ ms, code: result.code, server: client.server, cjs, warnings }))
`

interface Probe { ms: number, code?: string, server: string, cjs: string[], warnings: string[], esm: string[] }

async function probe (dir: string, options: Record<string, unknown>): Promise<Probe> {
  const script = join(dir, 'probe.mjs')
  const loadedFile = join(dir, `loaded-${Math.random().toString(36).slice(2)}.txt`)
  writeFileSync(script, PROBE)
  writeFileSync(loadedFile, '')
  const { stdout } = await run(process.execPath, [script, entry, loadedFile, JSON.stringify(options)], { cwd: root, env: { PATH: process.env.PATH ?? '' } })
  return { ...JSON.parse(stdout.trim().split('\n').pop() ?? '{}'), esm: readFileSync(loadedFile, 'utf8').split('\n').filter(Boolean) }
}

const loadsYaml = (p: Probe): boolean => p.cjs.some(path => path.includes(`${join('node_modules', 'yaml')}`))
const loadsClientNode = (p: Probe): boolean => p.esm.some(url => url.includes('@kubernetes/client-node')) ||
  p.cjs.some(path => path.includes('@kubernetes'))

t.test('in-cluster loads neither the YAML parser nor @kubernetes/client-node', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'pino-k8s-events-startup-'))
  const sa = join(dir, 'sa')
  mkdirSync(sa)
  writeFileSync(join(sa, 'token'), 'sa-token')
  writeFileSync(join(sa, 'namespace'), 'lab\n')
  const result = await probe(dir, {
    env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '1' },
    serviceAccountDir: sa,
    homeDir: dir
  })
  t.equal(result.server, 'https://127.0.0.1:1')
  t.equal(result.code, 'ECONNREFUSED', 'a real connection was attempted')
  t.notOk(loadsYaml(result), 'yaml not loaded')
  t.notOk(loadsClientNode(result), '@kubernetes/client-node not loaded')
  t.comment(`ready and answered in ${Math.round(result.ms)} ms (measured by npm run bench, not held to here)`)
})

t.test('a kubeconfig with an exec plugin loads the YAML parser but not @kubernetes/client-node', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'pino-k8s-events-startup-'))
  const plugin = join(dir, 'plugin.mjs')
  writeFileSync(plugin, 'console.log(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: "t" } }))')
  const kubeconfig = join(dir, 'config')
  writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: c',
    'clusters: [{ name: c, cluster: { server: "http://127.0.0.1:1" } }]',
    `users: [{ name: u, user: { exec: { apiVersion: client.authentication.k8s.io/v1, command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(plugin)}], interactiveMode: Never } } }]`,
    'contexts: [{ name: c, context: { cluster: c, user: u } }]'
  ].join('\n'))
  const result = await probe(dir, { kubeconfig, homeDir: dir, env: {} })
  t.equal(result.code, 'ECONNREFUSED', 'the plugin ran and a connection was attempted')
  t.ok(loadsYaml(result), 'yaml loaded')
  t.notOk(loadsClientNode(result), '@kubernetes/client-node not loaded')
})

t.test('an auth-provider user loads @kubernetes/client-node on demand', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'pino-k8s-events-startup-'))
  const kubeconfig = join(dir, 'config')
  const payload = Buffer.from(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url')
  writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: c',
    'clusters: [{ name: c, cluster: { server: "http://127.0.0.1:1" } }]',
    `users: [{ name: u, user: { auth-provider: { name: oidc, config: { id-token: "e30.${payload}.sig", idp-issuer-url: "https://issuer.invalid", client-id: x } } } }]`,
    'contexts: [{ name: c, context: { cluster: c, user: u } }]'
  ].join('\n'))
  const result = await probe(dir, { kubeconfig, homeDir: dir, env: {} })
  t.equal(result.code, "ECONNREFUSED", "a token was had and a connection attempted", { warnings: result.warnings })
  t.ok(loadsClientNode(result), '@kubernetes/client-node loaded')
})
