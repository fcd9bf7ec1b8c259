// Exec credential plugins (client.authentication.k8s.io v1 and v1beta1), run like client-go runs them: one at a
// time, never blocking the event loop, cached until shortly before the credential's expirationTimestamp.
import { spawn, type ChildProcess } from 'node:child_process'
import { redact } from '../diagnostics.js'
import type { ExecSettings } from './target.js'

const SUPPORTED_API_VERSIONS = new Set(['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'])
const MAX_STDOUT_BYTES = 1024 * 1024
const MAX_STDERR_CHARS = 4096
const SHOWN_STDERR_CHARS = 300
/** refresh this long before expiry, or a quarter of the credential's lifetime when that is shorter */
const REFRESH_MARGIN_MS = 60_000
/** after a failed run, callers get the same failure for this long instead of starting the plugin again */
const FAILURE_COOLDOWN_MS = 5_000

export interface ExecCredentialResult { token?: string, clientCertificateData?: string, clientKeyData?: string }
export type ExecOutcome = { ok: true, result: ExecCredentialResult } | { ok: false, message: string }

export interface ExecClusterInfo {
  server: string
  'tls-server-name'?: string
  'insecure-skip-tls-verify'?: boolean
  'certificate-authority-data'?: string
}

export interface ExecCredentialOptions {
  env: NodeJS.ProcessEnv
  timeoutMs: number
  now: () => number
  cluster: ExecClusterInfo
}

export interface ExecCredentialSource {
  get (): Promise<ExecOutcome>
  /** forget the cached credential, so the next get() runs the plugin */
  reload (): void
  close (): void
}

interface Cached { result: ExecCredentialResult, refreshAt: number, expiresAt: number }

function execInfo (settings: ExecSettings, cluster: ExecClusterInfo): string {
  const spec: Record<string, unknown> = { interactive: false }
  if (settings.provideClusterInfo) {
    spec.cluster = { ...cluster, ...(settings.clusterConfig !== undefined ? { config: settings.clusterConfig } : {}) }
  }
  return JSON.stringify({ apiVersion: settings.apiVersion, kind: 'ExecCredential', spec })
}

function readCredential (stdout: string, settings: ExecSettings, startedAt: number): { cached: Cached } | { message: string } {
  let parsed: unknown
  try {
    parsed = JSON.parse(stdout)
  } catch {
    // The parser's message quotes the output, which may be the token itself.
    return { message: 'printed something that is not JSON' }
  }
  const credential = parsed as { kind?: unknown, apiVersion?: unknown, status?: Record<string, unknown> } | null
  if (credential?.kind !== 'ExecCredential') return { message: 'printed JSON that is not an ExecCredential' }
  if (credential.apiVersion !== settings.apiVersion) {
    return { message: `printed an ExecCredential of apiVersion ${String(credential.apiVersion)}, not ${settings.apiVersion}` }
  }
  const status = credential.status ?? {}
  const token = typeof status.token === 'string' && status.token !== '' ? status.token : undefined
  const cert = typeof status.clientCertificateData === 'string' && status.clientCertificateData !== '' ? status.clientCertificateData : undefined
  const key = typeof status.clientKeyData === 'string' && status.clientKeyData !== '' ? status.clientKeyData : undefined
  if ((cert === undefined) !== (key === undefined)) return { message: 'printed a client certificate without its key, or a key without its certificate' }
  if (token === undefined && cert === undefined) return { message: 'printed an ExecCredential with neither token nor client certificate' }
  let expiresAt = Infinity
  let refreshAt = Infinity
  if (typeof status.expirationTimestamp === 'string') {
    const at = Date.parse(status.expirationTimestamp)
    if (Number.isNaN(at)) return { message: 'printed an unreadable expirationTimestamp' }
    expiresAt = at
    refreshAt = at - Math.min(REFRESH_MARGIN_MS, Math.max(0, (at - startedAt) / 4))
  }
  return { cached: { result: { token, clientCertificateData: cert, clientKeyData: key }, refreshAt, expiresAt } }
}

