// Everything about dropped occurrences: the counters, the 'k8sEventDropped' notices for the application, and
// the stderr lines that tell an operator what to fix, each rate-limited so a flood stays one line.
import type { Diagnostics, EventsApi, ObjectReference } from '../types.js'
import { TokenBucket } from '../correlate/token-bucket.js'
import type { DropCause, Operation } from './outcome.js'

export interface AboutEvent {
  namespace: string
  type: string
  reason: string
  regarding: ObjectReference
}

export interface DropDetail {
  message: string
  status?: number
  /** the Status reason, e.g. Invalid or Forbidden */
  reason?: string
  op?: Operation
}

export interface DropReporter {
  drop (cause: DropCause, count: number, about: AboutEvent, detail: DropDetail): void
  /** e.g. `dropped 12 events: 10 queue-full, 2 forbidden`; undefined when nothing was dropped */
  summary (): string | undefined
}

const NOTICES_PER_SECOND = 10
const RBAC_REPEAT_MS = 5 * 60_000
const RBAC_RULE = '{apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: ["create", "patch", "get"]}'
const VERBS: Record<Operation, string> = { create: 'create', patch: 'patch', read: 'get' }

function describeObject (ref: ObjectReference): string {
  return `${ref.kind} ${ref.namespace === '' ? '' : ref.namespace + '/'}${ref.name}`
}

export function createDropReporter (opts: {
  api: EventsApi
  diagnostics: Diagnostics
  /** the Stats counters to increment */
  dropped: Record<string, number>
  /** monotonic ms (lib/clock.ts), for the notices' rate limit */
  now: () => number
  /** read only when a diagnostic names it: asking earlier would make the connection before it is needed */
  server: () => string
  queueSize: number
}): DropReporter {
  const { diagnostics, dropped } = opts
  const notices = new TokenBucket(NOTICES_PER_SECOND, NOTICES_PER_SECOND, opts.now())
  /** occurrences dropped since the latest notice, so each notice tells how many the ones left out stood for */
  let droppedSinceNotice = 0
  const group = opts.api === 'v1' ? '' : 'events.k8s.io'

  function explain (cause: DropCause, count: number, about: AboutEvent, detail: DropDetail): void {
    const answer = detail.status === undefined ? '' : ` (${detail.status}${detail.reason ? ' ' + detail.reason : ''})`
    if (cause === 'invalid' && detail.status === undefined) {
      // Refused on our side before it reached the server; the message starts with the client's code.
      diagnostics.warn(`invalid:request:${detail.message.split(':', 1)[0]}`, `an event about ${describeObject(about.regarding)} could not be sent: ${detail.message}`)
      return
    }
    switch (cause) {
      case 'forbidden': {
        const verb = VERBS[detail.op ?? 'create']
        diagnostics.warn(`forbidden:${verb}:${group}`,
          `not allowed to ${verb} events in namespace "${about.namespace}"${answer}: ${detail.message}. ` +
          `Events are dropped until the service account may create, patch and get events; grant it with this rule in a ClusterRole: ${RBAC_RULE}`,
          RBAC_REPEAT_MS)
        return
      }
      case 'invalid':
      case 'not-found':
      case 'conflict':
        diagnostics.warn(`${cause}:${detail.status ?? ''}:${detail.reason ?? ''}`,
          `the API server rejected an event about ${describeObject(about.regarding)}${answer}: ${detail.message}`)
        return
      case 'unauthorized':
        diagnostics.warn('unauthorized', `the API server does not accept the credentials even after reloading them${answer}: ${detail.message}; events are dropped`)
        return
      case 'retries-exhausted':
        diagnostics.warn('retries-exhausted', `gave up writing ${count} event occurrence(s) to ${opts.server()}: ${detail.message}`)
        return
      case 'queue-full':
        diagnostics.warn('queue-full', `the queue of events waiting to be written is full (${opts.queueSize}); new events are dropped`)
        return
      case 'no-connection':
        diagnostics.warn('no-connection', `no connection to the Kubernetes API can be made, events are dropped: ${detail.message}`)
        return
      case 'evicted':
        diagnostics.warn('evicted', `the event cache and the queue are both full; counts of the least recently used events are dropped`)
        return
      case 'namespace-terminating':
      case 'closed':
      case 'unconfirmed':
        // Expected while a namespace is deleted or the process stops: counted, and the close summary tells.
    }
  }

  return {
    drop (cause, count, about, detail) {
      if (count <= 0) return
      dropped[cause] = (dropped[cause] ?? 0) + count
      droppedSinceNotice += count
      explain(cause, count, about, detail)
      if (!notices.take(opts.now())) return
      const sincePrevious = droppedSinceNotice
      droppedSinceNotice = 0
      diagnostics.emit('k8sEventDropped', {
        cause,
        count,
        // occurrences of any cause dropped since the previous notice, this one's included
        droppedSincePrevious: sincePrevious,
        ...(detail.status === undefined ? {} : { status: detail.status }),
        message: detail.message,
        event: { namespace: about.namespace, type: about.type, reason: about.reason, object: describeObject(about.regarding) }
      })
    },
    summary () {
      const causes = Object.entries(dropped).filter(([, count]) => count > 0).sort((a, b) => b[1] - a[1])
      if (causes.length === 0) return undefined
      const total = causes.reduce((sum, [, count]) => sum + count, 0)
      return `dropped ${total} event${total === 1 ? '' : 's'}: ${causes.map(([cause, count]) => `${count} ${cause}`).join(', ')}`
    }
  }
}
