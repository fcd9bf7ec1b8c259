// What the delivery tests share: options, objects, and what they read back from the local API server.
import type { LocalApiServer, RequestRecord } from '../apiserver/server.js'

/** No global request limit to wait on: these tests are about what happens to each request. */
export const UNTHROTTLED = { qps: 1000, burst: 1000 }

export function podIn (namespace: string, name = 'worker'): object {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, uid: `uid-${namespace}-${name}` } }
}

export const eventsPath = (namespace: string): string => `/api/v1/namespaces/${namespace}/events`

/** Questions about one namespace's Events, asked of the server `server()` returns when they are asked. */
export function eventQueries (server: () => LocalApiServer): {
  requestsTo: (namespace: string, method?: string) => RequestRecord[]
  totalCount: (namespace: string) => number
  countsByReason: (namespace: string) => Record<string, number>
} {
  return {
    requestsTo: (namespace, method) =>
      server().requests.filter(request => request.path.startsWith(eventsPath(namespace)) && (method === undefined || request.method === method)),
    totalCount: namespace => server().listEvents(namespace).reduce((sum, event) => sum + (event.count as number), 0),
    countsByReason: namespace => Object.fromEntries(server().listEvents(namespace).map(event => [event.reason, event.count]))
  }
}

/** the parts of `a (b, c), d; e` that stand outside parentheses, up to a `; `: ['a (b, c)', 'd'] */
function topLevelParts (text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++
    else if (text[i] === ')') depth = Math.max(0, depth - 1)
    else if (depth === 0 && text.startsWith('; ', i)) {
      return [...parts, text.slice(start, i)]
    } else if (depth === 0 && text.startsWith(', ', i)) {
      parts.push(text.slice(start, i))
      start = i + 2
    }
  }
  parts.push(text.slice(start))
  return parts
}

/**
 * `dropped 12 events: 10 queue-full (why), 2 closed (why)` → { total: 12, 'queue-full': 10, closed: 2 }; each
 * cause's explanation is in `why` of `parseSummaryReasons`.
 */
export function parseSummary (lines: string[]): Record<string, number> | undefined {
  const reasons = parseSummaryReasons(lines)
  if (reasons === undefined) return undefined
  const causes: Record<string, number> = { total: reasons.total }
  for (const [cause, { count }] of Object.entries(reasons.causes)) causes[cause] = count
  return causes
}

export function parseSummaryReasons (lines: string[]): { total: number, causes: Record<string, { count: number, why: string }> } | undefined {
  const summary = lines.find(line => line.startsWith('dropped '))
  const match = summary === undefined ? null : /^dropped (\d+) events?: (.*)$/.exec(summary)
  if (match === null) return undefined
  const causes: Record<string, { count: number, why: string }> = {}
  for (const part of topLevelParts(match[2])) {
    const cause = /^(\d+) ([a-z-]+)(?: \((.*)\))?$/.exec(part)
    if (cause !== null) causes[cause[2]] = { count: Number(cause[1]), why: cause[3] ?? '' }
  }
  return { total: Number(match[1]), causes }
}