export function createExecCredential (settings: ExecSettings, opts: ExecCredentialOptions): ExecCredentialSource {
  const name = `exec plugin ${settings.command}`
  let cached: Cached | undefined
  let failure: { message: string, until: number } | undefined
  let running: Promise<ExecOutcome> | undefined
  let child: ChildProcess | undefined
  let generation = 0
  let closed = false

  function run (): Promise<ExecOutcome> {
    return new Promise<ExecOutcome>(resolve => {
      if (!SUPPORTED_API_VERSIONS.has(settings.apiVersion)) {
        resolve({ ok: false, message: `${name}: apiVersion "${settings.apiVersion}" is not supported (use client.authentication.k8s.io/v1 or v1beta1)` })
        return
      }
      if (settings.command === '') {
        resolve({ ok: false, message: 'exec plugin has no command' })
        return
      }
      if (settings.interactiveMode === 'Always') {
        resolve({ ok: false, message: `${name} needs a terminal (interactiveMode Always), which a log transport does not have` })
        return
      }
      const startedAt = opts.now()
      const env: NodeJS.ProcessEnv = { ...opts.env }
      for (const { name: key, value } of settings.env) env[key] = value
      env.KUBERNETES_EXEC_INFO = execInfo(settings, opts.cluster)
      let stdout = ''
      let stdoutBytes = 0
      let stderr = ''
      let settled = false
      let timer: NodeJS.Timeout | undefined
      const finish = (outcome: ExecOutcome): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        child = undefined
        resolve(outcome)
      }
      const fail = (why: string): void => {
        const hint = settings.installHint !== undefined ? `; ${settings.installHint}` : ''
        finish({ ok: false, message: redact(`${name} ${why}${hint}`) })
      }
      let proc: ChildProcess
      try {
        proc = spawn(settings.command, settings.args, { env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true })
      } catch (err) {
        fail(`could not be started: ${(err as { code?: string }).code ?? 'error'}`)
        return
      }
      child = proc
      timer = setTimeout(() => {
        proc.kill('SIGKILL')
        fail(`did not finish within ${opts.timeoutMs} ms`)
      }, opts.timeoutMs)
      proc.stdout?.setEncoding('utf8')
      proc.stderr?.setEncoding('utf8')
      proc.stdout?.on('data', (chunk: string) => {
        stdoutBytes += Buffer.byteLength(chunk)
        if (stdoutBytes > MAX_STDOUT_BYTES) {
          proc.kill('SIGKILL')
          fail(`printed more than ${MAX_STDOUT_BYTES} bytes`)
          return
        }
        stdout += chunk
      })
      proc.stderr?.on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-MAX_STDERR_CHARS)
      })
      proc.on('error', err => {
        fail(`could not be run: ${(err as { code?: string }).code ?? err.message}`)
      })
      proc.on('close', (code, signal) => {
        if (closed) return fail('was stopped: the client is closed')
        if (code !== 0) {
          const said = stderr.trim().split('\n').slice(-3).join(' | ').slice(0, SHOWN_STDERR_CHARS)
          return fail(`exited with ${signal !== null ? `signal ${signal}` : `code ${String(code)}`}${said !== '' ? `: ${said}` : ''}`)
        }
        const read = readCredential(stdout, settings, startedAt)
        if ('message' in read) return fail(read.message)
        finish({ ok: true, result: read.cached.result })
        cached = read.cached
      })
    })
  }

  function start (): Promise<ExecOutcome> {
    const started = generation
    running ??= run().then(outcome => {
      running = undefined
      if (started !== generation) return outcome
      if (!outcome.ok) failure = { message: outcome.message, until: opts.now() + FAILURE_COOLDOWN_MS }
      else failure = undefined
      return outcome
    })
    return running
  }

  return {
    get () {
      if (closed) return Promise.resolve({ ok: false, message: `${name}: the client is closed` })
      const now = opts.now()
      if (cached !== undefined && now < cached.expiresAt) {
        // Still valid: refresh in the background when close to expiry, and keep using it meanwhile.
        if (now >= cached.refreshAt) start().catch(() => {})
        return Promise.resolve({ ok: true, result: cached.result })
      }
      if (running !== undefined) return running
      if (failure !== undefined && now < failure.until) return Promise.resolve({ ok: false, message: failure.message })
      return start()
    },
    reload () {
      generation++
      cached = undefined
      failure = undefined
    },
    close () {
      closed = true
      child?.kill('SIGKILL')
    }
  }
}
