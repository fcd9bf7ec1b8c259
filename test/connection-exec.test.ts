// Exec credential plugins as users write them: a shell script next to the kubeconfig, named by a relative path,
// against the local API server's token authentication (TLS, so kubectl sends tokens too and can show parity).
// Each plugin run appends a line to a file, so the tests count runs; the token it prints is read from a file the
// test rotates, and a test can hold a run until it releases it.
import t, { type Test } from 'tap'
import { execFile } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { createApiClient, type ApiClientOptions } from '../lib/connection/index.js'
import { createDiagnostics } from '../lib/diagnostics.js'
import { createRecorder } from '../lib/recorder.js'
import type { ApiClient } from '../lib/types.js'
import { startApiServer } from './apiserver/server.js'
import { kubectlAvailable } from './apiserver/kubectl.js'
import { dropped, shape, testConfig } from './helpers/recorder.js'
import { startLogger } from './helpers/transport.js'
import { waitFor } from './helpers/wait.js'

const server = await startApiServer()
await server.createNamespace('lab')
t.teardown(() => server.close())
const LIST = { method: 'GET', path: '/api/v1/namespaces/lab/events' } as const
const ALL_RULES = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]
const cluster = (parse(server.kubeconfigYaml()) as { clusters: Array<{ cluster: Record<string, string> }> }).clusters[0].cluster

interface Plugin {
  dir: string
  runs: () => number
  setToken: (token: string) => void
  /** runs from now on wait, after reading the token, until release() */
  hold: () => void
  release: () => void
  /** what the next runs print as expirationTimestamp */
  expiresAt: (when: Date) => void
}

/** A directory with kubeconfig and get-token.sh (mode 755) that prints the token in the file `token`. */
function pluginDir (token: string, script = 'get-token.sh'): Plugin {
  const dir = mkdtempSync(join(tmpdir(), 'pino-k8s-events-exec-'))
  writeFileSync(join(dir, 'token'), token)
  writeFileSync(join(dir, script), [
    '#!/bin/sh',
    `d='${dir}'`,
    // The run is counted once it has read its token: a test that sees the count knows which token it has.
    'token=$(cat "$d/token")',
    'echo run >> "$d/runs"',
    'if [ -f "$d/hold" ]; then while [ ! -f "$d/release" ]; do sleep 0.02; done; fi',
    'exp=""',
    'if [ -f "$d/expires" ]; then exp=", \\"expirationTimestamp\\": \\"$(cat "$d/expires")\\""; fi',
    'printf \'{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "status": {"token": "%s"%s}}\\n\' "$token" "$exp"',
    ''
  ].join('\n'))
  chmodSync(join(dir, script), 0o755)
  const runsFile = join(dir, 'runs')
  return {
    dir,
    runs: () => existsSync(runsFile) ? readFileSync(runsFile, 'utf8').split('\n').filter(Boolean).length : 0,
    setToken: token => { writeFileSync(join(dir, 'token'), token) },
    hold: () => { writeFileSync(join(dir, 'hold'), '') },
    release: () => { writeFileSync(join(dir, 'release'), '') },
    expiresAt: when => { writeFileSync(join(dir, 'expires'), when.toISOString()) }
  }
}

/** kubeconfig in `dir`, whose user runs `command` as written (relative paths are the point) */
function writeKubeconfig (dir: string, command: string): void {
  writeFileSync(join(dir, 'kubeconfig'), JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local', cluster }],
    users: [{ name: 'me', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command, interactiveMode: 'Never' } } }],
    contexts: [{ name: 'local', context: { cluster: 'local', user: 'me', namespace: 'lab' } }],
    'current-context': 'local'
  }))
}

function makeClient (t: Test, opts: Partial<ApiClientOptions>): { client: ApiClient, warnings: string[] } {
  const warnings: string[] = []
  const client = createApiClient({ requestTimeoutMs: 10_000, diagnostics: { warn: (_k, m) => warnings.push(m), emit () {} }, env: { PATH: process.env.PATH }, ...opts })
  t.teardown(() => client.close())
  return { client, warnings }
}

async function status (client: ApiClient): Promise<number | string> {
  const result = await client.request(LIST)
  return result.kind === 'response' ? result.status : `${result.code}: ${result.message}`
}

/** runs `fn` with the process in `dir`, as a user starting the app from the kubeconfig's directory */
async function inDirectory<T> (dir: string, fn: () => Promise<T>): Promise<T> {
  const before = process.cwd()
  process.chdir(dir)
  try {
    return await fn()
  } finally {
    process.chdir(before)
  }
}

