// One run of an exec credential plugin (client.authentication.k8s.io v1 and v1beta1): spawn it without a shell and
// without blocking the event loop, bound its output and its time, and read the ExecCredential it prints. When it
// cannot run at all, the message says which file was tried and what to do about it.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { redact } from '../diagnostics.js'
import type { ExecSettings } from './target.js'

const SUPPORTED_API_VERSIONS = new Set(['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'])
const MAX_STDOUT_BYTES = 1024 * 1024
const MAX_STDERR_CHARS = 4096
const SHOWN_STDERR_CHARS = 300
/** refresh this long before expiry, or a quarter of the credential's lifetime when that is shorter */
const REFRESH_MARGIN_MS = 60_000

export interface ExecCredentialResult { token?: string, clientCertificateData?: string, clientKeyData?: string }

export interface ExecClusterInfo {
  server: string
  'tls-server-name'?: string
  'insecure-skip-tls-verify'?: boolean
  'certificate-authority-data'?: string
}

/** What a run printed: the credential and, on the wall clock, when it expires and when to fetch the next one. */
export interface PrintedCredential { result: ExecCredentialResult, expiresAt: number, refreshAt: number }

export type PluginOutcome = { ok: true, credential: PrintedCredential } | { ok: false, message: string }

export interface PluginRunOptions {
  env: NodeJS.ProcessEnv
  timeoutMs: number
  /** the wall clock: expirationTimestamp is wall-clock time */
  now: () => number
  cluster: ExecClusterInfo
}

export interface PluginRun {
  outcome: Promise<PluginOutcome>
  /** kills the plugin; the outcome then tells that the client was closed */
  stop: () => void
}

/** How the plugin is named in messages: as the kubeconfig wrote it. */
export function pluginName (settings: ExecSettings): string {
  return `exec plugin ${settings.written?.command ?? settings.command}`
}

function execInfo (settings: ExecSettings, cluster: ExecClusterInfo): string {
  const spec: Record<string, unknown> = { interactive: false }
  if (settings.provideClusterInfo) {
    spec.cluster = { ...cluster, ...(settings.clusterConfig !== undefined ? { config: settings.clusterConfig } : {}) }
  }
  return JSON.stringify({ apiVersion: settings.apiVersion, kind: 'ExecCredential', spec })
}

/** Why spawning failed, in words that name the file that was tried and the fix. */
export function cannotRunReason (settings: ExecSettings, code: string): string {
  const written = settings.written
  const kubeconfig = written !== undefined ? `the kubeconfig ${written.kubeconfig}` : 'the kubeconfig'
  if (written?.onPath === true) {
    if (code === 'ENOENT') {
      return `${written.command} is not on PATH (ENOENT); install it, add its directory to PATH, or give its path in ${kubeconfig} (a relative path is taken from that file's directory)`
    }
    return `${code}`
  }
  const resolved = settings.command
  const where = written !== undefined && written.command !== resolved ? `${resolved} (${written.command} taken from the directory of ${kubeconfig})` : resolved
  if (code === 'ENOENT') {
    return existsSync(resolved)
      ? `${where} exists, but the interpreter on its #! line does not (ENOENT); correct that line or install the interpreter`
      : `${where} does not exist (ENOENT); put the plugin there or correct exec.command in ${kubeconfig}`
  }
  if (code === 'EACCES') return `${where} is not executable (EACCES); make it executable: chmod +x ${resolved}`
  return `${where}: ${code}`
}

function readCredential (stdout: string, settings: ExecSettings, startedAt: number): PrintedCredential | { message: string } {
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
  return { result: { token, clientCertificateData: cert, clientKeyData: key }, refreshAt, expiresAt }
}

function refusal (settings: ExecSettings): string | undefined {
  const name = pluginName(settings)
  if (!SUPPORTED_API_VERSIONS.has(settings.apiVersion)) {
    return `${name}: apiVersion "${settings.apiVersion}" is not supported (use client.authentication.k8s.io/v1 or v1beta1)`
  }
  if (settings.command === '') return 'exec plugin has no command'
  if (settings.interactiveMode === 'Always') return `${name} needs a terminal (interactiveMode Always), which a log transport does not have`
  return undefined
}

export function runExecPlugin (settings: ExecSettings, opts: PluginRunOptions): PluginRun {
  const name = pluginName(settings)
  let child: ChildProcess | undefined
  let stopped = false
  const outcome = new Promise<PluginOutcome>(resolve => {
    const refused = refusal(settings)
    if (refused !== undefined) {
      resolve({ ok: false, message: refused })
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
    const finish = (result: PluginOutcome): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      child = undefined
      resolve(result)
    }
    const fail = (why: string): void => {
      const hint = settings.installHint !== undefined ? `; ${settings.installHint}` : ''
      finish({ ok: false, message: redact(`${name} ${why}${hint}`) })
    }
    let proc: ChildProcess
    try {
      proc = spawn(settings.command, settings.args, { env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true })
    } catch (err) {
      fail(`could not be started: ${cannotRunReason(settings, (err as { code?: string }).code ?? 'error')}`)
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
      fail(`could not be run: ${cannotRunReason(settings, (err as { code?: string }).code ?? err.message)}`)
    })
    proc.on('close', (code, signal) => {
      if (stopped) return fail('was stopped: the client is closed')
      if (code !== 0) {
        const said = stderr.trim().split('\n').slice(-3).join(' | ').slice(0, SHOWN_STDERR_CHARS)
        return fail(`exited with ${signal !== null ? `signal ${signal}` : `code ${String(code)}`}${said !== '' ? `: ${said}` : ''}`)
      }
      const read = readCredential(stdout, settings, startedAt)
      if ('message' in read) return fail(read.message)
      finish({ ok: true, credential: read })
    })
  })
  return {
    outcome,
    stop () {
      stopped = true
      child?.kill('SIGKILL')
    }
  }
}
