// The field labels each resource accepts in a fieldSelector, and where each one is read from.

const REFERENCE_FIELDS = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']

function path (obj: unknown, dotted: string): unknown {
  let current: unknown = obj
  for (const key of dotted.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined
    current = (current as Record<string, unknown>)[key]
  }
  return current
}

function asFieldValue (value: unknown): string {
  if (value === undefined || value === null) return ''
  return String(value)
}

/** Field label → path in the stored (core/v1) object. */
function eventFields (api: 'v1' | 'events.k8s.io/v1'): Map<string, string> {
  const reference = api === 'v1' ? 'involvedObject' : 'regarding'
  const fields = new Map<string, string>([
    ['metadata.name', 'metadata.name'],
    ['metadata.namespace', 'metadata.namespace'],
    ['type', 'type'],
    ['reason', 'reason'],
    ['source', 'source.component'],
    ['reportingComponent', 'reportingComponent']
  ])
  if (api === 'events.k8s.io/v1') fields.set('reportingController', 'reportingComponent')
  for (const field of REFERENCE_FIELDS) fields.set(`${reference}.${field}`, `involvedObject.${field}`)
  return fields
}

const POD_FIELDS = ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork',
  'status.phase', 'status.podIP', 'status.nominatedNodeName']

function genericFields (resource: string): Map<string, string> {
  const fields = new Map([['metadata.name', 'metadata.name'], ['metadata.namespace', 'metadata.namespace']])
  const extra = resource === 'pods' ? POD_FIELDS : resource === 'namespaces' ? ['status.phase'] : resource === 'nodes' ? ['spec.unschedulable'] : []
  for (const field of extra) fields.set(field, field)
  return fields
}

/**
 * A reader of field values for one resource seen through one API, or the first unsupported label, which the real
 * server refuses with 400.
 */
export function fieldReader (resource: string, group: string, labels: string[]): { read: (obj: unknown, field: string) => string } | { unsupported: string } {
  const fields = resource === 'events' ? eventFields(group === '' ? 'v1' : 'events.k8s.io/v1') : genericFields(resource)
  const unsupported = labels.find(label => !fields.has(label))
  if (unsupported !== undefined) return { unsupported }
  return { read: (obj, field) => asFieldValue(path(obj, fields.get(field) as string)) }
}
