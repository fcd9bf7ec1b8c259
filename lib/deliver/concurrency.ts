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
