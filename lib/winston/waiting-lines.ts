// The lines the application's thread has picked, on their way to the worker.

/**
 * Bytes of lines that may wait in the application's memory while thread-stream's 4 MiB shared buffer is full (about
 * 60,000 bound lines); lines beyond it are dropped and counted.
 */
export const MAX_WAITING_BYTES = 16 * 1024 * 1024
/**
 * How long lines gather before they go to the worker. Each handover wakes the worker thread, and every wake costs the
 * application's thread too (more than the lines it carries, on a machine of two cores): a handover per turn of the
 * event loop cost a busy application a tenth of its CPU. Each handover also lets the worker update every Event whose
 * object was logged about again (while the object's rate limit lets it), requests that take the other core. In the
 * bench's winston case the transport cost the application 4–7 % more CPU than one that discards lines when it handed
 * over every 50 ms, 3 % every 200 ms. A fifth of a second on an Event's way is nothing next to the seconds `kubectl`
 * shows.
 */
export const HANDOVER_MS = 200
/** Gathered lines of this many bytes go to the worker at the next turn of the event loop, without waiting longer. */
const HANDOVER_BYTES = 1024 * 1024
/** Lines are written as UTF-8 into chunks of this size, outside the JavaScript heap: no line outlives its call. */
const CHUNK_BYTES = 64 * 1024
const NEWLINE = 10
/** a JavaScript string's characters take at most this many bytes in UTF-8 */
const MOST_BYTES_PER_CHAR = 3

/** What of thread-stream the waiting lines use. */
export interface LineSink {
  write (data: Buffer): boolean
  readonly writableNeedDrain: boolean
  readonly destroyed: boolean
}

/**
 * Lines on their way to thread-stream: written into chunks as they come, handed over in one write every HANDOVER_MS,
 * and held here while thread-stream's shared buffer is full. Its own overflow has no bound; this one does.
 */
export class WaitingLines {
  /** chunks ready to go, oldest first */
  private ready: Buffer[] = []
  private readyBytes = 0
  private chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES)
  private used = 0
  private timer: NodeJS.Timeout | undefined
  private immediate: NodeJS.Immediate | undefined
  /** the worker is ending: a line now would never reach it */
  private ended = false
  /** called before every handover, to add what is still being gathered (counted-lines.ts) */
  gather: (() => void) | undefined

  constructor (private readonly stream: LineSink) {}

  /** Adds a line (without its end); false when it does not fit. */
  add (line: string): boolean {
    if (this.ended) return false
    const most = line.length * MOST_BYTES_PER_CHAR + 1
    if (this.readyBytes + this.used + most > MAX_WAITING_BYTES) return false
    if (most > CHUNK_BYTES) {
      this.seal()
      this.addReady(Buffer.from(line + '\n'))
    } else {
      if (this.used + most > CHUNK_BYTES) this.seal()
      this.used += this.chunk.write(line, this.used, 'utf8')
      this.chunk[this.used++] = NEWLINE
    }
    this.handOverSoon()
    return true
  }

  /** Makes sure a handover comes, for what `gather` holds. */
  handOverSoon (): void {
    if (this.readyBytes >= HANDOVER_BYTES) {
      this.immediate ??= setImmediate(() => this.handOver())
      return
    }
    if (this.timer !== undefined) return
    this.timer = setTimeout(() => this.handOver(), HANDOVER_MS)
    this.timer.unref()
  }

  /** Moves the lines into thread-stream until its buffer is full, or all of them when `all` (flush, exit). */
  moveOn (all = false): void {
    if (this.stream.destroyed) return
    this.gather?.()
    this.seal()
    let moved = 0
    while (moved < this.ready.length) {
      const chunk = this.ready[moved++]
      this.readyBytes -= chunk.length
      if (!this.stream.write(chunk) && !all) break
    }
    this.ready = moved === this.ready.length ? [] : this.ready.slice(moved)
  }

  /** Hands over what is left, and takes no more lines: the worker is told to end next. */
  end (): void {
    this.moveOn(true)
    this.ended = true
  }

  private handOver (): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    this.immediate = undefined
    // A throw here would be an uncaught exception in the application; the lines stay for 'drain' or exit.
    try {
      // While the buffer is full, 'drain' moves the lines on.
      if (!this.stream.writableNeedDrain) this.moveOn()
    } catch {}
  }

  private addReady (chunk: Buffer): void {
    this.ready.push(chunk)
    this.readyBytes += chunk.length
  }

  /** The chunk being written goes to the ready ones: a copy when it is mostly empty, so that it is written on. */
  private seal (): void {
    if (this.used === 0) return
    if (this.used < CHUNK_BYTES / 2) {
      this.addReady(Buffer.from(this.chunk.subarray(0, this.used)))
    } else {
      this.addReady(this.chunk.subarray(0, this.used))
      this.chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES)
    }
    this.used = 0
  }
}
