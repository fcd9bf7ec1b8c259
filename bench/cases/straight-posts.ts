// The baseline of case 8 in a fresh process: the same number of Event POSTs sent straight at the API server over
// a fixed number of keep-alive connections, with nothing between the loop and the HTTP client: no worker, no
// correlation, no scheduling. The bodies are the transport's own, made the way it makes them. Like the transport at
// its first Event, it starts cold: the clock runs from loading the HTTP client and reading the kubeconfig.
import { answer, readInput, runMain } from '../child.js'
import { podReference } from '../harness.js'
import { newRecord } from '../../lib/correlate/record.js'
import { createBody, eventsPath, writerOf } from '../../lib/deliver/body.js'
import type { ApiRequest } from '../../lib/types.js'

export interface StraightInput {
  kubeconfig: string
  namespace: string
  events: number
  objects: number
  prefix: string
  connections: number
}

export interface StraightAnswer {
  /** from loading the client until the last answer */
  ms: number
  created: number
  failed: number
}

function requests (input: StraightInput): ApiRequest[] {
  const writer = writerOf({ component: 'bench-shutdown', instance: 'bench' })
  const time = Date.now()
  return Array.from({ length: input.events }, (_, i) => {
    const regarding = podReference(`${input.prefix}${i % input.objects}`, input.namespace)
    const record = newRecord({
      key: String(i),
      name: `${regarding.name}.step${i}`,
      namespace: input.namespace,
      spamKey: regarding.name,
      regarding,
      type: 'Warning',
      reason: `Step${i}`,
      action: 'Log',
      message: `step ${i} failed`,
      aggregate: false,
      time
    })
    return { method: 'POST', path: eventsPath('v1', input.namespace), body: createBody('v1', writer, record, 1, `straight-${i}`) }
  })
}

runMain(async () => {
  const input = readInput<StraightInput>()
  const diagnostics = { warn: (_key: string, message: string) => { process.stderr.write(`${message}\n`) }, emit () {} }
  const queue = requests(input)
  let created = 0
  let failed = 0
  const started = performance.now()
  const { createApiClient } = await import('../../lib/connection/index.js')
  const client = createApiClient({ kubeconfig: input.kubeconfig, requestTimeoutMs: 30_000, maxSockets: input.connections, diagnostics })
  await Promise.all(Array.from({ length: input.connections }, async () => {
    for (let request = queue.shift(); request !== undefined; request = queue.shift()) {
      const result = await client.request(request)
      if (result.kind === 'response' && result.status === 201) created++
      else failed++
    }
  }))
  const ms = performance.now() - started
  client.close()
  const result: StraightAnswer = { ms, created, failed }
  answer(result)
})
