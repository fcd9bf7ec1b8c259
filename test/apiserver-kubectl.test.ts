import t from 'tap'
import { startApiServer } from './apiserver/server.js'
import { rawRequest } from './apiserver/raw-client.js'
import { kubectl, kubectlAvailable } from './apiserver/kubectl.js'

const skip = kubectlAvailable() ? false : 'kubectl is not on PATH'

const server = await startApiServer()
t.teardown(() => server.close())
const kubeconfig = server.kubeconfig({ namespace: 'lab' })
await server.createNamespace('lab')
const pod = await server.createObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'demo-pod', namespace: 'lab' }, spec: { containers: [{ name: 'app', image: 'busybox' }] } })
const kex = await server.createObject({ apiVersion: 'kopf.dev/v1', kind: 'KopfExample', metadata: { name: 'kopf-example-1', namespace: 'lab' }, spec: { field: 'value' } })
const node = await server.createObject({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } })

function micro (msAgo: number): string {
  return new Date(Date.now() - msAgo).toISOString().replace('Z', '000Z')
}
function seconds (msAgo: number): string {
  return new Date(Date.now() - msAgo).toISOString().slice(0, 19) + 'Z'
}
async function post (path: string, body: object): Promise<any> {
  const res = await rawRequest(server, { method: 'POST', path, body })
  if (res.status !== 201) throw new Error(`${res.status} ${res.text}`)
  return res.body
}
const podRef = { apiVersion: 'v1', kind: 'Pod', name: 'demo-pod', namespace: 'lab', uid: pod.metadata.uid }

/** The rows under "Events:" in describe output, split on runs of two or more spaces. */
function eventRows (describe: string): string[][] {
  const lines = describe.split('\n')
  const start = lines.findIndex(line => line.startsWith('Events:'))
  if (start < 0) return []
  return lines.slice(start + 3).filter(line => line.trim() !== '').map(line => line.trim().split(/\s{2,}/))
}

t.test('kubectl create -f makes events through both APIs', { skip }, async t => {
  const manifest = `apiVersion: v1
kind: Event
metadata:
  name: by-kubectl-core
involvedObject:
  apiVersion: v1
  kind: Pod
  name: demo-pod
  namespace: lab
  uid: ${String(pod.metadata.uid)}
reason: Created
message: made by kubectl through core/v1
type: Normal
source:
  component: kubectl-test
firstTimestamp: "${seconds(30_000)}"
lastTimestamp: "${seconds(30_000)}"
count: 1
---
apiVersion: events.k8s.io/v1
kind: Event
metadata:
  name: by-kubectl-events
regarding:
  apiVersion: v1
  kind: Pod
  name: demo-pod
  namespace: lab
  uid: ${String(pod.metadata.uid)}
reason: Created
note: made by kubectl through events.k8s.io
type: Normal
eventTime: "${micro(30_000)}"
reportingController: kubectl-test
reportingInstance: here
action: Create
`
  const res = await kubectl(['create', '-f', '-'], kubeconfig, manifest)
  t.equal(res.code, 0, res.stderr)
  t.equal(res.stdout, 'event/by-kubectl-core created\nevent.events.k8s.io/by-kubectl-events created\n')
  const stored = server.listEvents('lab').map(e => e.metadata.name)
  t.ok(stored.includes('by-kubectl-core') && stored.includes('by-kubectl-events'))
  const posts = server.requests.filter(r => r.method === 'POST').map(r => r.path.split('?')[0])
  t.same(posts.slice(-2), ['/api/v1/namespaces/lab/events', '/apis/events.k8s.io/v1/namespaces/lab/events'])
  const denied = await kubectl(['create', '-f', '-', '--context', 'nobody'], kubeconfig, manifest.replace(/by-kubectl/g, 'denied'))
  t.not(denied.code, 0)
  t.match(denied.stderr, 'events is forbidden: User "nobody" cannot create resource "events" in API group "" in the namespace "lab"')
})

