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
