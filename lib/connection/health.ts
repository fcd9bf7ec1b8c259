// Watches the answers of the API client and tells the transitions: the first failure of the connection at once,
// naming its cause and that events are kept, and the recovery. The same failure again is not told again; a
// connection that fails and recovers over and over is told at most once a minute per kind of failure.
import type { ApiClient, Diagnostics } from '../types.js'
import { systemClock } from '../clock.js'
import { describeFailure, NOT_CONNECTION_FAILURES, type FailureWords } from './failure-words.js'

/** the same kind of failure is told again only after this, however often the connection comes and goes */
const RETELL_MS = 60_000
const MAX_KINDS = 32
/**
 * Failures that do not make an outage until they last: a pooled keep-alive connection closed under a request is
 * common and passes, often for several requests at once (and when a server goes away, a reset comes before
 * 'refused', which says more). Told when they still happen this long after the first, with no answer between.
 */
const TOLD_WHEN_LASTING = new Set(['reset'])
const LASTING_MS = 1000

export interface WatchedApiClient extends ApiClient {
  /** while the server cannot be reached: why, in words; undefined once it answers */
  readonly problem: string | undefined
}

interface Outage extends FailureWords {
  since: number
  told: boolean
  /** when this kind of failure began (`since`: when the outage did) */
  kindSince: number
  /** whether this kind was told in this outage (`told`: whether any was) */
  toldThisKind: boolean
}

function durationText (ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`
  return `${Math.round(ms / 60_000)} min`
}

export function watchConnection (client: ApiClient, opts: {
  diagnostics: Diagnostics
  /** how long failed writes are retried before they are dropped (maxRetryAge) */
  retryForMs: number
  /** monotonic ms (lib/clock.ts): outage lengths and the once-a-minute rule */
  now?: () => number
}): WatchedApiClient {
  const { diagnostics } = opts
  const now = opts.now ?? systemClock.monotonic
  let outage: Outage | undefined
  const toldAt = new Map<string, number>()

  function failed (words: FailureWords): void {
    const time = now()
    if (outage?.kind === words.kind) {
      // The same failure again: told already, or held back by its kind until it lasts.
      if (outage.toldThisKind || !TOLD_WHEN_LASTING.has(words.kind) || time - outage.kindSince < LASTING_MS) return
    } else {
      outage = { ...words, since: outage?.since ?? time, kindSince: time, told: outage?.told === true, toldThisKind: false }
      if (TOLD_WHEN_LASTING.has(words.kind)) return
    }
    const last = toldAt.get(words.kind)
    if (last !== undefined && time - last < RETELL_MS) return
    outage.told = true
    outage.toldThisKind = true
    if (toldAt.size >= MAX_KINDS && last === undefined) toldAt.delete(toldAt.keys().next().value as string)
    toldAt.set(words.kind, time)
    const failing = words.kind === 'credentials' ? 'cannot write events to' : 'cannot connect to'
    diagnostics.warn(`connection:down:${words.kind}`,
      `${failing} the Kubernetes API at ${client.server}: ${words.words}. ` +
      `Events are kept and retried for up to ${durationText(opts.retryForMs)} (maxRetryAge); this is told once until the connection recovers`, 0)
  }

  function answered (): void {
    if (outage === undefined) return
    const ended = outage
    outage = undefined
    if (ended.told) {
      diagnostics.warn('connection:up', `the Kubernetes API at ${client.server} answers again after ${durationText(now() - ended.since)}; the events kept meanwhile are being written`, 0)
    }
  }

  return {
    async request (req) {
      const result = await client.request(req)
      try {
        if (result.kind === 'response') answered()
        else if (!NOT_CONNECTION_FAILURES.has(result.code)) failed(describeFailure(result, client.server))
      } catch {}
      return result
    },
    reloadCredentials: () => { client.reloadCredentials() },
    get defaultNamespace () { return client.defaultNamespace },
    get server () { return client.server },
    get problem () { return outage === undefined ? undefined : `the Kubernetes API at ${client.server} could not be used: ${outage.words}` },
    close: () => { client.close() }
  }
}
