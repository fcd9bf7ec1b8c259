// The callers of flush() waiting for the occurrences counted before they asked: each waits for the records that
// had work then, up to the sequence number each had reached, or until its timeout. Later occurrences do not hold
// a flush up.
import { unsentCount, type EventRecord } from '../correlate/record.js'

interface FlushWaiter {
  /** each record with occurrences when the flush began → the sequence number of its latest one then */
  records: Map<EventRecord, number>
  finish: () => void
}

export class FlushWaiters {
  private readonly waiters = new Set<FlushWaiter>()

  /** while any flush waits, counts go out whatever the rate limits say */
  get active (): boolean {
    return this.waiters.size > 0
  }

  /** resolves when every record in `records` has settled up to its sequence number, or after timeoutMs */
  wait (records: Map<EventRecord, number>, timeoutMs: number): Promise<void> {
    return new Promise<void>(resolve => {
      let timer: NodeJS.Timeout | undefined
      const waiter: FlushWaiter = {
        records,
        finish: () => {
          if (!this.waiters.delete(waiter)) return
          clearTimeout(timer)
          resolve()
        }
      }
      this.waiters.add(waiter)
      timer = setTimeout(waiter.finish, Math.min(2 ** 31 - 1, Math.max(0, timeoutMs)))
      timer.unref()
    })
  }

  /** the record's batch ended (written or dropped): the flushes waiting only for it are done */
  settled (record: EventRecord): void {
    for (const waiter of this.waiters) {
      const seqAtFlush = waiter.records.get(record)
      if (seqAtFlush === undefined) continue
      if (unsentCount(record) === 0 || record.settledSeq >= seqAtFlush) waiter.records.delete(record)
      if (waiter.records.size === 0) waiter.finish()
    }
  }

  finishAll (): void {
    for (const waiter of this.waiters) waiter.finish()
  }
}
