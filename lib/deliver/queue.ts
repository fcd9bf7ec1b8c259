// Where each record stands in delivery, kept as insertion-ordered sets so the oldest record goes first. The
// pending queue is bounded: records ready for a request slot, waiting for a retry, or throttled and forgotten by
// the dedup cache take room in it. Records waiting for their object's token while the cache still holds them
// stay out of it: the cache bounds them, and once it forgets one, the queue does.
import type { EventLog } from '../correlate/event-log.js'
import type { DeliveryState, EventRecord } from '../correlate/record.js'

export class DeliveryQueue {
  readonly ready = new Set<EventRecord>()
  /** waiting for a token of their object's bucket */
  readonly throttled = new Set<EventRecord>()
  /** the throttled ones the dedup cache forgot: only delivery holds them now, so they take room in the queue */
  readonly throttledUncached = new Set<EventRecord>()
  readonly retrying = new Set<EventRecord>()
  /** have occurrences, but there was no room in the queue for them yet */
  readonly parked = new Set<EventRecord>()
  readonly inFlight = new Set<EventRecord>()

  constructor (private readonly log: Pick<EventLog, 'pin' | 'unpin'>, private readonly queueSize: number) {}

  get queued (): number {
    return this.ready.size + this.retrying.size + this.throttledUncached.size
  }

  hasRoom (): boolean {
    return this.queued < this.queueSize
  }

  /** every record delivery holds, in any state but idle */
  * held (): Iterable<EventRecord> {
    for (const group of [this.ready, this.throttled, this.retrying, this.parked, this.inFlight]) yield * group
  }

  move (record: EventRecord, state: DeliveryState): void {
    this.leave(record)
    record.delivery.state = state
    if (state === 'ready') this.ready.add(record)
    else if (state === 'waiting') {
      if (record.delivery.waitingFor === 'token') {
        this.throttled.add(record)
        if (!record.cached) this.throttledUncached.add(record)
      } else this.retrying.add(record)
    } else if (state === 'parked') this.parked.add(record)
    else if (state === 'in-flight') this.inFlight.add(record)
    // Records with work must stay findable even when the dedup cache forgets them.
    if (state === 'idle' || state === 'parked') this.log.unpin(record)
    else this.log.pin(record)
  }

  /** parked records take the room the queue has */
  admitParked (): void {
    for (const record of this.parked) {
      if (!this.hasRoom()) return
      this.move(record, 'ready')
    }
  }

  /** every throttled record may go at once: used while flushing, when the buckets no longer count */
  releaseThrottled (): void {
    for (const record of this.throttled) this.move(record, 'ready')
  }

  clear (): void {
    for (const group of [this.ready, this.throttled, this.throttledUncached, this.retrying, this.parked, this.inFlight]) group.clear()
  }

  private leave (record: EventRecord): void {
    const from = record.delivery.state
    if (from === 'ready') this.ready.delete(record)
    else if (from === 'waiting') {
      this.throttled.delete(record)
      this.throttledUncached.delete(record)
      this.retrying.delete(record)
    } else if (from === 'parked') this.parked.delete(record)
    else if (from === 'in-flight') this.inFlight.delete(record)
  }
}
