// Who we are to the API server: a bearer token (static, file, exec plugin or auth-provider), basic auth, and/or a
// client certificate, plus impersonation headers. Cached material is forgotten when the server refuses it (401)
// or on reload().
import type { Clock } from '../clock.js'
import type { Diagnostics } from '../types.js'
import { createAuthProvider, type AuthProviderSource } from './auth-provider.js'
import { createExecCredential, type ExecClusterInfo, type ExecCredentialSource } from './exec-credential.js'
import { createRereadingFile, type FileReading, type RereadingFile } from './rereading-file.js'
import { readFileOrData } from './tls.js'
import type { AuthSettings, FileOrData, Impersonation } from './target.js'

export interface Credential {
  headers: Record<string, string | string[]>
  cert?: Buffer | string
  key?: Buffer | string
  /** the exec plugin's credential this was made from: a 401 for an older one asks for nothing new */
  from?: object
}

export type CredentialOutcome = { ok: true, credential: Credential } | { ok: false, message: string }

export interface CredentialSource {
  get (): Promise<CredentialOutcome>
  /** the server answered 401 to a request that carried `credential` */
  rejected (credential: Credential): void
  reload (): void
  close (): void
}

export interface CredentialOptions {
  diagnostics: Diagnostics
  env: NodeJS.ProcessEnv
  /** token and certificate files are read again when older than this */
  rereadMs: number
  execTimeoutMs: number
  /** an exec plugin is started at most once per this long */
  execMinIntervalMs?: number
  /** monotonic: when files are read again; wall: when an exec credential expires */
  clock: Clock
  server: string
  /** handed to exec plugins that ask for cluster information */
  execCluster: ExecClusterInfo
}

type Piece = { value: Buffer | string } | { error: string }

/** Inline data is fixed; a file is re-read like a token file. */
function pieceSource (source: FileOrData, what: string, opts: CredentialOptions, files: RereadingFile[]): () => Piece {
  if (source.file === undefined || source.data !== undefined) {
    const read = readFileOrData(source, what)
    const piece: Piece = Buffer.isBuffer(read) ? { value: read } : { error: read.problem }
    return () => piece
  }
  const file = createRereadingFile(source.file, opts.rereadMs, opts.clock.monotonic)
  files.push(file)
  return () => fromReading(file.read(), what, opts)
}

function fromReading (reading: FileReading, what: string, opts: CredentialOptions): Piece {
  if ('error' in reading) return reading
  if (reading.staleBecause !== undefined) opts.diagnostics.warn(`stale:${what}`, `${reading.staleBecause}; using the ${what} read before`)
  return { value: reading.value }
}

function impersonationHeaders (impersonate: Impersonation | undefined): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {}
  if (impersonate === undefined) return headers
  if (impersonate.user !== undefined) headers['Impersonate-User'] = impersonate.user
  if (impersonate.uid !== undefined) headers['Impersonate-Uid'] = impersonate.uid
  if (impersonate.groups.length > 0) headers['Impersonate-Group'] = impersonate.groups
  for (const [key, values] of Object.entries(impersonate.extra)) headers[`Impersonate-Extra-${encodeURIComponent(key)}`] = values
  return headers
}

export function createCredentials (auth: AuthSettings, opts: CredentialOptions): CredentialSource {
  const rereading: RereadingFile[] = []
  const baseHeaders = impersonationHeaders(auth.impersonate)
  const exec: ExecCredentialSource | undefined = auth.exec !== undefined
    ? createExecCredential(auth.exec, {
      env: opts.env,
      timeoutMs: opts.execTimeoutMs,
      now: opts.clock.wall,
      cluster: opts.execCluster,
      minRunIntervalMs: opts.execMinIntervalMs,
      warn: (key, message) => { opts.diagnostics.warn(key, message) }
    })
    : undefined
  const provider: AuthProviderSource | undefined = exec === undefined && auth.authProvider !== undefined
    ? createAuthProvider(auth.authProvider, opts.server)
    : undefined
  const tokenFile = auth.tokenFile !== undefined ? createRereadingFile(auth.tokenFile, opts.rereadMs, opts.clock.monotonic) : undefined
  if (tokenFile !== undefined) rereading.push(tokenFile)
  const certPiece = auth.clientCertificate !== undefined ? pieceSource(auth.clientCertificate, 'client-certificate', opts, rereading) : undefined
  const keyPiece = auth.clientKey !== undefined ? pieceSource(auth.clientKey, 'client-key', opts, rereading) : undefined

  function staticBearer (): { authorization?: string } | { error: string } {
    if (tokenFile !== undefined) {
      const reading = tokenFile.read()
      if ('error' in reading) {
        // client-go starts from the static token when both are given; it is the fallback here too.
        if (auth.token !== undefined) return { authorization: `Bearer ${auth.token}` }
        return reading
      }
      if (reading.staleBecause !== undefined) opts.diagnostics.warn('stale:tokenFile', `${reading.staleBecause}; using the token read before`)
      const token = reading.value.toString('utf8').trim()
      if (token === '') return auth.token !== undefined ? { authorization: `Bearer ${auth.token}` } : { error: `token file ${auth.tokenFile ?? ''} is empty` }
      return { authorization: `Bearer ${token}` }
    }
    if (auth.token !== undefined) return { authorization: `Bearer ${auth.token}` }
    if (auth.username !== undefined) {
      return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}` }
    }
    return {}
  }

  function clientCertificate (): { cert?: Buffer | string, key?: Buffer | string } | { error: string } {
    if (certPiece === undefined && keyPiece === undefined) return {}
    if (certPiece === undefined || keyPiece === undefined) return { error: 'the user has a client certificate without a key, or a key without a certificate' }
    const cert = certPiece()
    if ('error' in cert) return cert
    const key = keyPiece()
    if ('error' in key) return key
    return { cert: cert.value, key: key.value }
  }

  return {
    async get () {
      try {
        const headers: Record<string, string | string[]> = { ...baseHeaders }
        let from: object | undefined
        let tlsPair = clientCertificate()
        if ('error' in tlsPair) return { ok: false, message: tlsPair.error }
        if (exec !== undefined) {
          const outcome = await exec.get()
          if (!outcome.ok) return outcome
          from = outcome.result
          if (outcome.result.token !== undefined) headers.Authorization = `Bearer ${outcome.result.token}`
          if (outcome.result.clientCertificateData !== undefined) {
            tlsPair = { cert: outcome.result.clientCertificateData, key: outcome.result.clientKeyData }
          }
        } else if (provider !== undefined) {
          const outcome = await provider.get()
          if (!outcome.ok) return outcome
          headers.Authorization = outcome.authorization
        } else {
          const bearer = staticBearer()
          if ('error' in bearer) return { ok: false, message: bearer.error }
          if (bearer.authorization !== undefined) headers.Authorization = bearer.authorization
        }
        return { ok: true, credential: { headers, cert: tlsPair.cert, key: tlsPair.key, ...(from !== undefined ? { from } : {}) } }
      } catch (err) {
        return { ok: false, message: `credentials could not be had: ${(err as Error)?.name ?? 'error'}` }
      }
    },
    rejected (credential) {
      for (const file of rereading) file.invalidate()
      exec?.rejected(credential.from)
      provider?.reload()
    },
    reload () {
      for (const file of rereading) file.invalidate()
      exec?.reload()
      provider?.reload()
    },
    close () { exec?.close() }
  }
}
