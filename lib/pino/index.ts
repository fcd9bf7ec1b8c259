// The pino transport: wires select → shape → correlate → deliver inside pino's worker thread.
import { workerData } from 'node:worker_threads'
import type { Writable } from 'node:stream'
import { resolveLevels } from '../select/levels.js'
import { PINO_INPUT_KEYS } from '../pipeline.js'
import { createWorkerDestination } from '../worker-destination.js'

export { k8sObjectSerializer, serializers } from '../serializer.js'
export { checkOptions } from '../options.js'

/** What pino sends its transport before the first line, on the stream. */
interface PinoConfig {
  levels?: { values?: Record<string, number> }
  messageKey?: string
  errorKey?: string
}

// pino sends PINO_CONFIG only to a worker started by pino.transport(); waiting for it anywhere else would wait
// forever, and no line would ever be read.
function pinoSendsConfig (): boolean {
  return (workerData as { workerData?: { pinoWillSendConfig?: boolean } } | null)?.workerData?.pinoWillSendConfig === true
}

export default async function pinoK8sEvents (rawOptions: unknown = {}): Promise<Writable> {
  return await createWorkerDestination<PinoConfig>({
    rawOptions,
    exitWaiter: ms => `pino waits at most ${ms} ms for a transport`,
    expectPinoConfig: pinoSendsConfig(),
    // pino's configuration (levels, messageKey, errorKey) has arrived on the stream by the time this is asked.
    loggerOf: (source, config, problems) => {
      const injectedLevels = (rawOptions as { levels?: Record<string, number> } | null)?.levels
      return {
        levels: resolveLevels(config, { ...injectedLevels, ...source.levels?.values }, problems),
        keys: { ...PINO_INPUT_KEYS, messageKey: source.messageKey ?? PINO_INPUT_KEYS.messageKey, errorKey: source.errorKey ?? PINO_INPUT_KEYS.errorKey }
      }
    }
  })
}
