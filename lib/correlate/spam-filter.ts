// client-go's EventSourceObjectSpamFilter: a token bucket per (source, object, type) that every request
// about it must pass. Unlike client-go nothing is thrown away here: the caller keeps the counts and asks
// again when the returned wait is over.
import { LruCache } from './lru.js'
import { TokenBucket } from './token-bucket.js'

export interface SpamFilter {
  /** 0 when a token was taken, else the milliseconds until one is there */
  take (spamKey: string, now: number): number
}

export function createSpamFilter (opts: { cacheSize: number, rateLimit: false | { burst: number, qps: number } }): SpamFilter {
  const { rateLimit } = opts
  if (rateLimit === false) return { take: () => 0 }
  // Forgetting a bucket hands its object a fresh burst: the price of bounded memory, as in client-go.
  const buckets = new LruCache<string, TokenBucket>(opts.cacheSize)
  return {
    take (spamKey, now) {
      let bucket = buckets.get(spamKey)
      if (bucket === undefined) {
        bucket = new TokenBucket(rateLimit.burst, rateLimit.qps, now)
        buckets.set(spamKey, bucket)
      }
      return bucket.take(now) ? 0 : bucket.msUntilToken(now)
    }
  }
}
