// The winston transport: on the application's thread it only picks what an Event needs from bound lines; a worker
// thread runs the same pipeline as the pino transport.
import { systemClock } from '../clock.js'
import { createDiagnostics } from '../diagnostics.js'
import { describeError, isRecord } from '../fields.js'
import { parseOptions } from '../options.js'
import { bindingOf, levelOf, type Related } from './pick.js'
import { CountedLines } from './counted-lines.js'
import { relatedBindingOf } from '../shape/index.js'
import { resolveWinstonLevels } from './levels.js'
import { startWorkerThread, type WorkerThread } from './worker-thread.js'
import { TransportStream } from './transport-stream.js'

/** winston-transport's own options: they stay on this thread, the rest go to the worker. */
const WINSTON_OPTIONS = new Set(['level', 'format', 'silent', 'handleExceptions', 'handleRejections', 'highWaterMark', 'log', 'logv', 'close'])
const DEFAULT_OBJECT_KEY = 'k8sObject'
const DROP_NOTICE_EVERY_MS = 1000
/** lines dropped on this thread because the worker thread was behind (or had stopped): not the worker's queue */
const WORKER_BEHIND = 'worker-behind'
/** lines logged after close(): the worker has ended, and that was asked for */
const CLOSED = 'closed'

type Info = Record<string | symbol, unknown>
type Stats = { linesRead: number, dropped: Record<string, number>, [key: string]: unknown }

function workerOptions (options: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (!isRecord(options)) return out
  for (const key of Object.keys(options)) if (!WINSTON_OPTIONS.has(key)) out[key] = options[key]
  return out
}

// The worker checks objectKey and says what is wrong; here a bad one only falls back to the default.
function objectPath (objectKey: unknown): string[] {
  const path = typeof objectKey === 'string' ? objectKey.split('.') : []
  return path.length > 0 && path.every(segment => segment !== '') ? path : [DEFAULT_OBJECT_KEY]
}

export class K8sEventsTransport extends TransportStream {
  private readonly options: Record<string, unknown>
  private readonly path: string[]
  private readonly firstKey: string
  /** where the related object's binding is read; undefined when the options leave none */
  private readonly relatedPath: readonly string[] | undefined
  private readonly diagnostics = createDiagnostics()
  private worker: WorkerThread | undefined
  private counted: CountedLines | undefined
  private workerFailed = false
  private closing: Promise<void> | undefined
  private linesRead = 0
  /** whether anyone listens for 'logged': most applications don't, and the check runs for every line */
  private emitsLogged = false
  /** lines dropped on this thread because the worker was behind or gone */
  private droppedHere = 0
  /** lines logged after close() */
  private droppedClosed = 0
  private droppedSinceNotice = 0
  private lastNotice = -Infinity
  /** lines below it are not the worker's business; the worker reports what is wrong with the option */
  private minLevel = -Infinity

  constructor (options: Record<string, unknown> = {}) {
    super(isRecord(options) ? options : {})
    this.options = workerOptions(options)
    this.path = objectPath(this.options.objectKey)
    this.firstKey = this.path[0]
    this.relatedPath = relatedBindingOf(parseOptions(this.options).config)?.path
    // winston-transport reads the logger's levels on 'pipe' (registered first); the worker starts with them.
    this.on('pipe', () => this.startWorker())
    this.on('newListener', (name: string | symbol) => { if (name === 'logged') this.emitsLogged = true })
  }

  private startWorker (): void {
    if (this.worker !== undefined || this.workerFailed || this.closing !== undefined) return
    try {
      const levels = (this as unknown as { levels?: Record<string, number> }).levels ?? {}
      const { config } = parseOptions(this.options)
      const { flushTimeoutMs } = config.delivery
      // Resolved here too, so that lines below it cost no JSON; the problems are the worker's to tell.
      this.minLevel = resolveWinstonLevels(config, this.options, levels, []).minLevel
      this.worker = startWorkerThread({ options: this.options, levels: { ...levels } }, {
        flushTimeoutMs,
        events: {
          k8sEventsStats: stats => this.emitStats(stats as Stats),
          k8sEventDropped: drop => this.emitSafely('k8sEventDropped', drop)
        },
        onFailure: why => {
          this.workerFailed = true
          this.diagnostics.warn('worker', `the worker thread stopped (${why}); no more events will be posted`, Infinity)
        }
      })
      const counted = new CountedLines(this.worker, occurrences => this.dropHere(occurrences))
      this.worker.gather(() => counted.closeAll())
      this.counted = counted
    } catch (err) {
      this.workerFailed = true
      this.diagnostics.warn('start', `could not start the worker thread, no events will be posted: ${describeError(err)}`, Infinity)
    }
  }

