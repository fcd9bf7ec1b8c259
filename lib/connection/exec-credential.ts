// The credential of an exec plugin, held like client-go holds it: cached until shortly before its
// expirationTimestamp, fetched again when the server refuses it (401) unless a newer one was fetched meanwhile.
// Beyond client-go: the plugin runs once at a time and at most once per minimum interval, so a burst of 401s, or a
// plugin printing a credential that has already expired, cannot make every request start the plugin; and a run
// that started before a refusal never becomes the held credential, so the retry carries a credential from after it.
import { performance } from 'node:perf_hooks'
import { pluginName, runExecPlugin, type ExecClusterInfo, type ExecCredentialResult, type PluginRun } from './exec-plugin.js'
import type { ExecSettings } from './target.js'

export type { ExecClusterInfo, ExecCredentialResult } from './exec-plugin.js'
export type ExecOutcome = { ok: true, result: ExecCredentialResult } | { ok: false, message: string }

/** a plugin is started at most once per this long, and a failed run is answered for this long */
export const DEFAULT_MIN_RUN_INTERVAL_MS = 5_000

export interface ExecCredentialOptions {
  env: NodeJS.ProcessEnv
  timeoutMs: number
  /** the wall clock, against which expirationTimestamp is read */
  now: () => number
  cluster: ExecClusterInfo
  minRunIntervalMs?: number
  /** things the user should hear about once: a credential that arrives already expired */
  warn?: (key: string, message: string) => void
}

export interface ExecCredentialSource {
  get (): Promise<ExecOutcome>
  /**
   * The server refused `result` (401): the next get() waits for a run started after now, unless `result` is no
   * longer the held credential (another request's 401 already asked for a new one).
   */
  rejected (result: object | undefined): void
  /** forget the held credential, whatever it is, so the next get() waits for a run started after now */
  reload (): void
  close (): void
}

interface Held { result: ExecCredentialResult, expiresAt: number, refreshAt: number, rejected: boolean }

export function createExecCredential (settings: ExecSettings, opts: ExecCredentialOptions): ExecCredentialSource {
  const name = pluginName(settings)
  const minInterval = opts.minRunIntervalMs ?? DEFAULT_MIN_RUN_INTERVAL_MS
  let held: Held | undefined
  let failure: { message: string, generation: number } | undefined
  /** moves on every refusal or reload; a run that started in an older generation is not held */
  let generation = 0
  let refreshing: Promise<void> | undefined
  let lastStart = -Infinity
  let run: PluginRun | undefined
  let pause: { timer: NodeJS.Timeout, wake: () => void } | undefined
  let closed = false

  const sinceLastStart = (): number => performance.now() - lastStart
  const mayStart = (): boolean => sinceLastStart() >= minInterval

  function waitForInterval (): Promise<void> {
    const ms = minInterval - sinceLastStart()
    if (ms <= 0) return Promise.resolve()
    return new Promise(resolve => {
      const wake = (): void => { pause = undefined; resolve() }
      pause = { timer: setTimeout(wake, ms), wake }
    })
  }

  async function runOnce (): Promise<void> {
    const started = generation
    lastStart = performance.now()
    run = runExecPlugin(settings, opts)
    const outcome = await run.outcome
    run = undefined
    // Started before a refusal or reload: what it printed may be the very credential just refused.
    if (closed || started !== generation) return
    if (!outcome.ok) {
      failure = { message: outcome.message, generation }
      return
    }
    failure = undefined
    held = { ...outcome.credential, rejected: false }
    const now = opts.now()
    if (held.expiresAt <= now) {
      opts.warn?.('exec:expired', `${name} printed a credential that had already expired (expirationTimestamp ` +
        `${new Date(held.expiresAt).toISOString()}, ${Math.round((now - held.expiresAt) / 1000)} s ago); it is used until ` +
        `the server refuses it and the plugin is run again at most every ${minInterval / 1000} s: check the plugin's ` +
        'cached credential and this machine\'s clock')
    }
  }

  /** the one run at a time: every caller waits for the run that is coming, started no sooner than the interval allows */
  function refresh (): Promise<void> {
    refreshing ??= (async () => {
      try {
        await waitForInterval()
        if (!closed) await runOnce()
      } finally {
        refreshing = undefined
      }
    })()
    return refreshing
  }

  const closedOutcome = (): ExecOutcome => ({ ok: false, message: `${name}: the client is closed` })

  /** what get() answers now, or undefined when it has to wait for a run */
  function answerNow (): ExecOutcome | undefined {
    if (closed) return closedOutcome()
    const lastFailure = failure?.generation === generation ? failure : undefined
    if (held !== undefined && !held.rejected) {
      const now = opts.now()
      if (now < held.expiresAt) {
        // Still valid: fetch the next one in the background when close to expiry, and use this one meanwhile.
        if (now >= held.refreshAt && refreshing === undefined && mayStart()) refresh().catch(() => {})
        return { ok: true, result: held.result }
      }
      // Expired, and the plugin ran moments ago: it is the newest credential there is; the server will judge.
      if (refreshing === undefined && !mayStart()) {
        return lastFailure !== undefined ? { ok: false, message: lastFailure.message } : { ok: true, result: held.result }
      }
      return undefined
    }
    if (lastFailure !== undefined && refreshing === undefined && !mayStart()) return { ok: false, message: lastFailure.message }
    return undefined
  }

  return {
    async get () {
      // Each pass waits for a run; another pass follows only when that run started before a refusal or reload.
      for (;;) {
        const answer = answerNow()
        if (answer !== undefined) return answer
        const before = generation
        await refresh()
        if (closed) return closedOutcome()
        if (generation !== before) continue
        if (failure?.generation === generation) return { ok: false, message: failure.message }
        if (held !== undefined && !held.rejected) return { ok: true, result: held.result }
      }
    },
    rejected (result) {
      if (result === undefined || held?.result !== result || held.rejected) return
      held.rejected = true
      generation++
    },
    reload () {
      if (held !== undefined) held.rejected = true
      generation++
    },
    close () {
      closed = true
      run?.stop()
      if (pause !== undefined) {
        clearTimeout(pause.timer)
        pause.wake()
      }
    }
  }
}
