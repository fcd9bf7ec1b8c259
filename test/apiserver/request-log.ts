// Every request the server saw, newest last, bounded so that long load tests cannot exhaust memory.

export interface RequestRecord {
  method: string
  /** path with query */
  path: string
  contentType?: string
  /** parsed JSON (a protobuf body decoded to the same form), or the raw text when it was neither; undefined without a body */
  body: unknown
  /** the authenticated user, when there was one */
  user?: string
  /** the answer's status; 0 while unanswered and for hung or dropped requests */
  status: number
  /** epoch milliseconds when the request arrived (with a fraction) */
  time: number
}

export const MAX_RECORDS = 200_000
/** Trimming a tenth (at most this many) at a time keeps appends cheap once the log is full. */
const MAX_TRIM_BATCH = 10_000

export class RequestLog {
  /** One array for the server's life, so that a test may hold on to it. */
  readonly records: RequestRecord[] = []

  private readonly max: number
  private readonly trimBatch: number

  constructor (max = MAX_RECORDS) {
    this.max = Math.max(1, Math.floor(max))
    this.trimBatch = Math.min(MAX_TRIM_BATCH, Math.floor(this.max / 10))
  }

  add (record: RequestRecord): void {
    this.records.push(record)
    if (this.records.length > this.max) this.records.splice(0, this.records.length - this.max + this.trimBatch)
  }

  clear (): void {
    this.records.length = 0
  }
}
