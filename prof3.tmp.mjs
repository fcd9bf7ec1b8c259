import { readFileSync } from 'node:fs'
import winston from 'winston'
import { K8sEventsTransport } from 'pino-k8s-events/winston'
import { DiscardTransport } from './dist/bench/transports/winston-discard.js'
const cpu = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6
const mode = process.argv[2]
const transport = mode === 'discard' ? new DiscardTransport() : new K8sEventsTransport({ component: 'x', kubeconfig: '/nonexistent', minLevel: 'error' })
const logger = winston.createLogger({ level: 'info', format: winston.format.json(), transports: [transport] })
const bound = Array.from({ length: 20 }, (_, i) => logger.child({ k8sObject: { apiVersion: 'v1', kind: 'Pod', name: 'web-' + i, namespace: 'b', uid: 'u' + i } }))
async function run (calls) {
  for (let i = 0; i < calls; i++) {
    if (i % 10 === 0) bound[(i / 10) % 20].info('reconciled', { reason: 'Reconciled', generation: i })
    else logger.info('request handled', { reqId: i, route: '/api/items' })
    if (i % 1000 === 999) await new Promise(r => setImmediate(r))
  }
  if (transport.flush) await transport.flush()
}
await run(30000)
const c0 = cpu()
await run(300000)
console.log(mode, (cpu() - c0).toFixed(0), 'ms')
process.exit(0)
