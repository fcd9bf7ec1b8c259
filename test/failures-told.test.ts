// A failing connection is told at once, once per kind of failure, with its cause in words and that events are
// kept; the recovery is told; the summary at exit says why events were dropped. Real applications (pino.transport()
// on dist/) against the local API server, stderr read from their processes.
import t, { type Test } from 'tap'
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'
import { kubeconfigYaml } from './apiserver/kubeconfig.js'
import { createPki } from './helpers/pki.js'
import { diagnosticLines, startApp, waitFor, type AppProcess } from './helpers/app-process.js'

let server: LocalApiServer
let kubeconfig: string
const dir = mkdtempSync(join(tmpdir(), 'pino-k8s-events-failures-'))

t.before(async () => {
  server = await startApiServer()
  kubeconfig = server.kubeconfig()
  await server.createNamespace('lab')
})
t.teardown(async () => await server.close())
t.beforeEach(() => { server.faults.clear() })

/**
 * `log <count> <reason>` logs warnings about distinct pods; `retried <n>` and `posted <n>` wait until that many retries
 * or creations; `flushed` flushes; `exit`
 */
const SCRIPT = `
  const pod = (i) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod-' + i, namespace: 'lab', uid: 'uid-' + i } })
  let logged = 0
  for (;;) {
    const [verb, arg, reason] = (await command()).split(' ')
    if (verb === 'log') {
      for (let i = 0; i < Number(arg); i++) logger.warn({ k8sObject: pod(logged++), reason }, 'warning ' + logged)
      report('logged ' + arg + ' ' + reason, Date.now())
    } else if (verb === 'retried') {
      report('retried ' + arg, await statsWhere(s => s.retried >= Number(arg)))
    } else if (verb === 'posted') {
      report('posted ' + arg, await statsWhere(s => s.posted >= Number(arg)))
    } else if (verb === 'flushed') {
      report('flushed', await settledStats())
    } else if (verb === 'exit') {
      process.exit(0)
    }
  }
`

function start (options: Record<string, unknown>): AppProcess {
  return startApp({ options: { flushTimeout: 1000, ...options }, script: SCRIPT })
}

function writeKubeconfig (name: string, yaml: string): string {
  const path = join(dir, name)
  writeFileSync(path, yaml)
  return path
}

const told = (app: AppProcess, pattern: RegExp): string[] => diagnosticLines(app.stderr).filter(line => pattern.test(line))

/** logs, waits for the first line matching `pattern`, then more failures of the same kind, then exits */
async function failsOnce (t: Test, app: AppProcess, pattern: RegExp): Promise<string[]> {
  app.send('log 3 Unreachable')
  const loggedAt = await app.report('logged 3 Unreachable')
  t.ok(await waitFor(() => told(app, pattern).length > 0), `told: ${app.stderr}`)
  t.comment(`told ${Date.now() - loggedAt} ms after the lines were logged`)
  app.send('log 3 Again')
  await app.report('logged 3 Again')
  app.send('retried 12')
  t.equal(await app.report('retried 12'), true, 'failures went on')
  app.send('exit')
  const run = await app.ended
  const lines = diagnosticLines(run.stderr)
  t.equal(lines.filter(line => pattern.test(line) && !line.startsWith('dropped ')).length, 1, 'told once however often it fails')
  t.match(lines[0], /Events are kept and retried for up to 5 min \(maxRetryAge\)/)
  return lines
}

t.test('a kubeconfig whose CA did not sign the server certificate', async t => {
  const other = createPki()
  const yaml = server.kubeconfigYaml().replace(/certificate-authority-data: .*/, `certificate-authority-data: ${Buffer.from(other.caCert).toString('base64')}`)
  const app = start({ kubeconfig: writeKubeconfig('other-ca.yaml', yaml) })
  const lines = await failsOnce(t, app, /certificate authority/)
  t.match(lines[0], new RegExp(`^cannot connect to the Kubernetes API at ${server.url}: its certificate is not signed by a certificate authority the kubeconfig trusts \\(x509: certificate signed by unknown authority; [A-Z_]+\\)\\. Fix the cluster's certificate-authority`))
  t.equal(lines.length, 2, lines.join('\n'))
  // Closed, or unconfirmed when a write was out at exit (on a busy machine): either way the summary says why.
  t.match(lines[1], /^dropped 6 events: \d+ closed \(the transport closed before they were written\).*; meanwhile the Kubernetes API at .* could not be used: its certificate is not signed by a certificate authority the kubeconfig trusts/)
})

