// References whose Events `kubectl describe` will not show are told once: a namespaced kind without a namespace
// (built-in kinds from a table, custom kinds from one discovery request per group/version) and a reference
// without uid. The Events are still posted. Real applications against the local API server; kubectl shows why.
import t from 'tap'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'
import { kubectlAvailable, kubectlOrFail } from './apiserver/kubectl.js'
import { diagnosticLines, startApp } from './helpers/app-process.js'

let server: LocalApiServer
let kubeconfig: string
t.before(async () => {
  server = await startApiServer()
  kubeconfig = server.kubeconfig()
  await server.createNamespace('lab')
})
t.teardown(async () => await server.close())

async function logAndExit (bindings: object[]): Promise<string[]> {
  const app = startApp({
    options: { kubeconfig },
    script: `
      for (const k8sObject of ${JSON.stringify(bindings)}) logger.warn({ k8sObject, reason: 'Advice' }, 'about ' + (k8sObject.metadata ?? k8sObject).name)
      // Discovery answers after the lines were handled: wait for every request, then a little more work.
      await settledStats()
      report('done', true)
      process.exit(0)
    `
  })
  await app.report('done')
  return diagnosticLines((await app.ended).stderr)
}

const body = (apiVersion: string, kind: string, name: string, namespace?: string, uid?: string): object =>
  ({ apiVersion, kind, metadata: { name, ...(namespace === undefined ? {} : { namespace }), ...(uid === undefined ? {} : { uid }) } })

const discoveryRequests = (): string[] => server.requests.filter(r => r.method === 'GET' && /^\/apis?\/[^/]+(\/[^/]+)?$/.test(r.path)).map(r => r.path)

t.test('a namespaced kind without a namespace is told once per kind; cluster-scoped kinds are not', async t => {
  server.clearRequests()
  const lines = await logAndExit([
    body('v1', 'Pod', 'web-0', undefined, 'uid-w0'),
    body('v1', 'Pod', 'web-1', undefined, 'uid-w1'),
    body('apps/v1', 'Deployment', 'web', undefined, 'uid-d'),
    body('v1', 'Node', 'node-1'),
    body('v1', 'Namespace', 'lab', undefined, 'uid-ns'),
    body('kopf.dev/v1', 'KopfExample', 'kex-0', undefined, 'uid-k0'),
    body('kopf.dev/v1', 'KopfExample', 'kex-1', undefined, 'uid-k1'),
    body('kopf.dev/v1', 'KopfCluster', 'kc-0', undefined, 'uid-kc'),
    body('example.invalid/v1', 'Unknown', 'u-0', undefined, 'uid-u'),
    body('v1', 'Pod', 'web-2', 'lab', 'uid-w2')
  ])
  const namespaceLines = lines.filter(line => line.includes('without a namespace'))
  t.equal(namespaceLines.length, 3, lines.join('\n'))
  t.equal(namespaceLines[0], "the 'k8sObject' binding names Pod \"web-0\" without a namespace, but Pod (v1) is a namespaced kind: " +
    'its events go to namespace "default" with an empty involvedObject.namespace, so `kubectl describe pod web-0` will not show them. ' +
    'Add metadata.namespace to the object (or namespace to the reference). Told once per kind')
  t.match(namespaceLines[1], /names Deployment "web" without a namespace, but Deployment \(apps\/v1\) is a namespaced kind/)
  t.match(namespaceLines[2], /names KopfExample "kex-0" without a namespace, but KopfExample \(kopf\.dev\/v1\) is a namespaced kind/, 'learned from discovery')
  t.same(discoveryRequests().sort(), ['/apis/example.invalid/v1', '/apis/kopf.dev/v1'], 'one discovery request per unknown group/version, none for built-in kinds')
  t.equal(lines.filter(line => line.includes('without a uid')).length, 0, 'every reference had a uid (a Node is looked up by its name)')
  const stored = server.listEvents().filter((event: any) => event.reason === 'Advice')
  t.equal(stored.length, 10, 'every event is still posted')
})

t.test('a reference without uid is told once', async t => {
  const lines = await logAndExit([
    { apiVersion: 'v1', kind: 'Pod', name: 'ref-0', namespace: 'lab' },
    { apiVersion: 'v1', kind: 'Pod', name: 'ref-1', namespace: 'lab' },
    { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm-0', namespace: 'lab' }
  ])
  t.same(lines, ["the 'k8sObject' binding names Pod lab/ref-0 without a uid: `kubectl describe` lists only events whose involvedObject.uid " +
    "is the live object's uid, so it will not show these (kubectl events and kubectl get events do). Log the object as the API server " +
    'returned it, or add uid to the reference. Told once'])
})

t.test('kubectl describe shows neither: it looks events up by namespace and uid', { skip: !kubectlAvailable() && 'kubectl is not installed' }, async t => {
  const pod = await server.createObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'described', namespace: 'lab' }, spec: {} })
  await logAndExit([
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'described', uid: pod.metadata.uid } },
    { apiVersion: 'v1', kind: 'Pod', name: 'described', namespace: 'lab' },
    { apiVersion: 'v1', kind: 'Pod', name: 'described', namespace: 'lab', uid: pod.metadata.uid }
  ])
  const described = await kubectlOrFail(['describe', 'pod', 'described', '-n', 'lab'], kubeconfig)
  t.equal(described.match(/about described/g)?.length, 1, `only the event with namespace and uid is shown: ${described}`)
})
