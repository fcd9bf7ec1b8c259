// The destination stream inside a worker thread, for the pino transport and the winston transport's worker alike:
// options, the recorder, the line handler once the logger's configuration is known, flush and close.
import build from 'pino-abstract-transport'
import type { Transform } from 'node:stream'
import { createDiagnostics } from './diagnostics.js'
import { describeError } from './fields.js'
import { parseOptions } from './options.js'
import { createEventRecorder, createLineCounters, createLineHandler, type InputKeys } from './pipeline.js'
import type { resolveLevels } from './select/levels.js'
import type { Config, Diagnostics } from './types.js'

/** pino and thread-stream wait at most this long for a worker's destination when the process exits. */
const EXIT_WAIT_MS = 10_000

type DestinationStream = Transform & { flush?: (cb?: (err?: Error) => void) => Promise<void> }

export interface DestinationSetup<Source> {
  rawOptions: unknown
  /** who waits at exit, for the flushTimeout warning: ms => `pino waits at most ${ms} ms for a transport` */
  exitWaiter: (ms: number) => string
  /** whether pino-abstract-transport waits for pino's configuration before the handler is made */
  expectPinoConfig: boolean
  /** the levels and keys of the logger; config problems go to `problems`, told once the handler is made */
  loggerOf: (source: Source, config: Config, problems: string[]) => { levels: ReturnType<typeof resolveLevels>, keys: InputKeys }
  /** how long flush and close may still take (default flushTimeout): a closing transport shares one deadline */
  timeLeft?: (config: Config) => number | undefined
}

const keepLine = (line: string): string => line

/** The destination; when it can't be made, one that reads and drops every line, after saying why. Never rejects. */
export async function createWorkerDestination<Source> (setup: DestinationSetup<Source>): Promise<Transform> {
  const diagnostics = createDiagnostics()
  try {
    return await createDestination(setup, diagnostics)
  } catch (err) {
    diagnostics.warn('start', `could not start, no events will be posted: ${describeError(err)}`)
    return build(source => { source.resume() }, { parse: 'lines', parseLine: keepLine, metadata: false })
  }
}

async function createDestination<Source> (setup: DestinationSetup<Source>, diagnostics: Diagnostics): Promise<Transform> {
  const { config, problems } = parseOptions(setup.rawOptions)
  if (config.delivery.flushTimeoutMs > EXIT_WAIT_MS - 1000) {
    problems.push(`option 'flushTimeout' is ${config.delivery.flushTimeoutMs} ms, but ${setup.exitWaiter(EXIT_WAIT_MS)} when the process exits: pending events may be cut off then`)
  }
  const counters = createLineCounters()
  const recorder = createEventRecorder(config, diagnostics, counters)
  const timeLeft = (): number | undefined => setup.timeLeft?.(config)

  const lineHandler = (source: Source): ((line: string) => void) => {
    const { levels, keys } = setup.loggerOf(source, config, problems)
    for (const problem of problems) diagnostics.warn(`option:${problem}`, problem, Infinity)
    return createLineHandler({ config, levels, keys, recorder, diagnostics, counters })
  }

  const stream = await build(async (source: Transform) => {
    try {
      // A synchronous listener reads as fast as lines come: an awaited loop body would back up into the application.
      source.on('data', lineHandler(source as unknown as Source))
    } catch (err) {
      diagnostics.warn('start', `could not start reading log lines, no events will be posted: ${describeError(err)}`)
      source.resume()
    }
  }, {
    parse: 'lines',
    parseLine: keepLine,
    metadata: false,
    expectPinoConfig: setup.expectPinoConfig,
    close: async () => {
      try {
        await recorder.close(timeLeft())
      } catch {}
    }
  }) as DestinationStream

  // The worker calls the destination's flush() for logger.flush() / the transport's flush: answer once deliveries are done.
  stream.flush = async (cb) => {
    try {
      await recorder.flush(timeLeft())
    } catch {}
    if (typeof cb === 'function') cb()
  }
  return stream
}