t.test('kubectl describe pod shows the Events table of core/v1, events.k8s.io/v1 and legacy events', { skip }, async t => {
  await post('/api/v1/namespaces/lab/events', {
    metadata: { name: 'demo-pod.started' }, involvedObject: podRef, reason: 'Started', message: 'core/v1 event with eventTime', type: 'Normal',
    eventTime: micro(1000), reportingComponent: 'pino-k8s-events', reportingInstance: 'devbox-1234', action: 'Log'
  })
  await post('/apis/events.k8s.io/v1/namespaces/lab/events', {
    metadata: { name: 'demo-pod.logged' }, regarding: podRef, reason: 'Logged', note: 'events.k8s.io/v1 event', type: 'Normal',
    eventTime: micro(1000), reportingController: 'pino-k8s-events', reportingInstance: 'devbox-1234', action: 'Log'
  })
  await post('/api/v1/namespaces/lab/events', {
    metadata: { name: 'demo-pod.backoff' }, involvedObject: podRef, reason: 'BackOff', message: 'legacy core/v1 event without eventTime', type: 'Warning',
    source: { component: 'pino-k8s-events' }, firstTimestamp: seconds(12_000), lastTimestamp: seconds(12_000), count: 1
  })
  await post('/api/v1/namespaces/lab/events', {
    metadata: { name: 'demo-pod.nouid' }, involvedObject: { ...podRef, uid: undefined }, reason: 'NoUid', message: 'no uid in the reference', type: 'Normal',
    source: { component: 'pino-k8s-events' }, firstTimestamp: seconds(0), lastTimestamp: seconds(0), count: 1
  })

  let res = await kubectl(['describe', 'pod', 'demo-pod'], kubeconfig)
  t.equal(res.code, 0, res.stderr)
  t.match(res.stdout, /\nEvents:\n {2}Type +Reason +Age +From +Message\n {2}----  +------ +---- +---- +-------\n/)
  const rows = eventRows(res.stdout)
  const byReason = new Map(rows.map(row => [row[1], row]))
  t.match(byReason.get('Started'), ['Normal', 'Started', /^\d+s$/, 'pino-k8s-events', 'core/v1 event with eventTime'])
  t.match(byReason.get('Logged'), ['Normal', 'Logged', /^\d+s$/, 'pino-k8s-events', 'events.k8s.io/v1 event'])
  t.match(byReason.get('BackOff'), ['Warning', 'BackOff', /^1\ds$/, 'pino-k8s-events', 'legacy core/v1 event without eventTime'])
  t.match(byReason.get('Created'), ['Normal', 'Created', /^\d+s$/, 'kubectl-test'])
  t.notOk(byReason.has('NoUid'), 'describe filters on the uid')

  const patched = await rawRequest(server, {
    method: 'PATCH',
    path: '/api/v1/namespaces/lab/events/demo-pod.backoff',
    contentType: 'application/merge-patch+json',
    body: { count: 2, lastTimestamp: seconds(4000) }
  })
  t.equal(patched.status, 200)
  res = await kubectl(['describe', 'pod', 'demo-pod'], kubeconfig)
  const backoff = eventRows(res.stdout).find(row => row[1] === 'BackOff')
  t.match(backoff?.[2], /^[3-9]s \(x2 over 1\ds\)$/, 'a merge-patched count shows as (x2 over ...)')

  const listed = await kubectl(['get', 'events', '--field-selector', 'reason=NoUid'], kubeconfig)
  t.match(listed.stdout, /NoUid +pod\/demo-pod +no uid in the reference/, 'but get lists it')
})

