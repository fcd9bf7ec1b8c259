// The lines the application's thread has picked, on their way to the worker.

/**
 * Characters of lines that may wait in the application's memory while thread-stream's 4 MiB shared buffer is full
 * (about 80,000 bound lines); lines beyond it are dropped and counted.
 */
export const MAX_WAITING_CHARS = 16 * 1024 * 1024
/** Waiting lines go to thread-stream in writes of about this size. */
const WRITE_CHUNK_CHARS = 64 * 1024

/** What of thread-stream the waiting lines use. */
export interface LineSink {
  write (data: string): boolean
  readonly writableNeedDrain: boolean
  readonly destroyed: boolean
}

/**
 * Lines on their way to thread-stream. They are handed over once per turn of the event loop, joined (one write
 * instead of one per line), and held here while thread-stream's shared buffer is full: its own overflow has no
 * bound, this one is exact, in characters.
 */
export class WaitingLines {
  private lines: string[] = []
  private chars = 0
  private scheduled = false

  constructor (private readonly stream: LineSink) {}

  /** false when the line does not fit */
  add (line: string): boolean {
    if (this.chars + line.length > MAX_WAITING_CHARS) return false
    this.lines.push(line)
    this.chars += line.length
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => {
        this.scheduled = false
        // A throw here would be an uncaught exception in the application; the lines stay for 'drain' or exit.
        try {
          // While the buffer is full, 'drain' moves the lines on.
          if (!this.stream.writableNeedDrain) this.moveOn()
        } catch {}
      })
    }
    return true
  }

  /** Moves waiting lines into thread-stream until its buffer is full again, or all of them when `all`. */
  moveOn (all = false): void {
    if (this.stream.destroyed) return
    let start = 0
    while (start < this.lines.length) {
      let end = start
      let size = 0
      while (end < this.lines.length && size < WRITE_CHUNK_CHARS) size += this.lines[end++].length
      const room = this.stream.write(end - start === 1 ? this.lines[start] : this.lines.slice(start, end).join(''))
      this.chars -= size
      start = end
      if (!room && !all) break
    }
    this.lines = start === this.lines.length ? [] : this.lines.slice(start)
  }
}

