// The pino transport: wires select → shape → correlate → deliver inside pino's worker thread.
import build from 'pino-abstract-transport'
import { workerData } from 'node:worker_threads'
import type { Transform } from 'node:stream'
import { createDiagnostics } from './diagnostics.js'
import { parseOptions } from './options.js'
import { resolveLevels } from './select/levels.js'
import { PINO_INPUT_KEYS, createEventRecorder, createLineCounters, createLineHandler } from './pipeline.js'
import type { Diagnostics } from './types.js'
import { describeError } from './fields.js'

export { k8sObjectSerializer, serializers } from './serializer.js'
export { checkOptions } from './options.js'

interface PinoConfig {
  levels?: { values?: Record<string, number> }
  messageKey?: string
  errorKey?: string
}

type TransportStream = Transform & PinoConfig & { flush?: (cb?: (err?: Error) => void) => Promise<void> }

const PINO_EXIT_WAIT_MS = 10_000

const keepLine = (line: string): string => line

// pino-abstract-transport waits for PINO_CONFIG only inside a worker started by pino.transport(); asking for it
// anywhere else makes it emit 'error', which would be fatal to the application.
function pinoSendsConfig (): boolean {
  return (workerData as { workerData?: { pinoWillSendConfig?: boolean } } | null)?.workerData?.pinoWillSendConfig === true
}

export default async function pinoK8sEvents (rawOptions: unknown = {}): Promise<Transform> {
  const diagnostics = createDiagnostics()
  try {
    return await createTransport(rawOptions, diagnostics)
  } catch (err) {
    diagnostics.warn('start', `could not start, no events will be posted: ${describeError(err)}`)
    return build(source => { source.resume() }, { parse: 'lines', parseLine: keepLine, metadata: false })
  }
}

async function createTransport (rawOptions: unknown, diagnostics: Diagnostics): Promise<Transform> {
  const { config, problems } = parseOptions(rawOptions)
  if (config.delivery.flushTimeoutMs > PINO_EXIT_WAIT_MS - 1000) {
    problems.push(`option 'flushTimeout' is ${config.delivery.flushTimeoutMs} ms, but pino waits at most ${PINO_EXIT_WAIT_MS} ms for a transport when the process exits: pending events may be cut off then`)
  }
  const counters = createLineCounters()
  const recorder = createEventRecorder(config, diagnostics, counters)

  // pino's configuration (levels, messageKey, errorKey) arrives on the stream; the handler is made once it has.
  const lineHandler = (source: TransportStream): ((line: string) => void) => {
    const injectedLevels = (rawOptions as { levels?: Record<string, number> } | null)?.levels
    const levels = resolveLevels(config, { ...injectedLevels, ...source.levels?.values }, problems)
    for (const problem of problems) diagnostics.warn(`option:${problem}`, problem, Infinity)
    return createLineHandler({
      config,
      levels,
      keys: { ...PINO_INPUT_KEYS, messageKey: source.messageKey ?? PINO_INPUT_KEYS.messageKey, errorKey: source.errorKey ?? PINO_INPUT_KEYS.errorKey },
      recorder,
      diagnostics,
      counters
    })
  }

  const stream = await build(async (source: TransportStream) => {
    try {
      // A synchronous listener keeps up with pino: an awaited loop body would back up into the application's memory.
      source.on('data', lineHandler(source))
    } catch (err) {
      diagnostics.warn('start', `could not start reading log lines, no events will be posted: ${describeError(err)}`)
      source.resume()
    }
  }, {
    parse: 'lines',
    parseLine: keepLine,
    metadata: false,
    expectPinoConfig: pinoSendsConfig(),
    close: async () => {
      try {
        await recorder.close()
      } catch {}
    }
  }) as TransportStream

  // pino's worker calls the destination's flush() on logger.flush(cb): answer once pending deliveries are done.
  stream.flush = async (cb) => {
    try {
      await recorder.flush()
    } catch {}
    if (typeof cb === 'function') cb()
  }
  return stream
}
