// Compiles a small consumer of the winston declarations (types/winston.d.ts through the package's exports map).
import t from 'tap'
import ts from 'typescript'
import { compileConsumer } from './helpers/consumer-types.js'

const consumer = `
import winston from 'winston'
import { K8sEventsTransport } from 'pino-k8s-events/winston'
import type { K8sEventsStats, K8sEventsTransportOptions } from 'pino-k8s-events/winston'

const options: K8sEventsTransportOptions = {
  level: 'warn',
  format: winston.format.json(),
  component: 'my-operator',
  minLevel: 'warning',
  eventTypes: { notice: 'Normal', audit: 'Audit' },
  flushTimeout: 5000
}
const transport = new K8sEventsTransport(options)
transport.on('k8sEventsStats', (stats: K8sEventsStats) => stats.dropped['queue-full'])
transport.on('k8sEventDropped', drop => drop.droppedSincePrevious)
const logger = winston.createLogger({ transports: [transport] })
logger.child({ k8sObject: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } } }).warn('x')
const flushed: Promise<void> = transport.flush()
const closed: Promise<void> = transport.close()

// @ts-expect-error api accepts only the two Events APIs
const wrongApi: K8sEventsTransportOptions = { api: 'v2' }

export { flushed, closed, wrongApi }
`

t.test('the winston declarations compile for a consumer, and refuse wrong options', async t => {
  const dir = t.testdir({ 'consumer.ts': consumer })
  const { diagnostics, resolvedOurs } = compileConsumer(dir, 'winston.d.ts')
  t.same(diagnostics, [])
  t.ok(resolvedOurs, 'resolved through the package exports to types/winston.d.ts')
})

// Under `moduleResolution: node10` (older TypeScript setups) the exports map is not read: typesVersions leads
// `pino-k8s-events/winston` to its declarations. The package is reached as an application would, from node_modules,
// with esModuleInterop as `tsc --init` sets it (winston's own default import needs it too).
const node10Consumer = `
import { K8sEventsTransport } from 'pino-k8s-events/winston'
import type { K8sEventDropped, K8sEventsTransportOptions } from 'pino-k8s-events/winston'
import type { PinoK8sEventsOptions } from 'pino-k8s-events'

const options: K8sEventsTransportOptions = { level: 'warn', component: 'my-operator', rateLimit: true }
const transport = new K8sEventsTransport(options)
transport.on('k8sEventDropped', (drop: K8sEventDropped) => drop.cause)
const pinoOptions: PinoK8sEventsOptions = { component: 'my-operator' }

export { transport, pinoOptions }
`

t.test('the winston declarations resolve under moduleResolution node10', async t => {
  const dir = t.testdir({
    'consumer.ts': node10Consumer,
    node_modules: { 'pino-k8s-events': t.fixture('symlink', process.cwd()) }
  })
  const { diagnostics, resolvedOurs } = compileConsumer(dir, 'winston.d.ts', {
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true
  })
  t.same(diagnostics, [])
  t.ok(resolvedOurs, 'resolved through typesVersions to types/winston.d.ts')
})
