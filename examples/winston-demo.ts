// npm run demo -- --logger winston: the Kopf example logged with winston through K8sEventsTransport, then the
// Events as `kubectl describe` shows them. Uses the local API server unless --kubeconfig or KUBECONFIG names a cluster.
import winston from 'winston'
import { K8sEventsTransport } from '../lib/winston/index.js'
import { openDemoCluster } from './demo-cluster.js'
import { kubectlOrFail } from '../test/apiserver/kubectl.js'

const NAMESPACE = 'pino-k8s-events-demo'

export async function winstonDemo (kubeconfigOfCluster: string | undefined): Promise<void> {
  const { kubeconfig, server, useKubectl } = await openDemoCluster(kubeconfigOfCluster)
  const create = async (obj: Record<string, any>): Promise<any> => {
    if (server !== undefined) return await server.createObject(obj)
    return JSON.parse(await kubectlOrFail(['apply', '-o', 'json', '-f', '-'], kubeconfig, JSON.stringify(obj)))
  }
  await create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }).catch(() => {})
  const example = await create({ apiVersion: 'kopf.dev/v1', kind: 'KopfExample', metadata: { name: 'kopf-example-winston', namespace: NAMESPACE }, spec: { field: 'value' } })

  // The one config change an operator makes: the transport beside the usual console output.
  const logger = winston.createLogger({
    format: winston.format.combine(winston.format.colorize(), winston.format.simple()),
    transports: [
      new winston.transports.Console({ level: 'warn' }),
      new K8sEventsTransport({ component: 'kopf', kubeconfig })
    ]
  })

  // The Kopf documentation's handler, written with winston.
  const log = logger.child({ k8sObject: example })
  log.info('Some message', { reason: 'SomeReason' })
  log.info('Handler create_fn succeeded.', { reason: 'Success' })
  log.info('Some message', { eventType: 'SomeType', reason: 'SomeReason' })
  log.info('All handlers succeeded.', { reason: 'Finished' })
  try {
    throw new Error('Exception text.')
  } catch (err) {
    log.error('Some exception:', { err, reason: 'SomeReason' })
  }
  log.warn('Some message', { reason: 'SomeReason' })

  // logger.end() finishes once the transport has delivered every pending Event.
  await new Promise(resolve => logger.on('finish', resolve).end())

  console.log(`\n$ kubectl describe kopfexample kopf-example-winston -n ${NAMESPACE}   (Events section)`)
  if (useKubectl) {
    const out = await kubectlOrFail(['describe', 'kopfexample', 'kopf-example-winston', '-n', NAMESPACE], kubeconfig)
    console.log(out.slice(out.indexOf('Events:')).trimEnd())
  } else {
    for (const event of server!.listEvents(NAMESPACE)) {
      console.log(`  ${event.type}\t${event.reason}\tx${event.count as number}\t${event.source?.component as string}\t${event.message as string}`)
    }
  }
  await server?.close()
}
