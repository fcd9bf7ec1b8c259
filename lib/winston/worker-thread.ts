// The application's side of the worker: thread-stream (pino's own worker stream) carries the lines, this file
// bounds what waits in the application's memory and ends the worker at exit the way pino ends its transports.
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import type ThreadStreamType from 'thread-stream'
import { CLOSING_MESSAGE, type WorkerData } from './protocol.js'
import { WaitingLines, type LineSink } from './waiting-lines.js'

const require = createRequire(import.meta.url)
const ThreadStream = require('thread-stream') as typeof ThreadStreamType
const onExit = require('on-exit-leak-free') as {
  register: (obj: object, fn: (obj: any) => void) => void
  registerBeforeExit: (obj: object, fn: (obj: any) => void) => void
  unregister: (obj: object) => void
}

const WORKER_FILE = fileURLToPath(new URL('./worker.js', import.meta.url))
/** Beyond the flush timeout, how long close() waits for the worker thread to end. */
const END_GRACE_MS = 2000
/**
 * Beyond the flush timeout, how long flush() and close() wait for a worker that does not answer at all (one still
 * starting on a busy machine answers well within it).
 */
const ANSWER_GRACE_MS = 10_000
/** pino sleeps this long at an exit before 'ready', for a thread that may not have been created yet. */
const START_RACE_MS = 100

type Stream = ThreadStreamType & LineSink & {
  flush: (cb?: (err?: Error) => void) => void
  flushSync: () => void
  ref: () => void
  unref: () => void
  readonly closed: boolean
  readonly worker: { terminate: () => Promise<number> }
}

export interface WorkerThread {
  /** hands one line to the worker; false when it was dropped (the worker is behind or gone). Never throws. */
  write (line: string): boolean
  /** a handover to the worker is to come, for lines `gather` still holds */
  handOverSoon (): void
  /** called before every handover (and at flush and exit) to add the lines still being gathered */
  gather (add: () => void): void
  /** resolves when the worker has delivered what it was given, or flushTimeout passed; never rejects */
  flush (): Promise<void>
  /** flush, then end the worker; never rejects */
  close (): Promise<void>
}

function sleepSync (ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

const waitingOf = new WeakMap<Stream, WaitingLines>()

// Registered with on-exit-leak-free, as pino registers its transports: at exit the worker delivers what is pending.
function endAtExit (stream: Stream): void {
  try {
    stream.ref()
    waitingOf.get(stream)?.moveOn(true)
    stream.flushSync()
    stream.end()
  } catch {}
}

function flushAtBeforeExit (stream: Stream): void {
  try {
    waitingOf.get(stream)?.moveOn(true)
    stream.flushSync()
  } catch {}
}

/**
 * Every stream until it closes. thread-stream terminates a worker whose stream was garbage-collected, so an
 * application that let go of its logger would lose the events still waiting, without a word; held here, the stream
 * lives until it is closed or the process exits, when it is flushed like any other.
 */
const openStreams = new Set<Stream>()

/**
 * Starts the worker. `events` receives what the worker emits (k8sEventsStats, k8sEventDropped); `onFailure` is told
 * once if the worker stops on its own. Throws only when the worker can't be created at all.
 */
export function startWorkerThread (data: WorkerData, opts: {
  /** the worker's flushTimeout: how long flush() and close() may wait for it */
  flushTimeoutMs: number
  events: Record<string, (payload: unknown) => void>
  onFailure: (why: string) => void
}): WorkerThread {
  const stream = new ThreadStream({ filename: WORKER_FILE, workerData: data, workerOpts: { name: 'pino-k8s-events/winston' }, sync: false }) as Stream
  openStreams.add(stream)
  const { flushTimeoutMs } = opts
  const waiting = new WaitingLines(stream)
  waitingOf.set(stream, waiting)
  let closing: Promise<void> | undefined
  /** set before an unresponsive worker is terminated on purpose: its end is no failure to report */
  let terminating = false

  // thread-stream emits 'error' when the worker dies; the application must never see it.
  stream.on('error', (err: unknown) => {
    if (!terminating) opts.onFailure(String((err as Error)?.message ?? err))
  })
  stream.on('drain', () => {
    try {
      waiting.moveOn()
    } catch {}
  })
  for (const [name, listener] of Object.entries(opts.events)) stream.on(name, listener)

  // Before 'ready' pino holds a plain 'exit' listener that writes out what waits; after it, on-exit-leak-free.
  const exitBeforeReady = (): void => {
    if (stream.closed) return
    try {
      waiting.moveOn(true)
      stream.flushSync()
      sleepSync(START_RACE_MS)
      stream.end()
    } catch {}
  }
  process.on('exit', exitBeforeReady)
  stream.once('ready', () => {
    process.removeListener('exit', exitBeforeReady)
    stream.unref()
    onExit.register(stream, endAtExit)
    onExit.registerBeforeExit(stream, flushAtBeforeExit)
  })
  stream.once('close', () => {
    openStreams.delete(stream)
    process.removeListener('exit', exitBeforeReady)
    onExit.unregister(stream)
  })

  /** Resolves true when the worker answered the flush, false when it did not within flushTimeout and a grace. */
  async function flush (): Promise<boolean> {
    if (stream.destroyed) return true
    return await new Promise<boolean>(resolve => {
      // The worker bounds its own flush by flushTimeout; this bound holds even if the worker can't answer at all.
      const timer = setTimeout(() => resolve(false), flushTimeoutMs + ANSWER_GRACE_MS)
      timer.unref()
      try {
        waiting.moveOn(true)
        stream.flush(() => {
          clearTimeout(timer)
          resolve(true)
        })
      } catch {
        clearTimeout(timer)
        resolve(true)
      }
    })
  }

  async function endWorker (): Promise<void> {
    try {
      // The application waits for close(): the worker keeps it alive until then.
      stream.ref()
      stream.emit('message', { code: CLOSING_MESSAGE })
    } catch {}
    // Deliver while this thread is free: end() blocks it until the worker has closed. The flush hands over every
    // line, the ones still being counted too; nothing can wait after it.
    const answered = await flush()
    waiting.end()
    if (stream.closed) return
    const closed = new Promise<void>(resolve => {
      const timer = setTimeout(resolve, END_GRACE_MS)
      timer.unref()
      stream.once('close', () => {
        clearTimeout(timer)
        resolve()
      })
    })
    try {
      if (answered) {
        // 'ready' may have come meanwhile, and unref()'d the worker.
        stream.ref()
        stream.end()
      } else {
        // A worker that does not answer would block this thread in end(): it is stopped instead.
        terminating = true
        stream.worker.terminate().catch(() => {})
      }
    } catch {}
    await closed
  }

  return {
    write (line) {
      if (stream.destroyed) return false
      try {
        return waiting.add(line)
      } catch {
        return false
      }
    },
    handOverSoon () {
      waiting.handOverSoon()
    },
    gather (add) {
      waiting.gather = add
    },
    async flush () {
      await flush()
    },
    close () {
      closing ??= endWorker().catch(() => {})
      return closing
    }
  }
}
