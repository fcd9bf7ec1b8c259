// Compiles a small consumer of the published declarations (types/index.d.ts through the package's exports map).
import t from 'tap'
import { compileConsumer } from './helpers/consumer-types.js'

const consumer = `
import pino from 'pino'
import type { Writable } from 'node:stream'
import pinoK8sEvents, { checkOptions, k8sObjectSerializer, serializers } from 'pino-k8s-events'
import type { K8sEventDropped, K8sEventsStats, PinoK8sEventsOptions } from 'pino-k8s-events'

const options: PinoK8sEventsOptions = {
  component: 'example.com/my-operator',
  instance: 'pod-1',
  objectKey: 'k8sObject',
  relatedKey: 'k8sRelated',
  minLevel: 'info',
  eventTypes: { audit: 'Audit' },
  reason: 'Logging',
  action: 'Log',
  clusterNamespace: 'default',
  api: 'events.k8s.io/v1',
  kubeconfig: '/home/me/.kube/config',
  context: 'lab',
  cacheSize: 4096,
  aggregate: { maxEvents: 10, intervalSeconds: 600 },
  rateLimit: false,
  qps: 20,
  burst: 100,
  queueSize: 1000,
  flushTimeout: 5000,
  maxAttempts: 12,
  maxRetryAge: 300000,
  requestTimeout: 10000,
  concurrency: 8
}

const transport = pino.transport<PinoK8sEventsOptions>({ target: 'pino-k8s-events', options })
const logger = pino({ serializers }, transport)
logger.child({ k8sObject: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } } }).warn('x')

const stream: Promise<Writable> = pinoK8sEvents({ minLevel: 40 })
const trimmed: unknown = k8sObjectSerializer({})
const sameSerializer: typeof k8sObjectSerializer = serializers.k8sObject
const relatedSerializer: typeof k8sObjectSerializer = serializers.k8sRelated
logger.child({ k8sObject: { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r' } } }).info({ k8sRelated: { apiVersion: 'v1', kind: 'Pod', name: 'p' } }, 'Created pod')
const problems: string[] = checkOptions({ qps: 0 })
const stats: K8sEventsStats = {
  linesRead: 0, linesSelected: 0, eventsObserved: 0, posted: 0, patched: 0, retried: 0, dropped: { 'queue-full': 1 },
  invalidLines: 0, invalidBindings: 0
}

// @ts-expect-error api accepts only the two Events APIs
const wrongApi: PinoK8sEventsOptions = { api: 'v2' }
// @ts-expect-error unknown options are refused
const unknown: PinoK8sEventsOptions = { componnet: 'x' }
// true is accepted at runtime (the defaults), so it type-checks too
const defaultsOn: PinoK8sEventsOptions = { aggregate: true, rateLimit: true }
// pino types a target's options as any: \`satisfies\` catches a typo there
const target = { target: 'pino-k8s-events', options: { component: 'my-operator', rateLimit: true } satisfies PinoK8sEventsOptions }
// @ts-expect-error a typo inside a satisfies is refused
const typo = { target: 'pino-k8s-events', options: { componnet: 'my-operator' } satisfies PinoK8sEventsOptions }
// @ts-expect-error aggregate is a boolean or an object
const noString: PinoK8sEventsOptions = { aggregate: 'on' }
const onDrop = (drop: K8sEventDropped): string => \`\${drop.cause} \${drop.count} \${drop.droppedSincePrevious} \${drop.status ?? ''} \${drop.event?.object ?? ''}\`
transport.on('k8sEventDropped', onDrop)
// @ts-expect-error the factory returns a promise
const notSync: Writable = pinoK8sEvents()

export { stream, trimmed, sameSerializer, relatedSerializer, problems, stats, wrongApi, unknown, defaultsOn, target, typo, noString, notSync }
`

t.test('the public declarations compile for a consumer, and refuse wrong options', async t => {
  const dir = t.testdir({ 'consumer.ts': consumer })
  const { diagnostics, resolvedOurs } = compileConsumer(dir, 'index.d.ts')
  t.same(diagnostics, [])
  t.ok(resolvedOurs, 'resolved through the package exports to types/index.d.ts')
})
