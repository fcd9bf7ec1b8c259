// client-go's EventAggregator: when one object gets many different messages with the same type and reason
// within a rolling window, the further ones are counted on one aggregate Event instead of one Event each.
import { fingerprint } from './fingerprint.js'
import { LruCache } from './lru.js'

interface SimilarMessages {
  /** fingerprints of the distinct messages seen, not their texts: the latest text travels on the shape */
  messages: Set<number>
  lastSeen: number
}

export interface Aggregator {
  /** true when this occurrence belongs to the aggregate Event of `aggregateKey` */
  observe (aggregateKey: string, message: string, now: number): boolean
}

export function createAggregator (opts: { cacheSize: number, maxEvents: number, intervalSeconds: number }): Aggregator {
  const similar = new LruCache<string, SimilarMessages>(opts.cacheSize)
  const intervalMs = opts.intervalSeconds * 1000
  // A repeated warning brings the same text each time: its fingerprint is taken once.
  let lastMessage: string | undefined
  let lastFingerprint = 0
  function fingerprintOf (message: string): number {
    if (message !== lastMessage) {
      lastFingerprint = fingerprint(message)
      lastMessage = message
    }
    return lastFingerprint
  }
  // The occurrence before, when it did not aggregate: the same text again about the same object only moves lastSeen.
  // Nothing else touches the cache in between, so its entry is still there and still the newest.
  let repeatable: { aggregateKey: string, message: string, entry: SimilarMessages } | undefined
  return {
    observe (aggregateKey, message, now) {
      if (repeatable !== undefined && repeatable.aggregateKey === aggregateKey && repeatable.message === message &&
        now - repeatable.entry.lastSeen <= intervalMs) {
        repeatable.entry.lastSeen = now
        return false
      }
      repeatable = undefined
      let entry = similar.get(aggregateKey)
      if (entry === undefined || now - entry.lastSeen > intervalMs) {
        entry = { messages: new Set(), lastSeen: now }
        similar.set(aggregateKey, entry)
      }
      entry.messages.add(fingerprintOf(message))
      entry.lastSeen = now
      // A message already in the set leaves its size alone, so identical messages never aggregate.
      if (entry.messages.size < opts.maxEvents) {
        repeatable = { aggregateKey, message, entry }
        return false
      }
      // Keep the set at most maxEvents - 1 long: every further distinct message aggregates, memory stays flat.
      const oldest = entry.messages.values().next().value as number
      entry.messages.delete(oldest)
      return true
    }
  }
}