t.test('kubectl get events -A -o wide shows every column the real printer has', { skip }, async t => {
  const res = await kubectl(['get', 'events', '-A', '-o', 'wide'], kubeconfig)
  t.equal(res.code, 0, res.stderr)
  const [header, ...lines] = res.stdout.trimEnd().split('\n')
  t.same(header.trim().split(/\s{2,}/), ['NAMESPACE', 'LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME'])
  const started = lines.find(line => line.includes('demo-pod.started'))
  t.match(started, /^lab +\d+s +Normal +Started +pod\/demo-pod +pino-k8s-events, devbox-1234 +core\/v1 event with eventTime +\d+s +1 +demo-pod\.started$/)
  const backoff = lines.find(line => line.includes('demo-pod.backoff'))
  t.match(backoff, /^lab +\d+s +Warning +BackOff +pod\/demo-pod +pino-k8s-events +legacy core\/v1 event without eventTime +1\ds +2 +demo-pod\.backoff$/)
  const narrow = await kubectl(['get', 'ev', '-n', 'lab'], kubeconfig)
  t.same(narrow.stdout.split('\n')[0].trim().split(/\s{2,}/), ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'])
})

t.test('kubectl describe kopfexample shows a table like the Kopf documentation', { skip }, async t => {
  const kexRef = { apiVersion: 'kopf.dev/v1', kind: 'KopfExample', name: 'kopf-example-1', namespace: 'lab', uid: kex.metadata.uid }
  const kopfStyle = [
    ['Normal', 'SomeReason', 'Some message'],
    ['Normal', 'Success', 'Handler create_fn succeeded.'],
    ['SomeType', 'SomeReason', 'Some message'],
    ['Normal', 'Finished', 'All handlers succeeded.'],
    ['Error', 'SomeReason', 'Some exception: Exception text.'],
    ['Warning', 'SomeReason', 'Some message']
  ]
  for (const [type, reason, message] of kopfStyle) {
    const now = micro(0)
    await post('/api/v1/namespaces/lab/events', {
      metadata: { generateName: 'kopf-event-' }, involvedObject: kexRef, type, reason, message, action: 'Action?',
      reportingComponent: 'kopf', reportingInstance: 'dev', source: { component: 'kopf' }, firstTimestamp: now, lastTimestamp: now, eventTime: now
    })
  }
  const res = await kubectl(['describe', 'kopfexample', 'kopf-example-1'], kubeconfig)
  t.equal(res.code, 0, res.stderr)
  t.match(res.stdout, /^Name: +kopf-example-1$/m)
  t.match(res.stdout, /\nEvents:\n {2}Type +Reason +Age +From +Message\n/)
  const rows = eventRows(res.stdout)
  t.equal(rows.length, kopfStyle.length)
  for (const [type, reason, message] of kopfStyle) {
    t.ok(rows.some(row => row[0] === type && row[1] === reason && /^\d+s$/.test(row[2]) && row[3] === 'kopf' && row[4] === message), `${type} ${reason} ${message}`)
  }
  const short = await kubectl(['describe', 'kex', 'kopf-example-1'], kubeconfig)
  t.equal(eventRows(short.stdout).length, kopfStyle.length, 'the short name maps too')
})

t.test('kubectl describe node finds events about a cluster-scoped object by an empty involvedObject.namespace', { skip }, async t => {
  const nodeRef = { apiVersion: 'v1', kind: 'Node', name: 'node-1', uid: node.metadata.uid }
  await post('/api/v1/namespaces/default/events', {
    metadata: { name: 'node-1.rebooted' }, involvedObject: nodeRef, reason: 'Rebooted', message: 'in default, namespace empty', type: 'Warning',
    source: { component: 'pino-k8s-events' }, firstTimestamp: seconds(0), lastTimestamp: seconds(0), count: 1
  })
  await post('/api/v1/namespaces/lab/events', {
    metadata: { name: 'node-1.faked' }, involvedObject: { ...nodeRef, namespace: 'lab' }, reason: 'Faked', message: 'namespace faked', type: 'Normal',
    eventTime: micro(0), reportingComponent: 'kopf', reportingInstance: 'dev', action: 'A'
  })
  const res = await kubectl(['describe', 'node', 'node-1'], kubeconfig)
  t.equal(res.code, 0, res.stderr)
  const rows = eventRows(res.stdout)
  t.match(rows, [['Warning', 'Rebooted', /^\d+s$/, 'pino-k8s-events', 'in default, namespace empty']])
  t.equal(rows.length, 1, 'an event with a faked namespace is not found')
  const wide = await kubectl(['get', 'events', '-n', 'default', '--field-selector', 'involvedObject.kind=Node'], kubeconfig)
  t.match(wide.stdout, /node\/node-1/)
})
