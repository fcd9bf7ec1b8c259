// A bare HTTP(S) client for talking to the local API server in tests, with nothing between the test and
// the wire: explicit token, content type, client certificate.
import http from 'node:http'
import https from 'node:https'

export interface RawRequest {
  method?: string
  path: string
  /** serialized as JSON unless it is a string */
  body?: unknown
  /** bearer token; 'admin-token' when omitted, none when null */
  token?: string | null
  contentType?: string
  accept?: string
  /** a client certificate to present */
  cert?: { cert: string, key: string }
  timeoutMs?: number
}

export interface RawResponse {
  status: number
  headers: http.IncomingHttpHeaders
  /** parsed JSON, or undefined when the body was not JSON */
  body: any
  text: string
}

export async function rawRequest (server: { url: string, caCert?: string }, req: RawRequest): Promise<RawResponse> {
  const url = new URL(req.path, server.url)
  const payload = req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body)
  const headers: Record<string, string | number> = { Accept: req.accept ?? 'application/json' }
  const token = req.token === undefined ? 'admin-token' : req.token
  if (token !== null) headers.Authorization = `Bearer ${token}`
  if (payload !== undefined) {
    headers['Content-Type'] = req.contentType ?? 'application/json'
    headers['Content-Length'] = Buffer.byteLength(payload)
  }
  const options: https.RequestOptions = { method: req.method ?? 'GET', headers, timeout: req.timeoutMs ?? 10_000 }
  if (url.protocol === 'https:') {
    options.ca = server.caCert
    if (req.cert !== undefined) {
      options.cert = req.cert.cert
      options.key = req.cert.key
    }
  }
  const transport = url.protocol === 'https:' ? https : http
  return await new Promise<RawResponse>((resolve, reject) => {
    const request = transport.request(url, options, res => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let body: unknown
        try { body = JSON.parse(text) } catch { body = undefined }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text })
      })
    })
    request.on('timeout', () => request.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })))
    request.on('error', reject)
    request.end(payload)
  })
}

export interface RawWatch {
  status: number
  /** every line received so far, parsed */
  readonly events: any[]
  /** resolves with the events once there are at least `count`; rejects when the stream ends before, or after `ms` */
  waitFor (count: number, ms?: number): Promise<any[]>
  /** resolves when the server ended the stream or the connection broke; `error` says which */
  readonly ended: Promise<{ error?: Error }>
  close (): void
}

/** A watch request whose lines are collected as they arrive. */
export async function rawWatch (server: { url: string, caCert?: string }, path: string, opts: { token?: string, accept?: string } = {}): Promise<RawWatch> {
  const url = new URL(path, server.url)
  const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json', Authorization: `Bearer ${opts.token ?? 'admin-token'}` }
  const transport = url.protocol === 'https:' ? https : http
  const options: https.RequestOptions = { method: 'GET', headers, agent: false }
  if (url.protocol === 'https:') options.ca = server.caCert
  return await new Promise((resolve, reject) => {
    const request = transport.request(url, options, res => {
      const events: any[] = []
      const waiters = new Set<() => void>()
      let rest = ''
      let endedWith: { error?: Error } | undefined
      let resolveEnded: (value: { error?: Error }) => void = () => {}
      const ended = new Promise<{ error?: Error }>(resolve => { resolveEnded = resolve })
      const end = (error?: Error): void => {
        if (endedWith !== undefined) return
        endedWith = error === undefined ? {} : { error }
        resolveEnded(endedWith)
        for (const waiter of [...waiters]) waiter()
      }
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        rest += chunk
        let newline
        while ((newline = rest.indexOf('\n')) !== -1) {
          const line = rest.slice(0, newline)
          rest = rest.slice(newline + 1)
          if (line.trim() !== '') events.push(JSON.parse(line))
        }
        for (const waiter of [...waiters]) waiter()
      })
      res.on('end', () => end())
      res.on('error', err => end(err))
      res.on('close', () => end(res.complete ? undefined : new Error('the stream was cut')))
      resolve({
        status: res.statusCode ?? 0,
        events,
        ended,
        close: () => request.destroy(),
        async waitFor (count, ms = 30_000) {
          return await new Promise((resolve, reject) => {
            const timer = setTimeout(() => fail('timed out'), ms)
            const fail = (why: string): void => {
              clearTimeout(timer)
              waiters.delete(check)
              reject(new Error(`${why} after ${events.length} of ${count} events: ${JSON.stringify(events).slice(0, 2000)}`))
            }
            const check = (): void => {
              if (events.length >= count) {
                clearTimeout(timer)
                waiters.delete(check)
                resolve(events.slice())
              } else if (endedWith !== undefined) {
                fail('the watch ended')
              }
            }
            waiters.add(check)
            check()
          })
        }
      })
    })
    request.on('error', reject)
    request.end()
  })
}
