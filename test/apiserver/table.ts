// Server-side printing: the meta.k8s.io Table that `kubectl get` asks for, with the real printers' columns.

interface Column { name: string, type: string, format: string, description: string, priority: number }

function column (name: string, description: string, priority = 0, type = 'string', format = ''): Column {
  return { name, type, format, description, priority }
}

/** apimachinery's duration.HumanDuration: the Age column's text. */
export function humanDuration (ms: number): string {
  const seconds = Math.trunc(ms / 1000)
  if (seconds < -1) return '<invalid>'
  if (seconds < 0) return '0s'
  if (seconds < 120) return `${seconds}s`
  const minutes = Math.trunc(seconds / 60)
  if (minutes < 10) {
    const s = seconds % 60
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`
  }
  if (minutes < 180) return `${minutes}m`
  const hours = Math.trunc(minutes / 60)
  if (hours < 8) {
    const m = minutes % 60
    return m === 0 ? `${hours}h` : `${hours}h${m}m`
  }
  if (hours < 48) return `${hours}h`
  if (hours < 24 * 8) {
    const h = hours % 24
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`
  if (hours < 24 * 365 * 8) {
    const days = Math.trunc(hours / 24) % 365
    const years = Math.trunc(hours / 24 / 365)
    return days === 0 ? `${years}y` : `${years}y${days}d`
  }
  return `${Math.trunc(hours / 24 / 365)}y`
}

function since (timestamp: unknown, now: number): string {
  if (typeof timestamp !== 'string' || timestamp === '') return '<unknown>'
  const ms = Date.parse(timestamp)
  return Number.isNaN(ms) ? '<unknown>' : humanDuration(now - ms)
}

const EVENT_COLUMNS: Column[] = [
  column('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
  column('Type', 'Type of this event (Normal, Warning), new types could be added in the future.'),
  column('Reason', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
  column('Object', 'The object that this event is about.'),
  column('Subobject', 'The subobject that this event is about.', 1),
  column('Source', 'The component reporting this event. Should be a short machine understandable string.', 1),
  column('Message', 'A human-readable description of the status of this operation.'),
  column('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
  column('Count', 'The number of times this event has occurred.', 1),
  column('Name', 'Name must be unique within a namespace.', 1, 'string', 'name')
]

function firstNonEmpty (...values: unknown[]): string {
  for (const value of values) if (typeof value === 'string' && value !== '') return value
  return ''
}

/** printers.go printEvent, always in its wide form: kubectl hides the priority-1 columns itself. */
function eventCells (event: any, now: number): unknown[] {
  let firstSeen = since(event.firstTimestamp, now)
  if (event.firstTimestamp == null) firstSeen = since(event.eventTime, now)
  let lastSeen = event.lastTimestamp == null ? firstSeen : since(event.lastTimestamp, now)
  let count = typeof event.count === 'number' ? event.count : 0
  if (event.series != null) {
    lastSeen = since(event.series.lastObservedTime, now)
    count = event.series.count ?? 0
  } else if (count === 0) {
    count = 1
  }
  const ref = event.involvedObject ?? {}
  const kind = String(ref.kind ?? '').toLowerCase()
  const target = typeof ref.name === 'string' && ref.name !== '' ? `${kind}/${String(ref.name)}` : kind
  const component = firstNonEmpty(event.source?.component, event.reportingComponent)
  const instance = firstNonEmpty(event.source?.host, event.reportingInstance)
  const source = instance === '' ? component : `${component}, ${instance}`
  return [lastSeen, event.type ?? '', event.reason ?? '', target, ref.fieldPath ?? '', source,
    String(event.message ?? '').trim(), firstSeen, count, event.metadata?.name ?? '']
}

const NAME = column('Name', 'Name must be unique within a namespace.', 0, 'string', 'name')
const AGE = column('Age', 'CreationTimestamp is a timestamp representing the server time when this object was created.')

function genericColumns (resource: string): Column[] {
  if (resource === 'namespaces') return [NAME, column('Status', 'The status of the namespace'), AGE]
  if (resource === 'pods') {
    return [NAME, column('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
      column('Status', 'The aggregate status of the containers in this pod.'),
      column('Restarts', 'The number of times the containers in this pod have been restarted.'), AGE]
  }
  return [NAME, AGE]
}

function genericCells (resource: string, obj: any, now: number): unknown[] {
  const name = obj.metadata?.name ?? ''
  const age = since(obj.metadata?.creationTimestamp, now)
  if (resource === 'namespaces') return [name, obj.status?.phase ?? '', age]
  if (resource === 'pods') {
    const containers = Array.isArray(obj.spec?.containers) ? obj.spec.containers.length : 0
    const ready = Array.isArray(obj.status?.containerStatuses) ? obj.status.containerStatuses.filter((c: any) => c?.ready === true).length : 0
    return [name, `${ready}/${containers}`, obj.status?.phase ?? '', 0, age]
  }
  return [name, age]
}

export function wantsTable (accept: string | undefined): false | 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1' {
  if (accept === undefined || !accept.includes('as=Table')) return false
  const first = accept.split(',').find(part => part.includes('as=Table')) ?? ''
  return /(^|;)\s*v=v1beta1\b/.test(first) ? 'meta.k8s.io/v1beta1' : 'meta.k8s.io/v1'
}

export function toTable (resource: string, objects: any[], opts: { apiVersion: string, resourceVersion: string, continueToken?: string, includeObject?: string, fullObjects: any[] }): object {
  const now = Date.now()
  const isEvents = resource === 'events'
  const rows = objects.map((obj, i) => {
    const row: Record<string, unknown> = { cells: isEvents ? eventCells(obj, now) : genericCells(resource, obj, now) }
    if (opts.includeObject === 'Object') row.object = opts.fullObjects[i]
    else if (opts.includeObject !== 'None') row.object = { kind: 'PartialObjectMetadata', apiVersion: opts.apiVersion, metadata: obj.metadata }
    return row
  })
  const metadata: Record<string, string> = { resourceVersion: opts.resourceVersion }
  if (opts.continueToken !== undefined) metadata.continue = opts.continueToken
  return { kind: 'Table', apiVersion: opts.apiVersion, metadata, columnDefinitions: isEvents ? EVENT_COLUMNS : genericColumns(resource), rows }
}
