// One timer for every record that waits (for a retry or a token): it is set for the earliest of them, and the
// records due are found when it fires. Unref'd: a timer never keeps a process alive by itself.

/** setTimeout fires at once beyond 2^31 ms; a longer wait is taken in steps */
const MAX_TIMER_MS = 3_600_000

export class WakeTimer {
  private timer: NodeJS.Timeout | undefined
  private at = Infinity
  private stopped = false

  constructor (private readonly onWake: () => void, private readonly now: () => number) {}

  /** makes sure the timer fires by `time` (on the monotonic clock `now` reads) */
  wakeBy (time: number): void {
    if (this.stopped || !Number.isFinite(time) || (this.timer !== undefined && this.at <= time)) return
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.at = time
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.at = Infinity
      this.onWake()
    }, Math.min(MAX_TIMER_MS, Math.max(0, time - this.now())))
    this.timer.unref()
  }

  stop (): void {
    this.stopped = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }
}
