// One measurement of case 3 in a fresh process: how long a worker takes to be ready and what it adds to RSS.
import { answer, readInput, runMain } from '../child.js'
import { podReference, rssMb, sized, sleep } from '../harness.js'
import { startBenchLogger, type Destination } from '../logger.js'

export interface StartupInput {
  destination: Destination
  kubeconfig: string
  namespace: string
}

export interface StartupAnswer {
  readyMs: number
  /** RSS added once the worker is ready and has settled */
  addedAtReadyMb: number
  /** RSS added after one bound line went through (for pino-k8s-events: its first request) */
  addedAfterFirstLineMb: number
}

const SETTLE_MS = sized(300, 30)

function collectGarbage (): void {
  (globalThis as { gc?: () => void }).gc?.()
}

runMain(async () => {
  const input = readInput<StartupInput>()
  await sleep(SETTLE_MS)
  collectGarbage()
  const rssBefore = rssMb()
  const bench = await startBenchLogger(input.destination, { component: 'bench-startup', kubeconfig: input.kubeconfig })
  await sleep(SETTLE_MS)
  collectGarbage()
  const rssAtReady = rssMb()
  bench.logger.child({ k8sObject: podReference('web-0', input.namespace) }).warn({ reason: 'Started' }, 'first line')
  await bench.flush()
  await sleep(SETTLE_MS)
  collectGarbage()
  const rssAfterFirstLine = rssMb()
  await bench.close()
  const result: StartupAnswer = {
    readyMs: bench.readyMs,
    addedAtReadyMb: rssAtReady - rssBefore,
    addedAfterFirstLineMb: rssAfterFirstLine - rssBefore
  }
  answer(result)
})