t.test('a host name that is not found', async t => {
  const yaml = kubeconfigYaml({ url: 'https://nonexistent.invalid:6443', users: new Map([['admin', 'token']]), currentUser: 'admin', namespace: 'default' })
  const app = start({ kubeconfig: writeKubeconfig('no-such-host.yaml', yaml) })
  const lines = await failsOnce(t, app, /not found in DNS/)
  t.match(lines[0], /^cannot connect to the Kubernetes API at https:\/\/nonexistent\.invalid:6443: the host name "nonexistent\.invalid" is not found in DNS \((ENOTFOUND|EAI_AGAIN)\)\. Check the server address/)
  t.match(lines.at(-1), /^dropped 6 events: \d+ closed \(.*; meanwhile the Kubernetes API at https:\/\/nonexistent\.invalid:6443 could not be used: the host name "nonexistent\.invalid" is not found in DNS/)
})

t.test('no answer within requestTimeout', async t => {
  server.faults.add({ path: '/api/v1/namespaces/lab/events', times: Infinity, action: { hang: true } })
  const app = start({ kubeconfig, requestTimeout: 500 })
  const lines = await failsOnce(t, app, /no answer in time/)
  t.match(lines[0], /^cannot connect to the Kubernetes API at .*: no answer in time \(timeout: no answer within 500 ms\)/)
})

t.test('a refused connection, then the server back: told once each, and nothing lost', async t => {
  await server.stop()
  const app = start({ kubeconfig })
  app.send('log 3 Refused')
  await app.report('logged 3 Refused')
  t.ok(await waitFor(() => told(app, /connection refused/).length > 0), `told: ${app.stderr}`)
  app.send('retried 9')
  await app.report('retried 9')
  await server.start()
  t.ok(await waitFor(() => told(app, /answers again/).length > 0), `recovery told: ${app.stderr}`)
  // The events kept are written after their retry's wait, which on a busy machine may outlast a flush's timeout.
  app.send('posted 3')
  t.ok(await app.report('posted 3'), 'the three kept events are written')
  app.send('flushed')
  const stats = await app.report('flushed')
  t.equal(stats.posted, 3)
  t.same(Object.values(stats.dropped).filter(count => count !== 0), [])
  app.send('exit')
  const lines = diagnosticLines((await app.ended).stderr)
  t.equal(lines.length, 2, lines.join('\n'))
  t.match(lines[0], new RegExp(`^cannot connect to the Kubernetes API at ${server.url}: connection refused \\(ECONNREFUSED\\): nothing listens at that address and port`))
  t.match(lines[1], new RegExp(`^the Kubernetes API at ${server.url} answers again after [\\d.]+ (ms|s); the events kept meanwhile are being written$`))
  t.equal(server.listEvents('lab').filter((event: any) => event.reason === 'Refused').length, 3)
})

t.test('credentials the server does not accept (401): told at once, once', async t => {
  const yaml = server.kubeconfigYaml().replace(/token: .*/g, 'token: not-a-token')
  const app = start({ kubeconfig: writeKubeconfig('bad-token.yaml', yaml) })
  app.send('log 3 Unauthorized')
  await app.report('logged 3 Unauthorized')
  t.ok(await waitFor(() => told(app, /does not accept the credentials/).length > 0), `told: ${app.stderr}`)
  app.send('log 3 Again')
  app.send('flushed')
  const stats = await app.report('flushed')
  t.equal(stats.dropped.unauthorized, 6)
  app.send('exit')
  const lines = diagnosticLines((await app.ended).stderr)
  t.equal(lines.length, 2, lines.join('\n'))
  t.match(lines[0], /^the API server does not accept the credentials even after reading them again \(401 Unauthorized\): Unauthorized\. Events are dropped until it does/)
  t.match(lines[1], /^dropped 6 events: 6 unauthorized \(the API server did not accept the credentials\)$/)
})

t.test('a configuration problem is told once, and the summary names it', async t => {
  const app = start({ kubeconfig: join(dir, 'missing-kubeconfig.yaml') })
  app.send('log 3 Unconfigured')
  await app.report('logged 3 Unconfigured')
  app.send('flushed')
  await app.report('flushed')
  app.send('exit')
  const lines = diagnosticLines((await app.ended).stderr)
  t.equal(lines.length, 2, lines.join('\n'))
  t.match(lines[0], /^no events will be posted: cannot read kubeconfig .*missing-kubeconfig\.yaml: ENOENT/)
  t.match(lines[1], /^dropped 3 events: 3 no-connection \(no usable connection configuration\)$/)
})
