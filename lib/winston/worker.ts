// The winston transport's worker thread: thread-stream hands it the compact lines the application's thread picked,
// and it runs them through the same pipeline as the pino transport.
import build from 'pino-abstract-transport'
import { parentPort } from 'node:worker_threads'
import type { Transform } from 'node:stream'
import { createDiagnostics } from '../diagnostics.js'
import { describeError } from '../fields.js'
import { parseOptions } from '../options.js'
import { PINO_INPUT_KEYS, createEventRecorder, createLineCounters, createLineHandler } from '../pipeline.js'
import { resolveWinstonLevels } from './levels.js'
import { CLOSING_MESSAGE, type WorkerData } from './protocol.js'

// thread-stream's end() waits at most this long for the worker, like pino at exit.
const END_WAIT_MS = 10_000

const keepLine = (line: string): string => line

type FlushableStream = Transform & { flush?: () => Promise<void> }

export default async function winstonWorker (data: WorkerData): Promise<Transform> {
  const diagnostics = createDiagnostics()
  try {
    return createWorkerStream(data, diagnostics)
  } catch (err) {
    diagnostics.warn('start', `could not start, no events will be posted: ${describeError(err)}`)
    return build(source => { source.resume() }, { parse: 'lines', parseLine: keepLine, metadata: false })
  }
}

function createWorkerStream (data: WorkerData, diagnostics: ReturnType<typeof createDiagnostics>): Transform {
  const { config, problems } = parseOptions(data.options)
  if (config.delivery.flushTimeoutMs > END_WAIT_MS - 1000) {
    problems.push(`option 'flushTimeout' is ${config.delivery.flushTimeoutMs} ms, but the transport waits at most ${END_WAIT_MS} ms for its worker when the process exits: pending events may be cut off then`)
  }
  const levels = resolveWinstonLevels(config, data.options, data.levels, problems)
  for (const problem of problems) diagnostics.warn(`option:${problem}`, problem, Infinity)
  const counters = createLineCounters()
  const recorder = createEventRecorder(config, diagnostics, counters)
  const handleLine = createLineHandler({ config, levels, keys: PINO_INPUT_KEYS, recorder, diagnostics, counters })

  // Once the transport closes, flush and close share one flushTimeout: the application waits for both.
  let deadline: number | undefined
  parentPort?.on('message', (message: unknown) => {
    if ((message as { code?: unknown } | null)?.code === CLOSING_MESSAGE) deadline ??= Date.now() + config.delivery.flushTimeoutMs
  })
  const timeLeft = (): number => deadline === undefined ? config.delivery.flushTimeoutMs : Math.max(0, deadline - Date.now())

  const stream = build(source => {
    // A synchronous listener reads as fast as lines come: an awaited loop would back up into the application.
    source.on('data', handleLine)
  }, {
    parse: 'lines',
    parseLine: keepLine,
    metadata: false,
    close: async () => {
      try {
        await recorder.close(timeLeft())
      } catch {}
    }
  }) as FlushableStream
  // thread-stream calls the destination's flush() for the transport's flush: answer once deliveries are done.
  stream.flush = async () => {
    try {
      await recorder.flush(timeLeft())
    } catch {}
  }
  return stream
}
