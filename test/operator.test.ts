// The example operator (examples/operator.ts, compiled) in its own process against the local API server: what
// Kopf's documentation shows, seen through the real kubectl, across SIGTERM, dropped watches, a 410 and a restart.
import { execFile } from 'node:child_process'
import t, { type Test } from 'tap'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'
import { kubectl, kubectlAvailable } from './apiserver/kubectl.js'
import { OPERATOR_SCRIPT, startOperator, type OperatorProcess } from './helpers/operator-process.js'
import { waitFor } from './helpers/app-process.js'
import { KOPF_ROWS } from './helpers/kopf.js'

const skip = kubectlAvailable() ? false : 'kubectl is not on PATH'
const NS = 'demo'


async function fresh (t: { teardown: (fn: () => unknown) => void }): Promise<{ server: LocalApiServer, kubeconfig: string }> {
  const server = await startApiServer()
  t.teardown(() => server.close())
  await server.createNamespace(NS)
  return { server, kubeconfig: server.kubeconfig({ namespace: NS }) }
}

function kopfExample (name: string): string {
  return JSON.stringify({ apiVersion: 'kopf.dev/v1', kind: 'KopfExample', metadata: { name }, spec: { field: 'value' } })
}

/** The rows under "Events:" in describe output, split on runs of two or more spaces. */
function eventRows (describe: string): string[][] {
  const lines = describe.split('\n')
  const start = lines.findIndex(line => line.startsWith('Events:'))
  if (start < 0) return []
  return lines.slice(start + 3).filter(line => line.trim() !== '').map(line => line.trim().split(/\s{2,}/))
}

async function describeRows (kubeconfig: string, kind: string, name: string): Promise<string[][]> {
  const res = await kubectl(['describe', kind, name], kubeconfig)
  if (res.code !== 0) throw new Error(res.stderr)
  return eventRows(res.stdout)
}

/** Type, Reason, From, Message of each row, sorted; the Age column apart. */
const withoutAge = (rows: string[][]): string[][] => rows.map(([type, reason, , from, message]) => [type, reason, from, message]).sort()

const handled = (name: string) => (line: any): boolean => line.msg === 'All handlers succeeded.' && line.k8sObject?.name === name

async function stop (t: Test, operator: OperatorProcess, afterSignal = (): void => {}): Promise<void> {
  operator.kill('SIGTERM')
  afterSignal()
  const { code, signal } = await operator.exited
  t.same({ code, signal }, { code: 0, signal: null }, 'SIGTERM ends it through process.exit(0)')
  t.equal(operator.stderr(), '', 'no diagnostics: nothing dropped')
}

t.test('the example operator posts the Kopf page\'s six rows and the Pod\'s row, and loses nothing at SIGTERM', { skip }, async t => {
  const { server, kubeconfig } = await fresh(t)
  // Every Event write waits for the SIGTERM, so that all are pending when it comes.
  let release = (): void => {}
  const hold = new Promise<void>(resolve => { release = resolve })
  server.faults.add({ method: 'POST', path: /\/events(\?|$)/, times: Infinity, action: { hold } })
  const operator = startOperator(kubeconfig, NS)
  const created = await kubectl(['create', '-f', '-'], kubeconfig, kopfExample('kopf-example-1'))
  t.equal(created.stdout, 'kopfexample.kopf.dev/kopf-example-1 created\n', created.stderr)
  await operator.line(handled('kopf-example-1'))
  t.equal(server.listEvents(NS).length, 0, 'every Event is pending at SIGTERM')
  await stop(t, operator, release)

  t.same(withoutAge(await describeRows(kubeconfig, 'kopfexample', 'kopf-example-1')), KOPF_ROWS)
  t.same(withoutAge(await describeRows(kubeconfig, 'pod', 'kopf-example-1-pod')), [['Normal', 'SomeReason', 'kopf', 'This pod is created by KopfExample kopf-example-1']])

  const pod = JSON.parse((await kubectl(['get', 'pod', 'kopf-example-1-pod', '-o', 'json'], kubeconfig)).stdout)
  const podEvent = server.listEvents(NS).find(e => e.involvedObject.kind === 'Pod')
  t.same(podEvent.involvedObject, { kind: 'Pod', namespace: NS, name: 'kopf-example-1-pod', uid: pod.metadata.uid, apiVersion: 'v1' }, 'the V1Pod instance client-node returned names the pod')
  t.same(pod.metadata.ownerReferences.map((o: any) => o.name), ['kopf-example-1'], 'the pod the handler created')
})