t.test('a relative kubeconfig path with command ./get-token.sh: the plugin beside the kubeconfig runs, as with kubectl', async t => {
  const token = server.addUser('exec-relative', { rules: ALL_RULES })
  const plugin = pluginDir(token)
  writeKubeconfig(plugin.dir, './get-token.sh')
  await inDirectory(plugin.dir, async () => {
    const byOption = makeClient(t, { kubeconfig: 'kubeconfig' })
    const byEnv = makeClient(t, { env: { PATH: process.env.PATH, KUBECONFIG: 'kubeconfig' } })
    // Moved elsewhere after start: the directory was made absolute when the kubeconfig was read.
    process.chdir(tmpdir())
    t.equal(await status(byOption.client), 200, 'kubeconfig option')
    t.equal(await status(byEnv.client), 200, 'KUBECONFIG')
    t.same([...byOption.warnings, ...byEnv.warnings], [])
  })
  t.equal(plugin.runs(), 2, 'one run per client')
  if (!kubectlAvailable()) return
  // kubectl, started in the same directory with the same relative KUBECONFIG, runs the same plugin.
  const listed = await new Promise<{ code: number, stdout: string, stderr: string }>(resolve => {
    execFile('kubectl', ['get', 'events', '-n', 'lab', '-o', 'name'], {
      cwd: plugin.dir,
      env: { PATH: process.env.PATH, HOME: plugin.dir, KUBECONFIG: 'kubeconfig', KUBECACHEDIR: '/dev/null/nocache' },
      timeout: 60_000
    }, (err, stdout, stderr) => { resolve({ code: err === null ? 0 : 1, stdout, stderr }) })
  })
  t.equal(listed.code, 0, `kubectl: ${listed.stderr}`)
  t.equal(plugin.runs(), 3, 'kubectl ran the plugin too')
})

t.test('a plugin that cannot run: the message names the command, the file tried and the fix', async t => {
  const plugin = pluginDir('unused')
  const kubeconfig = join(plugin.dir, 'kubeconfig')
  writeKubeconfig(plugin.dir, './missing.sh')
  const missing = await status(makeClient(t, { kubeconfig }).client)
  t.equal(missing, `CREDENTIALS: exec plugin ./missing.sh could not be run: ${join(plugin.dir, 'missing.sh')} (./missing.sh taken from the directory of the kubeconfig ${kubeconfig}) does not exist (ENOENT); put the plugin there or correct exec.command in the kubeconfig ${kubeconfig}`)

  chmodSync(join(plugin.dir, 'get-token.sh'), 0o644)
  writeKubeconfig(plugin.dir, './get-token.sh')
  const notExecutable = await status(makeClient(t, { kubeconfig }).client)
  t.match(notExecutable, /^CREDENTIALS: exec plugin \.\/get-token\.sh could not be run: .*\/get-token\.sh .* is not executable \(EACCES\); make it executable: chmod \+x .*\/get-token\.sh$/)

  writeKubeconfig(plugin.dir, 'get-token.sh')
  const notOnPath = await status(makeClient(t, { kubeconfig }).client)
  t.equal(notOnPath, `CREDENTIALS: exec plugin get-token.sh could not be run: get-token.sh is not on PATH (ENOENT); install it, add its directory to PATH, or give its path in the kubeconfig ${kubeconfig} (a relative path is taken from that file's directory)`)
  t.equal(plugin.runs(), 0)
})

t.test('a run that started before a reload is not held: the request waits for a run started after it', async t => {
  const oldToken = server.addUser('exec-reload', { rules: ALL_RULES })
  const plugin = pluginDir(oldToken)
  writeKubeconfig(plugin.dir, './get-token.sh')
  const { client } = makeClient(t, { kubeconfig: join(plugin.dir, 'kubeconfig'), execMinIntervalMs: 100 })
  plugin.hold()
  const waiting = status(client)
  t.ok(await waitFor(() => plugin.runs() === 1), 'the first run has read the old token and is held')
  // The old token is revoked and rotated while that run is out; a 401 elsewhere reloads the credentials.
  const newToken = server.addUser('exec-reload')
  server.removeToken(oldToken)
  plugin.setToken(newToken)
  client.reloadCredentials()
  server.clearRequests()
  plugin.release()
  t.equal(await waiting, 200, 'answered with the token of a run started after the reload')
  t.same(server.requests.map(r => r.status), [200], 'the old token was never sent')
  t.equal(plugin.runs(), 2)
})

t.test('a credential that arrives already expired: used, told once, and the plugin runs at most once per interval', async t => {
  const token = server.addUser('exec-expired', { rules: ALL_RULES })
  const plugin = pluginDir(token)
  plugin.expiresAt(new Date(Date.now() - 3_600_000))
  writeKubeconfig(plugin.dir, './get-token.sh')
  const intervalMs = 1_000
  const { client, warnings } = makeClient(t, { kubeconfig: join(plugin.dir, 'kubeconfig'), execMinIntervalMs: intervalMs })
  const started = performance.now()
  const statuses: Array<number | string> = []
  for (let i = 0; i < 40; i++) statuses.push(...await Promise.all([status(client), status(client)]))
  const elapsed = performance.now() - started
  t.same(new Set(statuses), new Set([200]), 'every request carried the credential')
  t.ok(plugin.runs() >= 1)
  t.ok(plugin.runs() <= 1 + Math.ceil(elapsed / intervalMs), `${plugin.runs()} runs in ${Math.round(elapsed)} ms, not one per request (80)`)
  const told = warnings.filter(w => /printed a credential that had already expired/.test(w))
  t.ok(told.length >= 1, 'the user is told')
  t.match(told[0], /exec plugin \.\/get-token\.sh printed a credential that had already expired \(expirationTimestamp .*Z, 3600 s ago\).*check the plugin's cached credential and this machine's clock/)
})

