// The one door to the API server: keep-alive HTTP(S), JSON in and out, bounded answers, and every failure turned
// into an ApiResult instead of a throw.
import http from 'node:http'
import https from 'node:https'
import type { ApiClient, ApiRequest, ApiResult, Diagnostics } from '../types.js'
import type { CredentialSource } from './credentials.js'
import { classifyNetworkError, networkFailure } from './network-errors.js'
import { parseRetryAfter } from './retry-after.js'
import type { ServerTls } from './tls.js'
import { userAgent } from './user-agent.js'

const DEFAULT_MAX_SOCKETS = 16
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024
/** idle keep-alive sockets are closed after this */
const IDLE_SOCKET_MS = 30_000

export interface HttpClientOptions {
  server: URL
  tls: ServerTls
  credentials: CredentialSource
  requestTimeoutMs: number
  diagnostics: Diagnostics
  defaultNamespace?: string
  maxSockets?: number
  maxResponseBytes?: number
}

/** The server as it may be printed: no user-info, no trailing slash. */
export function printableServer (server: URL): string {
  const path = server.pathname.replace(/\/+$/, '')
  return `${server.protocol}//${server.host}${path}`
}

function parseBody (raw: Buffer): unknown {
  if (raw.length === 0) return undefined
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch {
    return undefined
  }
}

export function createHttpClient (opts: HttpClientOptions): ApiClient {
  const { server, tls, credentials, diagnostics } = opts
  const secure = server.protocol === 'https:'
  const transport = secure ? https : http
  const maxSockets = opts.maxSockets ?? DEFAULT_MAX_SOCKETS
  const agent = new transport.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo', timeout: IDLE_SOCKET_MS })
  const maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
  const hostname = server.hostname.replace(/^\[(.*)\]$/, '$1')
  const port = server.port !== '' ? Number(server.port) : (secure ? 443 : 80)
  const basePath = server.pathname.replace(/\/+$/, '')
  const printable = printableServer(server)
  let closed = false

  function send (req: ApiRequest, headers: Record<string, string | string[]>, payload: Buffer | undefined,
    cert: Buffer | string | undefined, key: Buffer | string | undefined): Promise<ApiResult> {
    const where = `${req.method} ${printable}${req.path}`
    const timeoutMs = req.timeoutMs ?? opts.requestTimeoutMs
    return new Promise<ApiResult>(resolve => {
      let settled = false
      let timer: NodeJS.Timeout | undefined
      const finish = (result: ApiResult): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resolve(result)
      }
      const options: https.RequestOptions = { hostname, port, method: req.method, path: basePath + req.path, headers, agent }
      if (secure) {
        options.rejectUnauthorized = tls.rejectUnauthorized
        if (tls.ca !== undefined) options.ca = tls.ca
        if (tls.servername !== undefined) options.servername = tls.servername
        if (cert !== undefined && key !== undefined) {
          options.cert = cert
          options.key = key
        }
      }
      let request: http.ClientRequest
      try {
        request = transport.request(options)
      } catch (err) {
        finish(classifyNetworkError(err, where))
        return
      }
      timer = setTimeout(() => {
        const err = Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })
        finish(classifyNetworkError(err, where))
        request.destroy(err)
      }, timeoutMs)
      request.on('error', err => { finish(classifyNetworkError(err, where)) })
      request.on('response', response => {
        const status = response.statusCode ?? 0
        const retryAfterSeconds = parseRetryAfter(response.headers['retry-after'])
        const chunks: Buffer[] = []
        let size = 0
        response.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > maxResponseBytes) {
            diagnostics.warn('connection:large-response', `${where} answered ${status} with more than ${maxResponseBytes} bytes; the body was not read`)
            finish({ kind: 'response', status, body: undefined, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) })
            request.destroy()
            return
          }
          chunks.push(chunk)
        })
        response.on('end', () => {
          finish({ kind: 'response', status, body: parseBody(Buffer.concat(chunks)), ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) })
        })
        response.on('error', err => { finish(classifyNetworkError(err, where)) })
        response.on('aborted', () => { finish(networkFailure('ECONNRESET', `${where}: the connection closed before the whole answer arrived`)) })
      })
      request.end(payload)
    })
  }

  return {
    server: printable,
    defaultNamespace: opts.defaultNamespace,
    async request (req) {
      try {
        if (closed) return networkFailure('ECLOSED', `${req.method} ${printable}${req.path}: the client is closed`)
        // Only paths of the configured server: an absolute URL or a scheme-relative path could name another host.
        if (typeof req.path !== 'string' || !req.path.startsWith('/') || req.path.startsWith('//')) {
          return networkFailure('EINVALIDPATH', `request path must start with a single "/": ${String(req.path).slice(0, 200)}`)
        }
        const obtained = await credentials.get()
        // Told by the connection's health watch, once per outage.
        if (!obtained.ok) return networkFailure('CREDENTIALS', obtained.message)
        const headers: Record<string, string | string[]> = {
          ...obtained.credential.headers,
          Accept: 'application/json',
          'User-Agent': userAgent()
        }
        let payload: Buffer | undefined
        if (req.body !== undefined) {
          try {
            payload = Buffer.from(JSON.stringify(req.body), 'utf8')
          } catch (err) {
            return networkFailure('EINVALIDBODY', `${req.method} ${printable}${req.path}: the body cannot be written as JSON (${(err as Error)?.message ?? 'error'})`)
          }
          headers['Content-Type'] = req.contentType ?? 'application/json'
          headers['Content-Length'] = String(payload.length)
        }
        const result = await send(req, headers, payload, obtained.credential.cert, obtained.credential.key)
        // As client-go's exec round tripper: the credential this request carried is refused, so ask for a new one,
        // once however many requests carried it.
        if (result.kind === 'response' && result.status === 401) credentials.rejected(obtained.credential)
        return result
      } catch (err) {
        return classifyNetworkError(err, `${String(req?.method)} ${printable}`)
      }
    },
    reloadCredentials () {
      try { credentials.reload() } catch {}
    },
    close () {
      if (closed) return
      closed = true
      try { credentials.close() } catch {}
      try { agent.destroy() } catch {}
    }
  }
}
