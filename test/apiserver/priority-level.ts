// An API Priority and Fairness priority level of `type: Limited` with `limitResponse: {type: Reject}`: a few seats,
// each held by one request while the server works on it; a request that finds every seat taken is rejected at once,
// exactly as kube-apiserver v1.32 rejects it (429, Retry-After: 1, a text/plain body, not a JSON Status).
import { randomUUID } from 'node:crypto'
import type http from 'node:http'

export interface PriorityLevelOptions {
  /** requests served at once; a real level with nominalConcurrencyShares 1 gets about 3 */
  seats: number
  /** how long each admitted request holds its seat; 3 ms makes 3 seats admit about 1,000 requests per second */
  serviceMs?: number
  /** the users the FlowSchema matches; every user when omitted */
  users?: string[]
}

/** What the real server writes: Go's http.Error, which appends a newline (43 bytes in all). */
export const REJECTION_BODY = 'Too many requests, please try again later.\n'

export class PriorityLevel {
  readonly flowSchemaUid = randomUUID()
  readonly priorityLevelUid = randomUUID()
  private busy = 0
  private rejections = 0
  private readonly serviceMs: number

  constructor (private readonly options: PriorityLevelOptions) {
    this.serviceMs = Math.max(0, options.serviceMs ?? 3)
  }

  /** how many requests this level rejected */
  get rejected (): number {
    return this.rejections
  }

  /** whether the FlowSchema sends this request here; watches hold no seat once they stream, health checks are exempt */
  matches (user: string | undefined, url: URL): boolean {
    if (user === undefined) return false
    if (this.options.users !== undefined && !this.options.users.includes(user)) return false
    if (['/healthz', '/livez', '/readyz'].includes(url.pathname)) return false
    const watch = url.searchParams.get('watch')
    return watch !== 'true' && watch !== '1'
  }

  /**
   * Takes a seat and holds it for the service time, then resolves true; the seat is free again when the response
   * has gone. Without a free seat, the rejection is written and it resolves false.
   */
  async admit (res: http.ServerResponse): Promise<boolean> {
    this.markResponse(res)
    if (this.busy >= this.options.seats) {
      this.rejections++
      this.reject(res)
      return false
    }
    this.busy++
    let released = false
    const release = (): void => {
      if (released) return
      released = true
      this.busy--
    }
    res.once('close', release)
    res.once('finish', release)
    if (this.serviceMs > 0) await new Promise(resolve => setTimeout(resolve, this.serviceMs))
    return true
  }

  /** Every classified request carries the matched schema and level, admitted or not. */
  private markResponse (res: http.ServerResponse): void {
    res.setHeader('X-Kubernetes-PF-FlowSchema-UID', this.flowSchemaUid)
    res.setHeader('X-Kubernetes-PF-PriorityLevel-UID', this.priorityLevelUid)
  }

  private reject (res: http.ServerResponse): void {
    if (res.headersSent || res.destroyed) return
    res.writeHead(429, {
      'Retry-After': '1',
      'Content-Type': 'text/plain; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
      'Content-Length': Buffer.byteLength(REJECTION_BODY)
    })
    res.end(REJECTION_BODY)
  }
}
