// pino-k8s-events/testing: Events a unit test can read back. Lines go through the production stages (select,
// shape, correlate) in the test's own thread, synchronously; where delivery would write to the API server, a
// recorder keeps the Events in memory. client-go's FakeRecorder, for a pino or winston logger.
import { createRequire } from 'node:module'
import type { Logger, LoggerOptions } from 'pino'
import type TransportStream from 'winston-transport'
import { createDiagnostics } from '../diagnostics.js'
import { parseOptions } from '../options.js'
import { createLineCounters, createLineHandler, PINO_INPUT_KEYS, type InputKeys } from '../pipeline.js'
import { resolveLevels, type ResolvedLevels } from '../select/levels.js'
import { relatedBindingOf } from '../shape/index.js'
import { resolveWinstonLevels } from '../winston/levels.js'
import { isAbout, wantedObject } from './about.js'
import { createMemoryRecorder, type RecordedEvent } from './memory-recorder.js'
import { createTestTransport } from './winston-transport.js'

export type { RecordedEvent } from './memory-recorder.js'

const require = createRequire(import.meta.url)

export interface TestRecorder {
  /** a pino logger whose lines become Events here; its options are pino's own (level, customLevels, messageKey, …) */
  logger (options?: LoggerOptions<string>): Logger<string>
  /** a winston transport whose lines become Events here; its options are winston-transport's own (level, format, …) */
  winstonTransport (options?: TransportStream.TransportStreamOptions): TransportStream
  /** every Event, in the order of its first occurrence */
  events (): RecordedEvent[]
  /** the Events about one object: a body, a client-node instance or a reference */
  eventsAbout (object: unknown): RecordedEvent[]
  /** forgets every Event and what correlation remembered */
  clear (): void
}

type PinoModule = ((options: LoggerOptions<string>, stream: { write: (chunk: string) => void }) => Logger<string>) & {
  symbols: { messageKeySym: symbol, errorKeySym: symbol }
}

/** pino is the application's: loaded when a test asks for a logger, so a winston-only test needs none. */
function loadPino (): PinoModule {
  try {
    return require('pino') as PinoModule
  } catch (err) {
    throw new Error(`pino-k8s-events/testing: logger() needs pino installed (${String((err as Error)?.message ?? err)})`)
  }
}

/**
 * A recorder with the options of the transport: component, instance, objectKey, relatedKey, minLevel, eventTypes,
 * reason, action, clusterNamespace, api, cacheSize, aggregate and rateLimit act as in production; the connection
 * and delivery options are accepted and have nothing to do here.
 */
export function createTestRecorder (options: Record<string, unknown> = {}): TestRecorder {
  const diagnostics = createDiagnostics()
  const { config, problems } = parseOptions(options)
  for (const problem of problems) diagnostics.warn(`option:${problem}`, problem, Infinity)
  const counters = createLineCounters()
  const recorder = createMemoryRecorder({
    config,
    source: { component: config.component, instance: config.instance },
    lineStats: () => ({ ...counters }),
    diagnostics
  })

  function handlerFor (levels: ResolvedLevels, keys: InputKeys, levelProblems: string[]): (line: string) => void {
    for (const problem of levelProblems) diagnostics.warn(`option:${problem}`, problem, Infinity)
    return createLineHandler({ config, levels, keys, recorder, diagnostics, counters })
  }

  return {
    logger (loggerOptions = {}) {
      const pino = loadPino()
      let handle: (line: string) => void = () => {}
      // pino writes each line with its newline, in the call that logs it.
      const logger = pino(loggerOptions, {
        write (chunk: string) {
          for (const line of chunk.split('\n')) if (line !== '') handle(line)
        }
      })
      const levelProblems: string[] = []
      const levels = resolveLevels(config, logger.levels.values, levelProblems)
      const keys: InputKeys = {
        ...PINO_INPUT_KEYS,
        messageKey: (logger as any)[pino.symbols.messageKeySym] ?? PINO_INPUT_KEYS.messageKey,
        errorKey: (logger as any)[pino.symbols.errorKeySym] ?? PINO_INPUT_KEYS.errorKey
      }
      handle = handlerFor(levels, keys, levelProblems)
      return logger
    },
    winstonTransport (transportOptions = {}) {
      return createTestTransport({
        path: config.objectKey.split('.'),
        relatedPath: relatedBindingOf(config)?.path,
        diagnostics,
        handlerFor: winstonLevels => {
          const levelProblems: string[] = []
          return handlerFor(resolveWinstonLevels(config, options, winstonLevels, levelProblems), PINO_INPUT_KEYS, levelProblems)
        }
      }, transportOptions)
    },
    events: () => recorder.events(),
    eventsAbout (object) {
      const wanted = wantedObject(object)
      return recorder.events().filter(event => isAbout(event, wanted))
    },
    clear: () => { recorder.clear() }
  }
}