  override log (info: Info, callback: () => void): void {
    try {
      this.linesRead++
      // Most lines carry no binding: one property read, and done.
      if (info[this.firstKey] !== undefined) this.record(info)
      if (this.emitsLogged) setImmediate(() => this.emitSafely('logged', info))
    } catch (err) {
      this.diagnostics.warn('log', `could not read a log line: ${describeError(err)}`)
    }
    callback()
  }

  private record (info: Info): void {
    const binding = bindingOf(info, this.path)
    if (binding === undefined) return
    if (this.worker === undefined) this.startWorker()
    const level = levelOf(info, (this as unknown as { levels?: Record<string, number> }).levels)
    if (typeof level === 'number' && level < this.minLevel) return
    if (this.closing !== undefined) {
      // Asked for: no warning, no notice.
      this.droppedClosed++
      return
    }
    if (this.counted === undefined) this.dropHere(1)
    else this.counted.add(info, binding, this.path, level, this.relatedOf(info))
  }

  private relatedOf (info: Info): Related | undefined {
    if (this.relatedPath === undefined) return undefined
    const binding = bindingOf(info, this.relatedPath)
    return binding === undefined ? undefined : { path: this.relatedPath, binding }
  }

  private dropHere (occurrences: number): void {
    this.droppedHere += occurrences
    this.droppedSinceNotice += occurrences
    this.diagnostics.warn(WORKER_BEHIND, this.workerFailed
      ? 'the worker thread has stopped; events are dropped'
      : 'the worker thread is behind and the lines waiting for it are at their limit; new events are dropped')
    const now = systemClock.monotonic()
    if (now - this.lastNotice < DROP_NOTICE_EVERY_MS) return
    this.lastNotice = now
    const count = this.droppedSinceNotice
    this.droppedSinceNotice = 0
    // As the worker's notices: `count` is this drop's occurrences, `droppedSincePrevious` every one since the
    // previous notice.
    this.emitSafely('k8sEventDropped', {
      cause: WORKER_BEHIND,
      count: occurrences,
      droppedSincePrevious: count,
      message: `${count} line${count === 1 ? '' : 's'} dropped on the application's thread since the previous notice: ` +
        (this.workerFailed ? 'the worker thread has stopped' : 'the worker thread is behind and the lines waiting for it are at their limit')
    })
  }

  // The worker counts the lines it was given; the application wants every line and this thread's drops too.
  private emitStats (stats: Stats): void {
    try {
      const dropped = { ...stats.dropped }
      dropped[WORKER_BEHIND] = this.droppedHere
      dropped[CLOSED] = (dropped[CLOSED] ?? 0) + this.droppedClosed
      this.emitSafely('k8sEventsStats', { ...stats, linesRead: this.linesRead, dropped })
    } catch {}
  }

  // A listener that throws must not reach winston, which would end the process on it.
  private emitSafely (name: string, payload: unknown): void {
    try {
      this.emit(name, payload)
    } catch (err) {
      this.diagnostics.warn(`listener:${name}`, `a '${name}' listener threw: ${describeError(err)}`)
    }
  }

  /** Resolves when the events logged so far are delivered, or flushTimeout passed (+ 10 s for a worker that does not answer). Never rejects. */
  async flush (): Promise<void> {
    await this.worker?.flush()
  }

  /** Delivers pending events (within flushTimeout; + 12 s for a worker that does not answer) and ends the worker. Never rejects; called by winston on remove/close. */
  override close (): Promise<void> {
    this.closing ??= (this.worker?.close() ?? Promise.resolve()).catch(() => {})
    return this.closing
  }

  // logger.end() ends each transport and waits for its 'finish': pending events are delivered by then.
  override _final (callback: (error?: Error | null) => void): void {
    this.close().then(() => callback(), () => callback())
  }
}

export default K8sEventsTransport
