// How many requests may be out at once, adapted to what the API server admits (additive increase, multiplicative
// decrease, as TCP does with its window). API Priority and Fairness gives a client a few seats and rejects the
// rest with 429; sending more at once only turns into more rejections and a herd of retries. So a rejection halves
// the limit (down to 1) and each answer the server admitted grows it by 1/limit, about one more per round of
// requests, up to the ceiling that applies: `concurrency`, or the flush's while a flush waits.

export class AdaptiveConcurrency {
  #limit: number
  /** bumped by every cut: a rejection of a request sent before the latest cut was answered to the old limit */
  #generation = 0

  constructor (initial: number) {
    this.#limit = Math.max(1, initial)
  }

  /** the requests that may be out now under `ceiling` */
  slots (ceiling: number): number {
    return Math.max(1, Math.floor(Math.min(this.#limit, ceiling)))
  }

  /** to be kept with a request when it is sent, and given back with its answer */
  get generation (): number {
    return this.#generation
  }

  /** the server admitted a request (whatever it answered) */
  admitted (ceiling: number): void {
    if (this.#limit >= ceiling) return
    this.#limit = Math.min(ceiling, this.#limit + 1 / this.#limit)
  }

  /**
   * the server rejected a request for overload. Requests sent before the latest cut were sent under the old limit:
   * their rejections arrive together and are one signal, not one each.
   */
  rejected (sentInGeneration: number, ceiling: number): void {
    if (sentInGeneration !== this.#generation) return
    this.#limit = Math.max(1, Math.floor(Math.min(this.#limit, ceiling) / 2))
    this.#generation++
  }
}

/**
 * Tells once when overload has brought the limit down to one request at a time (a passing 429 is no news: only a
 * server that keeps rejecting gets there), and once when the limit is back at its ceiling.
 */
export class OverloadNotice {
  #told = false

  constructor (private readonly warn: (key: string, message: string, everyMs?: number) => void, private readonly server: () => string) {}

  update (slots: number, ceiling: number): void {
    if (!this.#told && slots === 1 && ceiling > 1) {
      this.#told = true
      this.warn('overload', `the API server at ${this.server()} keeps rejecting requests for overload (429 Too Many Requests, or 503 with ` +
        'Retry-After): writing one request at a time and retrying after Retry-After; nothing is lost unless it lasts maxRetryAge. ' +
        'If it persists, give this client a priority level with more seats (API Priority and Fairness) or lower `concurrency`.', 0)
    } else if (this.#told && slots >= ceiling) {
      this.#told = false
      this.warn('overload-recovered', `the API server at ${this.server()} admits requests again: up to ${ceiling} at once`, 0)
    }
  }
}
