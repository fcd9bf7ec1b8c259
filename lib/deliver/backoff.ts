// How long a record waits before its next attempt: after a failure, after a lost race with another writer, and
// after the server asked to come back later. Every wait is partly random, so that writers who failed together
// (replicas on one Event, records rejected in one burst) do not come back together.

const BASE_DELAY_MS = 200
const MAX_DELAY_MS = 30_000

/** exponential backoff with equal jitter: half fixed (never hammering), half random (replicas spread out) */
export function backoffMs (failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, failures - 1))
  return Math.round(ceiling / 2 + random() * ceiling / 2)
}

const CONFLICT_BASE_MS = 10
const CONFLICT_MAX_MS = 1000

/**
 * After the `detours`th lost race (409, or 404 after another writer's delete) of one batch. The first is taken at
 * once: one collision is common and the next read usually wins. Later ones wait a random time in a window that
 * doubles (full jitter): two writers that keep colliding are in lock-step, and only a random pause breaks it.
 * The window stays short (a second at most) because every lost race means another writer made progress.
 */
export function conflictBackoffMs (detours: number, random: () => number = Math.random): number {
  if (detours <= 1) return 0
  const window = Math.min(CONFLICT_MAX_MS, CONFLICT_BASE_MS * 2 ** (detours - 2))
  return Math.round(random() * window)
}

/**
 * Retry-After spread over [1, 1.5] times itself: never earlier than the server asked, and the records it rejected
 * in one burst (API Priority and Fairness answers every rejection with the same `Retry-After: 1`) come back spread
 * over half a second instead of at one instant.
 */
export function retryAfterSpreadMs (retryAfterMs: number, random: () => number = Math.random): number {
  if (!(retryAfterMs > 0)) return 0
  return Math.round(retryAfterMs * (1 + random() / 2))
}