t.test('many Events refused with 401 at once: one plugin run, and every retry carries the new token', async t => {
  const oldToken = server.addUser('exec-burst', { rules: ALL_RULES })
  const plugin = pluginDir(oldToken)
  writeKubeconfig(plugin.dir, './get-token.sh')
  const lines: string[] = []
  const diagnostics = { warn: createDiagnostics('pino-k8s-events', line => lines.push(line)).warn, emit () {} }
  // The default minimum interval between runs (5 s) stands: the refused burst comes right after the first run.
  const client = createApiClient({ kubeconfig: join(plugin.dir, 'kubeconfig'), requestTimeoutMs: 10_000, diagnostics, env: { PATH: process.env.PATH } })
  const config = testConfig({ delivery: { concurrency: 16, flushTimeoutMs: 60_000 }, correlation: { rateLimit: false } })
  const recorder = createRecorder({ config, source: { component: config.component, instance: config.instance }, client, diagnostics })
  t.teardown(async () => await recorder.close())

  recorder.record(shape({ reason: 'BeforeRotation' }))
  await recorder.flush()
  t.equal(plugin.runs(), 1)
  const newToken = server.addUser('exec-burst')
  server.removeToken(oldToken)
  plugin.setToken(newToken)
  server.clearRequests()
  const EVENTS = 32
  for (let i = 0; i < EVENTS; i++) recorder.record(shape({ reason: `Refused${i}` }))
  await recorder.flush()

  t.equal(plugin.runs(), 2, 'one fresh credential for the whole burst')
  const writes = server.requests.filter(r => r.method === 'POST')
  const refused = writes.filter(r => r.status === 401).length
  t.ok(refused >= 1 && refused <= EVENTS, `${refused} refused: only those sent before the first 401 came back`)
  t.equal(writes.filter(r => r.status === 201).length, EVENTS, 'every Event written, each once')
  t.equal(writes.length, EVENTS + refused, 'no Event was refused twice: no retry carried the old token')
  t.same(dropped(recorder), {})
  t.equal(server.listEvents('lab').filter(e => /^Refused/.test(e.reason)).length, EVENTS)
})

t.test('a 401 for a credential already replaced asks for nothing: no run, the new credential stays', async t => {
  const oldToken = server.addUser('exec-late', { rules: ALL_RULES })
  const plugin = pluginDir(oldToken)
  writeKubeconfig(plugin.dir, './get-token.sh')
  // No minimum interval: only which credential was refused decides whether the plugin runs.
  const { client } = makeClient(t, { kubeconfig: join(plugin.dir, 'kubeconfig'), execMinIntervalMs: 0 })
  t.equal(await status(client), 200)
  const newToken = server.addUser('exec-late')
  server.removeToken(oldToken)
  plugin.setToken(newToken)
  let release = (): void => {}
  server.faults.add({ path: '/api/v1/namespaces/lab/events?limit=1', action: { hold: new Promise<void>(resolve => { release = resolve }) } })
  server.clearRequests()
  const late = client.request({ method: 'GET', path: '/api/v1/namespaces/lab/events?limit=1' })
  t.ok(await waitFor(() => server.requests.length === 1), 'a request with the old token is at the server')
  t.equal(await status(client), 401, 'the old token is refused')
  t.equal(await status(client), 200, 'the next request carries a new one')
  t.equal(plugin.runs(), 2)
  release()
  t.match(await late, { kind: 'response', status: 401 }, 'the held request is refused late, for the old token')
  t.equal(await status(client), 200)
  t.equal(plugin.runs(), 2, 'that late 401 started no run')
})

t.test('through pino.transport(): kubeconfig \'kubeconfig\' with command ./get-token.sh posts the Event', async t => {
  const token = server.addUser('exec-transport', { rules: ALL_RULES })
  const plugin = pluginDir(token)
  writeKubeconfig(plugin.dir, './get-token.sh')
  const pod = await server.createObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'exec-pod', namespace: 'lab' }, spec: {} })
  await inDirectory(plugin.dir, async () => {
    const running = await startLogger({ component: 'my-operator', kubeconfig: 'kubeconfig' })
    running.logger.child({ k8sObject: pod }).warn('seen through an exec plugin')
    await running.close()
    t.same(running.errors, [])
    t.same(running.emitted.k8sEventDropped, [], 'nothing dropped')
  })
  const events = server.listEvents('lab').filter(e => e.involvedObject.name === 'exec-pod')
  t.equal(events.length, 1)
  t.equal(events[0].message, 'seen through an exec plugin')
  t.equal(plugin.runs(), 1)
})
