// npm run demo: an operator-like script logs through the transport, then the Events are shown as
// `kubectl describe` shows them. Uses the local API server unless --kubeconfig or KUBECONFIG names a cluster.
import { once } from 'node:events'
import { pino } from 'pino'
import { k8sObjectSerializer } from '../lib/index.js'
import { startApiServer, type LocalApiServer } from '../test/apiserver/server.js'
import { kubectl, kubectlAvailable } from '../test/apiserver/kubectl.js'

const NAMESPACE = 'pino-k8s-events-demo'

function argValue (name: string): string | undefined {
  const index = process.argv.indexOf(name)
  return index >= 0 ? process.argv[index + 1] : undefined
}

async function kubectlOrFail (kubeconfig: string, args: string[], input?: string): Promise<string> {
  const { code, stdout, stderr } = await kubectl(args, kubeconfig, input)
  if (code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${stderr}`)
  return stdout
}

async function main (): Promise<void> {
  let kubeconfig = argValue('--kubeconfig') ?? process.env.KUBECONFIG
  let server: LocalApiServer | undefined
  if (kubeconfig === undefined) {
    server = await startApiServer()
    kubeconfig = server.kubeconfig()
    console.log(`local API server ${server.url}, kubeconfig ${kubeconfig}`)
  } else {
    console.log(`using the cluster of ${kubeconfig}`)
  }
  const useKubectl = kubectlAvailable()
  if (server === undefined && !useKubectl) throw new Error('a real cluster needs kubectl on PATH for this demo')

  const create = async (obj: Record<string, any>): Promise<any> => {
    if (server !== undefined) return await server.createObject(obj)
    return JSON.parse(await kubectlOrFail(kubeconfig!, ['apply', '-o', 'json', '-f', '-'], JSON.stringify(obj)))
  }
  await create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }).catch(() => {})
  const example = await create({ apiVersion: 'kopf.dev/v1', kind: 'KopfExample', metadata: { name: 'kopf-example-1', namespace: NAMESPACE }, spec: { field: 'value' } })
  const pod = await create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'kopf-example-1-worker', namespace: NAMESPACE }, spec: { containers: [{ name: 'main', image: 'busybox' }] } })
  const volume = await create({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'kopf-example-1-data' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/data' } } })

  // The one config change an operator makes: the transport, with its component name.
  const transport = pino.transport({ target: 'pino-k8s-events', options: { component: 'kopf', kubeconfig } })
  const logger = pino({ serializers: { k8sObject: k8sObjectSerializer } }, transport)
  await once(transport, 'ready')

  // The Kopf documentation's handler, written with pino.
  const log = logger.child({ k8sObject: example })
  log.info({ reason: 'SomeReason' }, 'Some message')
  log.info({ reason: 'Success' }, 'Handler create_fn succeeded.')
  log.info({ eventType: 'SomeType', reason: 'SomeReason' }, 'Some message')
  log.info({ reason: 'Finished' }, 'All handlers succeeded.')
  try {
    throw new Error('Exception text.')
  } catch (err) {
    log.error({ err, reason: 'SomeReason' }, 'Some exception:')
  }
  log.warn({ reason: 'SomeReason' }, 'Some message')
  // Other objects, and a cluster-scoped one.
  logger.child({ k8sObject: pod }).info({ reason: 'SomeReason' }, 'This pod is created by KopfExample kopf-example-1')
  for (let i = 0; i < 5; i++) logger.child({ k8sObject: volume }).warn({ reason: 'NotBound' }, 'Volume kopf-example-1-data is not bound yet')

  await new Promise<void>(resolve => logger.flush(() => resolve()))

  const targets: Array<[string, string, string?]> = [
    ['kopfexample', 'kopf-example-1', NAMESPACE],
    ['pod', 'kopf-example-1-worker', NAMESPACE],
    ['persistentvolume', 'kopf-example-1-data']
  ]
  for (const [kind, name, namespace] of targets) {
    console.log(`\n$ kubectl describe ${kind} ${name}${namespace !== undefined ? ` -n ${namespace}` : ''}   (Events section)`)
    if (useKubectl) {
      const out = await kubectlOrFail(kubeconfig, ['describe', kind, name, ...(namespace !== undefined ? ['-n', namespace] : [])])
      console.log(out.slice(out.indexOf('Events:')).trimEnd())
    } else {
      for (const event of server!.listEvents()) {
        if (event.involvedObject.name !== name) continue
        console.log(`  ${event.type}\t${event.reason}\tx${event.count as number}\t${event.source?.component as string}\t${event.message as string}`)
      }
    }
  }
  ;(transport as unknown as { ref: () => void }).ref()
  transport.end()
  await once(transport, 'close')
  await server?.close()
}

// `npm run demo -- --logger winston`: the same example through winston.
const run = argValue('--logger') === 'winston' ? async () => await (await import('./winston-demo.js')).winstonDemo() : main
run().catch(err => {
  console.error(err)
  process.exit(1)
})
