// The one request a record needs next, decided by what the server is believed to hold.
import type { ApiRequest, EventsApi } from '../types.js'
import type { EventRecord } from '../correlate/record.js'
import { createBody, eventsPath, MERGE_PATCH, patchBody, type Writer } from './body.js'
import type { Operation } from './outcome.js'

export function nextOperation (record: EventRecord): Operation {
  switch (record.server) {
    case 'absent': return 'create'
    case 'unknown': return 'read'
    case 'present': return 'patch'
  }
}

export function buildRequest (api: EventsApi, writer: Writer, record: EventRecord, op: Operation, timeoutMs: number): ApiRequest {
  // Absolute counts, not increments: a write repeated after a lost answer cannot count twice, and the
  // resourceVersion makes a write based on an outdated count fail instead of overwriting another's.
  const count = record.serverCount + record.sending
  const batchId = record.delivery.batchId
  switch (op) {
    case 'create':
      return { method: 'POST', path: eventsPath(api, record.namespace), body: createBody(api, writer, record, count, batchId), timeoutMs }
    case 'read':
      return { method: 'GET', path: eventsPath(api, record.namespace, record.name), timeoutMs }
    case 'patch':
      return { method: 'PATCH', path: eventsPath(api, record.namespace, record.name), body: patchBody(api, writer, record, count, batchId), contentType: MERGE_PATCH, timeoutMs }
  }
}
