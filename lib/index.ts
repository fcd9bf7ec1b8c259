// The pino transport: wires select → shape → correlate → deliver inside pino's worker thread.
import build from 'pino-abstract-transport'
import { workerData } from 'node:worker_threads'
import type { Transform } from 'node:stream'
import { createDiagnostics } from './diagnostics.js'
import { parseOptions } from './options.js'
import { resolveLevels } from './levels.js'
import { createSelector } from './select.js'
import { shapeEvents } from './shape.js'
import { createApiClient } from './connection/index.js'
import { createRecorder, type Recorder } from './recorder.js'
import type { Diagnostics } from './types.js'

export { k8sObjectSerializer, serializers } from './serializer.js'
export { checkOptions } from './options.js'

interface PinoConfig {
  levels?: { values?: Record<string, number> }
  messageKey?: string
  errorKey?: string
}

type TransportStream = Transform & PinoConfig & { flush?: (cb?: (err?: Error) => void) => Promise<void> }

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
    diagnostics.warn('start', `could not start, no events will be posted: ${(err as Error)?.message ?? String(err)}`)
    return build(source => { source.resume() }, { parse: 'lines', parseLine: keepLine, metadata: false })
  }
}

async function createTransport (rawOptions: unknown, diagnostics: Diagnostics): Promise<Transform> {
  const { config, problems } = parseOptions(rawOptions)
  const client = createApiClient({
    kubeconfig: config.kubeconfig,
    context: config.context,
    requestTimeoutMs: config.delivery.requestTimeoutMs,
    maxSockets: config.delivery.concurrency,
    diagnostics
  })
  const lines = { linesRead: 0, linesSelected: 0, invalidLines: 0, invalidBindings: 0 }
  let invalidLines = (): number => 0
  const recorder: Recorder = createRecorder({
    config,
    source: { component: config.component, instance: config.instance },
    client,
    diagnostics,
    lineStats: () => ({ ...lines, invalidLines: invalidLines() })
  })

  const stream = await build(async (source: TransportStream) => {
    const injectedLevels = (rawOptions as { levels?: Record<string, number> } | null)?.levels
    const levelValues = { ...injectedLevels, ...source.levels?.values }
    const levels = resolveLevels(config, levelValues, problems)
    for (const problem of problems) diagnostics.warn(`option:${problem}`, problem, Infinity)
    const selector = createSelector({
      objectKey: config.objectKey,
      minLevel: levels.minLevel,
      messageKey: source.messageKey ?? 'msg',
      errorKey: source.errorKey ?? 'err',
      levelValues: levels.levelValues,
      diagnostics
    })
    invalidLines = () => selector.invalidLines
    const shapeContext = {
      typeFor: levels.typeFor,
      defaultReason: config.defaultReason,
      defaultAction: config.defaultAction,
      clusterNamespace: config.clusterNamespace,
      api: config.api,
      diagnostics,
      objectKey: config.objectKey,
      stats: lines
    }
    // A synchronous listener keeps up with pino: an awaited loop body would back up into the application's memory.
    source.on('data', (line: string) => {
      try {
        lines.linesRead++
        const selected = selector.select(line)
        if (selected === undefined) return
        lines.linesSelected++
        for (const shape of shapeEvents(selected, shapeContext)) recorder.record(shape)
      } catch (err) {
        diagnostics.warn('line', `could not handle a log line: ${(err as Error)?.message ?? String(err)}`)
      }
    })
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
