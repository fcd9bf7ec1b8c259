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

/** How long a child process may run before it is killed and its test fails, short of tap's timeout. */
export const PROCESS_DEADLINE_MS = 150_000

/**
 * Resolves with the exit code and signal once `child` has ended and its output has been read ('close'); a child
 * still running after PROCESS_DEADLINE_MS is killed, and the promise rejects naming `what` and what it printed.
 */
export async function closed (child: import('node:child_process').ChildProcess, what: string, printed: () => string = () => ''):
Promise<[number | null, NodeJS.Signals | null]> {
  let overdue = false
  const deadline = setTimeout(() => {
    overdue = true
    child.kill('SIGKILL')
  }, PROCESS_DEADLINE_MS)
  const ended = await new Promise<[number | null, NodeJS.Signals | null]>(resolve => child.on('close', (code, signal) => resolve([code, signal])))
  clearTimeout(deadline)
  if (overdue) throw new Error(`${what} did not end within ${PROCESS_DEADLINE_MS / 1000} s and was killed; it printed: ${printed().slice(-2000)}`)
  return ended
}
