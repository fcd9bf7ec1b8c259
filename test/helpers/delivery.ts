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

/** `dropped 12 events: 10 queue-full, 2 closed` → { total: 12, 'queue-full': 10, closed: 2 } */
export function parseSummary (lines: string[]): Record<string, number> | undefined {
  const summary = lines.find(line => line.startsWith('dropped '))
  const match = summary === undefined ? null : /^dropped (\d+) events?: (.*)$/.exec(summary)
  if (match === null) return undefined
  const causes: Record<string, number> = { total: Number(match[1]) }
  for (const part of match[2].split(', ')) {
    const [count, cause] = part.split(' ')
    causes[cause] = Number(count)
  }
  return causes
}
