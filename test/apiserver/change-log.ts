// The store's recent changes, as the watch cache keeps them: a bounded window that a watch from an older
// resourceVersion can replay, and a feed of new changes for the watches that are open.
import type { StoredObject } from './store.js'

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED'

export interface Change {
  revision: number
  /** the store key of the kind, as storeKeyOf gives it */
  storeKey: string
  type: ChangeType
  /** the object after the change; for DELETED, the last state carrying the deletion's resourceVersion */
  object: StoredObject
  /** the object before the change, for MODIFIED: selectors turn a change in or out of view into ADDED or DELETED */
  previous?: StoredObject
}

/** The real server keeps a window per resource that grows with load; one window for all kinds is enough here. */
export const DEFAULT_HISTORY = 10_000

export class ChangeLog {
  private readonly ring: Array<Change | undefined>
  private start = 0
  private size = 0
  /** the newest revision that is no longer replayable: a watch from below it is too old */
  private floor: number
  private readonly listeners = new Set<(change: Change) => void>()

  constructor (revision: number, capacity = DEFAULT_HISTORY) {
    this.ring = new Array(Math.max(1, Math.floor(capacity)))
    this.floor = revision
  }

  record (change: Change): void {
    const capacity = this.ring.length
    if (this.size === capacity) {
      this.floor = (this.ring[this.start] as Change).revision
      this.start = (this.start + 1) % capacity
      this.size -= 1
    }
    this.ring[(this.start + this.size) % capacity] = change
    this.size += 1
    for (const listener of [...this.listeners]) listener(change)
  }

  /**
   * Changes after `revision`, oldest first, or the oldest revision a watch may start from when `revision` is
   * older than the window (the number in "too old resource version: X (Y)").
   */
  since (revision: number): Change[] | { expired: number } {
    if (revision < this.floor) return { expired: this.floor }
    const changes: Change[] = []
    for (let i = 0; i < this.size; i++) {
      const change = this.ring[(this.start + i) % this.ring.length] as Change
      if (change.revision > revision) changes.push(change)
    }
    return changes
  }

  /** Forgets every change up to `revision`, as a restarted server's watch cache starts without history. */
  compact (revision: number): void {
    this.ring.fill(undefined)
    this.start = 0
    this.size = 0
    this.floor = Math.max(this.floor, revision)
  }

  subscribe (listener: (change: Change) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }
}
