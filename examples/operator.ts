// A KopfExample operator written the usual Node.js way: an @kubernetes/client-node informer (list + watch) on
// kopfexamples.kopf.dev, and a create handler that makes a Pod for each KopfExample and logs what it does, as the
// Kopf documentation's example does (https://kopf.readthedocs.io/en/stable/events/).
//
// The only lines that make it post Kubernetes Events are the pino transport configuration below (and the
// optional serializers): with a plain `pino()` it is the same operator, logging to stdout only.
//
//   node dist/examples/operator.js [--kubeconfig FILE] [--namespace NS]
//
// Without --kubeconfig it uses $KUBECONFIG, ~/.kube/config or the pod's service account, like kubectl. It needs
// the kopf.dev CRD in the cluster (`npm run demo -- --kubeconfig FILE` applies it).
import * as k8s from '@kubernetes/client-node'
import { pino } from 'pino'
import { serializers } from 'pino-k8s-events'

interface KopfExample extends k8s.KubernetesObject {
  spec?: { field?: string }
}

function argValue (name: string): string | undefined {
  const index = process.argv.indexOf(name)
  return index >= 0 ? process.argv[index + 1] : undefined
}

const kubeconfig = argValue('--kubeconfig')
const namespace = argValue('--namespace')

// ---- the drop-in: a transport that turns lines bound to a `k8sObject` into Events, beside the usual stdout ----
const logger = pino({
  serializers, // optional: a bound body is written as its reference
  transport: {
    targets: [
      { target: 'pino/file', options: { destination: 1 }, level: 'info' },
      { target: 'pino-k8s-events', options: { component: 'kopf', ...(kubeconfig !== undefined ? { kubeconfig } : {}) }, level: 'info' }
    ]
  }
})
// ---- end of the drop-in ----

const kc = new k8s.KubeConfig()
if (kubeconfig !== undefined) kc.loadFromFile(kubeconfig)
else kc.loadFromDefault()
const core = kc.makeApiClient(k8s.CoreV1Api)
const custom = kc.makeApiClient(k8s.CustomObjectsApi)

/** The Pod this KopfExample owns; the existing one when the handler runs again for the same object. */
async function ensurePod (body: KopfExample): Promise<k8s.V1Pod> {
  const name = body.metadata?.name ?? ''
  const podNamespace = body.metadata?.namespace ?? 'default'
  const pod: k8s.V1Pod = {
    metadata: {
      name: `${name}-pod`,
      labels: { 'kopf.dev/example': name },
      ownerReferences: [{ apiVersion: 'kopf.dev/v1', kind: 'KopfExample', name, uid: body.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }]
    },
    spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] }
  }
  try {
    return await core.createNamespacedPod({ namespace: podNamespace, body: pod })
  } catch (err) {
    if (!(err instanceof k8s.ApiException) || err.code !== 409) throw err
    return await core.readNamespacedPod({ namespace: podNamespace, name: `${name}-pod` })
  }
}

/** Python's RuntimeError, which the Kopf example raises. */
class RuntimeError extends Error {}

/** The Kopf page's create_fn, with pino: each line bound to the object becomes an Event about it. */
async function createFn (body: KopfExample): Promise<void> {
  const log = logger.child({ k8sObject: body })
  log.info({ eventType: 'SomeType', reason: 'SomeReason' }, 'Some message') // kopf.event(type='SomeType')
  log.warn({ reason: 'SomeReason' }, 'Some message') // kopf.warn
  log.info({ reason: 'SomeReason' }, 'Some message') // kopf.info
  try {
    throw new RuntimeError('Exception text.')
  } catch (err) {
    log.error({ err, reason: 'SomeReason' }, 'Some exception:') // kopf.exception
  }

  // Events about another object: the Pod exactly as client-node returns it (a V1Pod, with Date fields).
  const pod = await ensurePod(body)
  logger.child({ k8sObject: pod }).info({ reason: 'SomeReason' }, `This pod is created by KopfExample ${body.metadata?.name ?? ''}`)

  log.info({ reason: 'Success' }, 'Handler create_fn succeeded.')
  log.info({ reason: 'Finished' }, 'All handlers succeeded.')
}

const path = namespace === undefined ? '/apis/kopf.dev/v1/kopfexamples' : `/apis/kopf.dev/v1/namespaces/${namespace}/kopfexamples`
const list = async (): Promise<k8s.KubernetesListObject<KopfExample>> => namespace === undefined
  ? await custom.listClusterCustomObject({ group: 'kopf.dev', version: 'v1', plural: 'kopfexamples' })
  : await custom.listNamespacedCustomObject({ group: 'kopf.dev', version: 'v1', namespace, plural: 'kopfexamples' })
const informer = k8s.makeInformer<KopfExample>(kc, path, list)

// client-node's informer stops on an error (a 410 it handles itself): start it again, backing off while it fails.
const FIRST_RETRY_MS = 100
let retryMs = FIRST_RETRY_MS
let stopping = false
informer.on('error', (err: unknown) => {
  if (stopping) return
  logger.warn({ err }, `watching ${path} failed; retrying in ${retryMs} ms`)
  setTimeout(() => { if (!stopping) informer.start().catch(() => {}) }, retryMs)
  retryMs = Math.min(retryMs * 2, 5_000)
})
informer.on('change', () => { retryMs = FIRST_RETRY_MS })

informer.on('add', body => {
  createFn(body).catch((err: unknown) => logger.child({ k8sObject: body }).error({ err, reason: 'HandlerFailed' }, 'Handler create_fn failed:'))
})

// Kubernetes stops a pod with SIGTERM. Leaving through process.exit lets pino end the transport, which delivers
// the Events still pending before the process ends.
process.on('SIGTERM', () => {
  stopping = true
  informer.stop().finally(() => process.exit(0))
})

logger.info(`watching ${path}`)
informer.start().catch((err: unknown) => logger.error({ err }, 'could not start the informer'))