/** Events about one object: message → count. */
function countsFor (server: LocalApiServer, name: string): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const event of server.listEvents(NS)) {
    if (event.involvedObject.name !== name) continue
    const key = `${String(event.type)} ${String(event.reason)} ${String(event.message)}`
    if (counts[key] !== undefined) throw new Error(`two Events for ${key}`)
    counts[key] = event.count
  }
  return counts
}

t.test('after a dropped watch and a 410 re-list there is still one Event per message; a handler run again counts on it', { skip }, async t => {
  const { server, kubeconfig } = await fresh(t)
  const kopfexamples = (r: { method: string, path: string }): boolean => r.method === 'GET' && r.path.startsWith(`/apis/kopf.dev/v1/namespaces/${NS}/kopfexamples`)
  const lists = (): number => server.requests.filter(r => kopfexamples(r) && !r.path.includes('watch=')).length
  let operator = startOperator(kubeconfig, NS)
  await kubectl(['create', '-f', '-'], kubeconfig, kopfExample('example-a'))
  await operator.line(handled('example-a'))
  t.ok(await waitFor(() => server.watches.paths().length === 1, 30_000))

  // A watch that breaks: the informer resumes from its resourceVersion.
  server.watches.drop()
  await kubectl(['create', '-f', '-'], kubeconfig, kopfExample('example-b'))
  await operator.line(handled('example-b'))
  t.equal(lists(), 1, 'resumed without a list')

  // A watch that breaks while the history it needs goes away: 410 Expired, then a list.
  server.faults.add({ path: `/apis/kopf.dev/v1/namespaces/${NS}/kopfexamples?`, times: Infinity, action: { dropAfter: 0 } })
  server.watches.drop()
  await kubectl(['create', '-f', '-'], kubeconfig, kopfExample('example-c'))
  server.compactHistory()
  server.faults.clear()
  await operator.line(handled('example-c'))
  t.equal(lists(), 2, 're-listed after the 410')
  t.ok(server.requests.some(r => kopfexamples(r) && r.path.includes('watch=true') && r.status === 200), 'watched')
  await stop(t, operator)
  t.equal(operator.lines.filter(line => line.msg === 'All handlers succeeded.').length, 3, 'the re-list did not run a handler again')

  const once = Object.fromEntries(KOPF_ROWS.map(([type, reason, , message]) => [`${type} ${reason} ${message}`, 1]))
  for (const name of ['example-a', 'example-b', 'example-c']) t.same(countsFor(server, name), once, `${name}: one Event per message`)

  // A restarted operator lists the objects and runs its handler again for each: the Events count it.
  operator = startOperator(kubeconfig, NS)
  for (const name of ['example-a', 'example-b', 'example-c']) await operator.line(handled(name))
  await stop(t, operator)
  const twice = Object.fromEntries(Object.keys(once).map(key => [key, 2]))
  for (const name of ['example-a', 'example-b', 'example-c']) {
    t.same(countsFor(server, name), twice, `${name}: the same Events, counted twice`)
    t.same(countsFor(server, `${name}-pod`), { [`Normal SomeReason This pod is created by KopfExample ${name}`]: 2 })
  }
  const rows = await describeRows(kubeconfig, 'kopfexample', 'example-a')
  t.equal(rows.length, 6, 'kubectl describe still shows six rows')
  t.ok(rows.every(row => / \(x2 over .+\)$/.test(row[2])), `with the count in the Age column: ${JSON.stringify(rows)}`)
})

t.test('npm run demo: the operator against the local API server, ending with the describe output', { skip }, async t => {
  const demo = OPERATOR_SCRIPT.replace(/operator\.js$/, 'demo.js')
  const env = { ...process.env }
  delete env.KUBECONFIG
  const run = await new Promise<{ code: number | null, stdout: string, stderr: string }>(resolve => {
    execFile(process.execPath, [demo], { env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr })
    })
  })
  t.equal(run.code, 0, run.stderr)
  t.match(run.stdout, /operator exited with code 0\n/)
  const [kopfExample, pod] = run.stdout.split('$ kubectl describe ').slice(1)
  t.same(withoutAge(eventRows(kopfExample)), KOPF_ROWS)
  t.same(withoutAge(eventRows(pod)), [['Normal', 'SomeReason', 'kopf', 'This pod is created by KopfExample kopf-example-1']])
})
