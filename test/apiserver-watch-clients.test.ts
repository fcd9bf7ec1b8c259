// The watch protocol with the real clients: kubectl get --watch, and client-node's informer (list + watch).
import { spawn } from 'node:child_process'
import t from 'tap'
import * as k8s from '@kubernetes/client-node'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'
import { rawRequest } from './apiserver/raw-client.js'
import { kubectl, kubectlAvailable } from './apiserver/kubectl.js'
import { waitFor } from './helpers/app-process.js'

const skip = kubectlAvailable() ? false : 'kubectl is not on PATH'

async function fresh (t: { teardown: (fn: () => unknown) => void }): Promise<LocalApiServer> {
  const server = await startApiServer()
  t.teardown(() => server.close())
  return server
}

t.test('kubectl run creates a Pending pod, and kubectl get --watch prints its changes', { skip }, async t => {
  const server = await fresh(t)
  await server.createNamespace('lab')
  const kubeconfig = server.kubeconfig({ namespace: 'lab' })
  const run = await kubectl(['run', 'web', '--image=nginx'], kubeconfig)
  t.equal(run.code, 0, run.stderr)
  t.equal(run.stdout, 'pod/web created\n')

  const child = spawn('kubectl', ['get', 'pods', '--watch', '--output-watch-events'], { env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: '/dev/null/nocache' } })
  t.teardown(() => child.kill())
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const rows = (): string[][] => stdout.split('\n').filter(line => line !== '').map(line => line.trim().split(/\s+/))
  t.ok(await waitFor(() => rows().length >= 2 && server.watches.paths().length === 1, 30_000), `listed and watching; ${stderr}`)

  t.equal((await kubectl(['label', 'pod', 'web', 'tier=front'], kubeconfig)).code, 0)
  t.equal((await kubectl(['run', 'db', '--image=postgres'], kubeconfig)).code, 0)
  t.equal((await kubectl(['delete', 'pod', 'web', '--wait=false'], kubeconfig)).code, 0)
  t.ok(await waitFor(() => rows().length >= 5, 30_000), stdout + stderr)
  t.same(rows().map(r => r.slice(0, 5)), [
    ['EVENT', 'NAME', 'READY', 'STATUS', 'RESTARTS'],
    ['ADDED', 'web', '0/1', 'Pending', '0'],
    ['MODIFIED', 'web', '0/1', 'Pending', '0'],
    ['ADDED', 'db', '0/1', 'Pending', '0'],
    ['DELETED', 'web', '0/1', 'Pending', '0']
  ])
  t.match(server.watches.paths()[0], /^\/api\/v1\/namespaces\/lab\/pods\?resourceVersion=\d+&watch=true$/, 'a watch from the list\'s resourceVersion')
})

t.test('kubectl get --watch of one object', { skip }, async t => {
  const server = await fresh(t)
  const kubeconfig = server.kubeconfig()
  t.equal((await kubectl(['create', 'namespace', 'watched'], kubeconfig)).code, 0)
  const child = spawn('kubectl', ['get', 'namespace', 'watched', '--watch', '-o', 'jsonpath={.status.phase}{"\\n"}'], { env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: '/dev/null/nocache' } })
  t.teardown(() => child.kill())
  let stdout = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  t.ok(await waitFor(() => stdout === 'Active\n' && server.watches.paths().length === 1, 30_000))
  t.equal((await kubectl(['delete', 'namespace', 'watched', '--wait=false'], kubeconfig)).code, 0)
  t.ok(await waitFor(() => stdout === 'Active\nTerminating\n', 30_000), stdout)
})

interface Seen { adds: string[], updates: string[], deletes: string[], errors: number, lists: number }

/** An informer as operators start one, restarting after an error as the client-node examples do. */
function startInformer (t: { teardown: (fn: () => unknown) => void }, server: LocalApiServer, namespace: string): { informer: k8s.Informer<k8s.KubernetesObject> & k8s.ObjectCache<k8s.KubernetesObject>, seen: Seen } {
  const kc = new k8s.KubeConfig()
  kc.loadFromFile(server.kubeconfig())
  const api = kc.makeApiClient(k8s.CustomObjectsApi)
  const seen: Seen = { adds: [], updates: [], deletes: [], errors: 0, lists: 0 }
  const list = async (): Promise<k8s.KubernetesListObject<k8s.KubernetesObject>> => {
    seen.lists += 1
    return await api.listNamespacedCustomObject({ group: 'kopf.dev', version: 'v1', namespace, plural: 'kopfexamples' })
  }
  const informer = k8s.makeInformer(kc, `/apis/kopf.dev/v1/namespaces/${namespace}/kopfexamples`, list)
  informer.on('add', obj => seen.adds.push(String(obj.metadata?.name)))
  informer.on('update', obj => seen.updates.push(String(obj.metadata?.name)))
  informer.on('delete', obj => seen.deletes.push(String(obj.metadata?.name)))
  let stopped = false
  informer.on('error', () => {
    seen.errors += 1
    // A short pause keeps the retries from spinning while the server is away.
    if (!stopped) setTimeout(() => { if (!stopped) informer.start().catch(() => {}) }, 50)
  })
  t.teardown(async () => {
    stopped = true
    await informer.stop()
  })
  void informer.start()
  return { informer, seen }
}

