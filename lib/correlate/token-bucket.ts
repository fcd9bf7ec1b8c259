// A passive token bucket (like golang.org/x/time/rate as client-go uses it): it refills lazily from the
// clock on every question, so idle buckets cost nothing and need no timer. Every `now` is a monotonic reading
// (lib/clock.ts): on the wall clock a step back would hold tokens back for as long, and a step forward fill it.

/** Float arithmetic may leave a bucket a hair short of a whole token after exactly the right wait. */
const EPSILON = 1e-9

export class TokenBucket {
  readonly #burst: number
  readonly #perMs: number
  #tokens: number
  #updatedAt: number

  constructor (burst: number, perSecond: number, now: number) {
    this.#burst = Math.max(1, burst)
    this.#perMs = Math.max(0, perSecond) / 1000
    this.#tokens = this.#burst
    this.#updatedAt = now
  }

  #refill (now: number): void {
    if (now > this.#updatedAt) {
      this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#updatedAt) * this.#perMs)
      this.#updatedAt = now
    }
  }

  /** takes a token when one is there */
  take (now: number): boolean {
    this.#refill(now)
    if (this.#tokens < 1 - EPSILON) return false
    this.#tokens = Math.max(0, this.#tokens - 1)
    return true
  }

  /** whole milliseconds until a token is there; 0 when one is there now, Infinity when none ever comes */
  msUntilToken (now: number): number {
    this.#refill(now)
    const missing = 1 - this.#tokens
    if (missing <= EPSILON) return 0
    if (this.#perMs === 0) return Infinity
    return Math.max(1, Math.ceil(missing / this.#perMs))
  }
}
