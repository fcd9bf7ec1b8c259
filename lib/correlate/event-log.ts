// The dedup log: event key → record with its counts, an LRU of bounded size. Records that still have
// occurrences to write are pinned, so a record the LRU forgets keeps counting until delivery is done with it.
import { LruCache } from './lru.js'
import type { EventRecord } from './record.js'

export interface EventLog {
  find (key: string): EventRecord | undefined
  add (record: EventRecord): void
  pin (record: EventRecord): void
  unpin (record: EventRecord): void
  readonly size: number
}

export function createEventLog (opts: { cacheSize: number, onEvict: (record: EventRecord) => void }): EventLog {
  const pinned = new Map<string, EventRecord>()
  const cache = new LruCache<string, EventRecord>(opts.cacheSize, (_key, record) => {
    record.cached = false
    opts.onEvict(record)
  })
  function add (record: EventRecord): void {
    record.cached = true
    cache.set(record.key, record)
  }
  return {
    find (key) {
      const cached = cache.get(key)
      if (cached !== undefined) return cached
      const kept = pinned.get(key)
      if (kept !== undefined) add(kept)
      return kept
    },
    add,
    pin (record) { pinned.set(record.key, record) },
    unpin (record) { pinned.delete(record.key) },
    get size () { return cache.size }
  }
}
