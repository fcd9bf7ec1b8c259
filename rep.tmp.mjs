import winston from 'winston'
import { startApiServer } from './dist/test/apiserver/server.js'
import { K8sEventsTransport } from 'pino-k8s-events/winston'
const server = await startApiServer()
const kubeconfig = server.kubeconfig()
for (let round = 0; round < 40; round++) {
  const ns = 'syslog' + round
  await server.createNamespace(ns)
  const body = await server.createObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: ns }, spec: {} })
  const transport = new K8sEventsTransport({ component: 'my-operator', kubeconfig })
  const logger = winston.createLogger({ levels: winston.config.syslog.levels, level: 'debug', transports: [transport] })
  const log = logger.child({ k8sObject: body })
  for (const level of ['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug']) log[level](`at ${level}`)
  const t0 = Date.now()
  const timer = setTimeout(() => { console.log('HUNG round', round); process.exit(1) }, 20000)
  await new Promise(resolve => { logger.on('finish', resolve); logger.end() })
  clearTimeout(timer)
  console.log(round, Date.now() - t0, 'ms', server.listEvents(ns).length)
}
await server.close()
