// The winston transport's worker thread: thread-stream hands it the compact lines the application's thread picked,
// and it runs them through the same pipeline as the pino transport.
import { parentPort } from 'node:worker_threads'
import type { Writable } from 'node:stream'
import { systemClock } from '../clock.js'
import { PINO_INPUT_KEYS } from '../pipeline.js'
import { createWorkerDestination } from '../worker-destination.js'
import { resolveWinstonLevels } from './levels.js'
import { CLOSING_MESSAGE, type WorkerData } from './protocol.js'

export default async function winstonWorker (data: WorkerData): Promise<Writable> {
  // Once the transport closes, flush and close share one flushTimeout: the application waits for both.
  let closingSince: number | undefined
  parentPort?.on('message', (message: unknown) => {
    if ((message as { code?: unknown } | null)?.code === CLOSING_MESSAGE) closingSince ??= systemClock.monotonic()
  })
  return await createWorkerDestination({
    rawOptions: data.options,
    exitWaiter: ms => `the transport waits at most ${ms} ms for its worker`,
    expectPinoConfig: false,
    // The application's thread counts the lines that repeat the previous line about their object (counted-lines.ts).
    readsOccurrences: true,
    loggerOf: (_source, config, problems) => ({ levels: resolveWinstonLevels(config, data.options, data.levels, problems), keys: PINO_INPUT_KEYS }),
    timeLeft: config => closingSince === undefined ? undefined : Math.max(0, closingSince + config.delivery.flushTimeoutMs - systemClock.monotonic())
  })
}