const kex = (name: string, namespace = 'lab'): object => ({ apiVersion: 'kopf.dev/v1', kind: 'KopfExample', metadata: { name, namespace }, spec: { field: name } })

t.test('client-node\'s informer sees adds, updates and deletes through list and watch', async t => {
  const server = await fresh(t)
  await server.createNamespace('lab')
  await server.createObject(kex('listed'))
  const { informer, seen } = startInformer(t, server, 'lab')
  t.ok(await waitFor(() => seen.adds.includes('listed') && server.watches.paths().length === 1, 30_000), 'listed, then watching')
  await server.createObject(kex('watched'))
  const res = await rawRequest(server, { method: 'PATCH', path: '/apis/kopf.dev/v1/namespaces/lab/kopfexamples/watched', body: { spec: { field: 'changed' } }, contentType: 'application/merge-patch+json' })
  t.equal(res.status, 200)
  await rawRequest(server, { method: 'DELETE', path: '/apis/kopf.dev/v1/namespaces/lab/kopfexamples/listed' })
  t.ok(await waitFor(() => seen.deletes.length === 1, 30_000))
  t.same(seen, { adds: ['listed', 'watched'], updates: ['watched'], deletes: ['listed'], errors: 0, lists: 1 })
  t.same(informer.list('lab').map(o => [o.metadata?.name, (o as any).spec.field]), [['watched', 'changed']])
})

t.test('the informer re-lists after the server restarts without the history it needs (410)', async t => {
  const server = await fresh(t)
  await server.createNamespace('lab')
  await server.createObject(kex('first'))
  const { informer, seen } = startInformer(t, server, 'lab')
  t.ok(await waitFor(() => seen.adds.includes('first') && server.watches.paths().length === 1, 30_000))

  await server.stop()
  // Changed while the server was away: the restarted server cannot replay this, so the informer must list.
  await server.createObject(kex('while-down'))
  server.clearRequests()
  await server.start()
  t.ok(await waitFor(() => seen.lists === 2 && server.watches.paths().length === 1, 30_000), JSON.stringify(seen))
  t.ok(seen.errors >= 1, 'the broken watch reached the error handler')
  const first = server.requests.find(r => r.path.includes('watch=true'))
  t.match(first?.path, /resourceVersion=\d+/, 'the informer tried to resume first')
  t.same(seen.adds, ['first', 'while-down'], 'the list brought the missed object, and nothing twice')
  t.same(informer.list('lab').map(o => o.metadata?.name), ['first', 'while-down'])
})

t.test('after a dropped watch the informer resumes; after compaction it re-lists on the 410', async t => {
  const server = await fresh(t)
  await server.createNamespace('lab')
  const { informer, seen } = startInformer(t, server, 'lab')
  t.ok(await waitFor(() => seen.lists === 1 && server.watches.paths().length === 1, 30_000))

  t.equal(server.watches.drop(), 1)
  await server.createObject(kex('after-drop'))
  t.ok(await waitFor(() => seen.adds.includes('after-drop') && server.watches.paths().length === 1, 30_000))
  t.equal(seen.lists, 1, 'resumed from its resourceVersion, no list')

  // Every watch is cut at once until the history is gone, so the informer cannot see the change live.
  server.faults.add({ path: /\/kopfexamples\?.*watch=true/, times: Infinity, action: { dropAfter: 0 } })
  server.watches.drop()
  await server.createObject(kex('after-compaction'))
  server.compactHistory()
  server.faults.clear()
  t.ok(await waitFor(() => seen.lists === 2 && seen.adds.includes('after-compaction'), 30_000), JSON.stringify(seen))
  t.same(informer.list('lab').map(o => o.metadata?.name).sort(), ['after-compaction', 'after-drop'])
  t.same(seen.adds, ['after-drop', 'after-compaction'], 'nothing added twice')
})
