// Waiting on a condition instead of on the clock: a busy machine only makes it take longer.

/** How long a condition may take before the test fails, far beyond any healthy run and short of tap's timeout. */
export const CONDITION_DEADLINE_MS = 60_000

/** Waits until `condition` holds, checking every 20 ms, for at most `ms`; returns whether it held. */
export async function waitFor (condition: () => boolean, ms = CONDITION_DEADLINE_MS): Promise<boolean> {
  const until = Date.now() + ms
  while (!condition()) {
    if (Date.now() >= until) return false
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  return true
}
