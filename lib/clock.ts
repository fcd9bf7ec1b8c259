// Two clocks, never mixed. The wall clock (epoch ms) can step back or forward at any moment (an NTP step, a VM
// resumed): it is read only for the times written into Events. Every duration and deadline (retries, backoff,
// rate-limit tokens, wake-ups, aggregation windows, flush and close deadlines, notice intervals) reads the
// monotonic clock, which only moves forward at the pace of real time.
import { performance } from 'node:perf_hooks'

export interface Clock {
  /** epoch ms, for occurrence times only */
  wall (): number
  /** ms since an arbitrary origin, never stepping: for durations and deadlines only */
  monotonic (): number
}

export const systemClock: Clock = {
  wall: () => Date.now(),
  monotonic: () => performance.now()
}
