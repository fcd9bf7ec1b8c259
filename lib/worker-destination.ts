// The destination stream inside a worker thread, for the pino transport and the winston transport's worker alike:
// options, the recorder, the line handler once the logger's configuration is known, flush and close.
import { Writable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import { parentPort } from 'node:worker_threads'
import { createDiagnostics } from './diagnostics.js'
import { describeError } from './fields.js'
import { parseOptions } from './options.js'
import { createEventRecorder, createLineCounters, createTextHandler, type InputKeys } from './pipeline.js'
import type { LineReader } from './select/lines.js'
import type { resolveLevels } from './select/levels.js'
import type { Config, Diagnostics } from './types.js'

/** pino and thread-stream wait at most this long for a worker's destination when the process exits. */
const EXIT_WAIT_MS = 10_000

type DestinationStream = Writable & { flush?: (cb?: (err?: Error) => void) => Promise<void> }

export interface DestinationSetup<Source> {
  rawOptions: unknown
  /** who waits at exit, for the flushTimeout warning: ms => `pino waits at most ${ms} ms for a transport` */
  exitWaiter: (ms: number) => string
  /** whether pino sends its configuration (levels, keys) before the first line, which the handler waits for */
  expectPinoConfig: boolean
  /** the levels and keys of the logger; config problems go to `problems`, told once the handler is made */
  loggerOf: (source: Source, config: Config, problems: string[]) => { levels: ReturnType<typeof resolveLevels>, keys: InputKeys }
  /** how long flush and close may still take (default flushTimeout): a closing transport shares one deadline */
  timeLeft?: (config: Config) => number | undefined
  /** whether a line may stand for several occurrences (lib/select/occurrences.ts): only lines the project wrote */
  readsOccurrences?: boolean
}

/** The destination; when it can't be made, one that reads and drops every line, after saying why. Never rejects. */
export async function createWorkerDestination<Source> (setup: DestinationSetup<Source>): Promise<Writable> {
  const diagnostics = createDiagnostics()
  try {
    return await createDestination(setup, diagnostics)
  } catch (err) {
    diagnostics.warn('start', `could not start, no events will be posted: ${describeError(err)}`)
    return new Writable({ decodeStrings: false, write: (_text, _encoding, done) => done() })
  }
}

/** What pino sends its transport before the first line (levels, messageKey, errorKey), as pino-abstract-transport reads it. */
async function pinoConfigMessage<Source> (): Promise<Source> {
  return await new Promise(resolve => {
    parentPort?.on('message', function configMessage (message: { code?: unknown, config?: Source } | null) {
      if (message?.code !== 'PINO_CONFIG') return
      parentPort?.off('message', configMessage)
      resolve(message.config ?? {} as Source)
    })
  })
}

async function createDestination<Source> (setup: DestinationSetup<Source>, diagnostics: Diagnostics): Promise<Writable> {
  const { config, problems } = parseOptions(setup.rawOptions)
  if (config.delivery.flushTimeoutMs > EXIT_WAIT_MS - 1000) {
    problems.push(`option 'flushTimeout' is ${config.delivery.flushTimeoutMs} ms, but ${setup.exitWaiter(EXIT_WAIT_MS)} when the process exits: pending events may be cut off then`)
  }
  const counters = createLineCounters()
  const recorder = createEventRecorder(config, diagnostics, counters)
  const timeLeft = (): number | undefined => setup.timeLeft?.(config)
  const source = setup.expectPinoConfig ? await pinoConfigMessage<Source>() : {} as Source

  let text: LineReader = { write () {}, end () {} }
  try {
    const { levels, keys } = setup.loggerOf(source, config, problems)
    for (const problem of problems) diagnostics.warn(`option:${problem}`, problem, Infinity)
    text = createTextHandler({ config, levels, keys, recorder, diagnostics, counters, readsOccurrences: setup.readsOccurrences })
  } catch (err) {
    diagnostics.warn('start', `could not start reading log lines, no events will be posted: ${describeError(err)}`)
  }

  // thread-stream writes the text it decoded: taken as it comes (no Buffer and back again), synchronously, so that
  // the worker reads as fast as lines come and nothing backs up into the application.
  const decoder = new StringDecoder('utf8')
  const stream: DestinationStream = new Writable({
    decodeStrings: false,
    write (piece: string | Buffer, _encoding, done) {
      text.write(typeof piece === 'string' ? piece : decoder.write(piece))
      done()
    },
    final (done) {
      text.write(decoder.end())
      text.end()
      done()
    },
    destroy (_err, done) {
      recorder.close(timeLeft()).then(() => done(null), () => done(null))
    }
  })

  // The worker calls the destination's flush() for logger.flush() / the transport's flush: answer once deliveries are done.
  stream.flush = async (cb) => {
    try {
      await recorder.flush(timeLeft())
    } catch {}
    if (typeof cb === 'function') cb()
  }
  return stream
}
