// The fieldSelector and labelSelector of a list or watch request, read once into one test per object.
import type { ResourceInfo } from './resources.js'
import { fieldReader } from './selectable-fields.js'
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, SelectorError } from './selectors.js'
import { statusBadRequest, type Status } from './status.js'
import type { StoredObject } from './store.js'

export type Selection = (obj: StoredObject) => boolean

/** The request's selection, or the 400 the real server gives for a selector it cannot read. */
export function parseSelection (info: ResourceInfo, query: URLSearchParams, extraFieldSelector?: string): { matches: Selection } | { status: Status } {
  let fieldRequirements
  let labelRequirements
  try {
    const fieldSelector = [query.get('fieldSelector') ?? '', extraFieldSelector ?? ''].filter(s => s !== '').join(',')
    fieldRequirements = parseFieldSelector(fieldSelector)
    labelRequirements = parseLabelSelector(query.get('labelSelector') ?? '')
  } catch (err) {
    if (err instanceof SelectorError) return { status: statusBadRequest(err.message) }
    throw err
  }
  const reader = fieldReader(info.resource, info.group, fieldRequirements.map(r => r.field))
  if ('unsupported' in reader) return { status: statusBadRequest(`field label not supported: ${reader.unsupported}`) }
  return {
    matches: obj => matchesFields(fieldRequirements, field => reader.read(obj, field)) &&
      matchesLabels(labelRequirements, obj.metadata.labels as Record<string, string> | undefined)
  }
}
