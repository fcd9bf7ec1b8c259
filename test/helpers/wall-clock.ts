// Steps the wall clock of worker threads for real: each worker started with `execArgv` preloads
// test/fixtures/wall-clock.cjs, which offsets its Date.now() and `new Date()` by what `step` sets, and leaves
// performance.now() and timers alone. The test's own thread keeps the true wall clock.
import { fileURLToPath } from 'node:url'

const CHANNEL = 'pino-k8s-events:wall-clock'
const PRELOAD = fileURLToPath(new URL('../fixtures/wall-clock.cjs', import.meta.url)).replace('/dist/test/', '/test/')

export interface WallClockControl {
  /** for pino.transport({ worker: { execArgv } }) */
  execArgv: string[]
  /** resolves once `workers` threads preloaded the clock and hold the shared offset */
  ready (workers?: number): Promise<void>
  /** moves the workers' wall clock by `ms` (negative: back), at once */
  step (ms: number): void
  /** the workers' current offset from the true wall clock */
  readonly offsetMs: number
  close (): void
}

export function controlWallClock (): WallClockControl {
  const shared = new SharedArrayBuffer(4)
  const offset = new Int32Array(shared)
  const channel = new BroadcastChannel(CHANNEL)
  let readyWorkers = 0
  const waiting: Array<{ workers: number, resolve: () => void }> = []
  channel.onmessage = ({ data }: MessageEvent) => {
    if (data === 'hello') channel.postMessage(shared)
    if (data !== 'ready') return
    readyWorkers++
    for (const waiter of waiting.splice(0)) {
      if (readyWorkers >= waiter.workers) waiter.resolve()
      else waiting.push(waiter)
    }
  }
  return {
    execArgv: ['--require', PRELOAD],
    ready: async (workers = 1) => {
      if (readyWorkers >= workers) return
      await new Promise<void>(resolve => waiting.push({ workers, resolve }))
    },
    step (ms) { Atomics.add(offset, 0, ms) },
    get offsetMs () { return Atomics.load(offset, 0) },
    close () { channel.close() }
  }
}
