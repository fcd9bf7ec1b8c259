// kubectl's generators against the local API server: `kubectl create namespace` sends protobuf, `kubectl run` JSON.
import t from 'tap'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'
import { rawRequest } from './apiserver/raw-client.js'
import { kubectl, kubectlAvailable } from './apiserver/kubectl.js'
import { statusUnsupportedMediaType } from './apiserver/status-extra.js'

const skip = kubectlAvailable() ? false : 'kubectl is not on PATH'

async function fresh (t: { teardown: (fn: () => unknown) => void }): Promise<LocalApiServer> {
  const server = await startApiServer()
  t.teardown(() => server.close())
  return server
}

/** A protobuf body as kubectl frames it: "k8s\0" + runtime.Unknown { typeMeta { apiVersion, kind }, raw }. */
function protobufEnvelope (apiVersion: string, kind: string, raw: Buffer): Buffer {
  const field = (number: number, bytes: Buffer): Buffer => Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes])
  const typeMeta = Buffer.concat([field(1, Buffer.from(apiVersion)), field(2, Buffer.from(kind))])
  return Buffer.concat([Buffer.from('k8s\0'), field(1, typeMeta), field(2, raw)])
}

t.test('kubectl create namespace sends protobuf, and the namespace is created', { skip }, async t => {
  const server = await fresh(t)
  const kubeconfig = server.kubeconfig()
  const res = await kubectl(['create', 'namespace', 'demo', '--dry-run=none'], kubeconfig)
  t.equal(res.code, 0, res.stderr)
  t.equal(res.stdout, 'namespace/demo created\n')
  const post = server.requests.find(r => r.method === 'POST' && r.path.startsWith('/api/v1/namespaces'))
  t.equal(post?.contentType, 'application/vnd.kubernetes.protobuf')
  t.same(post?.body, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' }, spec: {}, status: {} }, 'the body as the server read it')
  const got = await kubectl(['get', 'namespace', 'demo', '-o', 'jsonpath={.status.phase} {.metadata.labels}'], kubeconfig)
  t.equal(got.stdout, 'Active {"kubernetes.io/metadata.name":"demo"}')
  const again = await kubectl(['create', 'namespace', 'demo'], kubeconfig)
  t.equal(again.code, 1)
  t.equal(again.stderr, 'Error from server (AlreadyExists): namespaces "demo" already exists\n')
})

t.test('a protobuf body of a kind the server cannot read answers 415, a broken one 400', async t => {
  const server = await fresh(t)
  const pod = await rawRequest(server, {
    method: 'POST',
    path: '/api/v1/namespaces/default/pods',
    body: protobufEnvelope('v1', 'Pod', Buffer.alloc(0)).toString('latin1'),
    contentType: 'application/vnd.kubernetes.protobuf'
  })
  t.equal(pod.status, 415)
  t.same(pod.body, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
    reason: 'UnsupportedMediaType', code: 415
  })
  const broken = await rawRequest(server, { method: 'POST', path: '/api/v1/namespaces', body: 'not protobuf', contentType: 'application/vnd.kubernetes.protobuf' })
  t.equal(broken.status, 400)
  t.match(broken.body.message, /Kubernetes protobuf prefix/)
})


t.test('kubectl v1.32 does not retry as JSON when a server answers 415 to its protobuf', { skip }, async t => {
  const server = await fresh(t)
  const refusal = statusUnsupportedMediaType(['application/json', 'application/yaml'])
  server.faults.add({ method: 'POST', path: '/api/v1/namespaces', action: { status: 415, body: refusal } })
  const res = await kubectl(['create', 'namespace', 'refused'], server.kubeconfig())
  t.equal(res.code, 1)
  t.equal(res.stderr, `Error from server (UnsupportedMediaType): ${refusal.message}\n`)
  const posts = server.requests.filter(r => r.method === 'POST')
  t.same(posts.map(r => [r.contentType, r.status]), [['application/vnd.kubernetes.protobuf', 415]], 'one request, no retry')
})

t.test('kubectl run sends JSON; the pod is created Pending, whatever status it sent', { skip }, async t => {
  const server = await fresh(t)
  const kubeconfig = server.kubeconfig()
  const run = await kubectl(['run', 'web', '--image=nginx', '--labels=app=web', '--env=MODE=demo', '--port=80'], kubeconfig)
  t.equal(run.code, 0, run.stderr)
  t.equal(run.stdout, 'pod/web created\n')
  const post = server.requests.find(r => r.method === 'POST')
  t.equal(post?.contentType, 'application/json')
  t.same((post?.body as any).status, {}, 'kubectl sends an empty status')
  const got = await kubectl(['get', 'pod', 'web', '-o', 'jsonpath={.status.phase} {.spec.containers[0].env[0].value} {.metadata.labels.app}'], kubeconfig)
  t.equal(got.stdout, 'Pending demo web')
})
