// A pino serializer for the binding: a whole object body (managedFields, spec, status...) would be written on every
// line of a child logger; its reference is all an event needs.
import { isRecord } from './fields.js'

const REFERENCE_FIELDS = ['namespace', 'uid', 'fieldPath'] as const

function trimOne (value: unknown): unknown {
  if (!isRecord(value)) return value
  const { apiVersion, kind } = value
  const metadata = value.metadata
  const names = isRecord(metadata) ? metadata : value
  const name = names.name
  if (typeof kind !== 'string' || typeof name !== 'string') return value

  const reference: Record<string, unknown> = {}
  if (typeof apiVersion === 'string') reference.apiVersion = apiVersion
  reference.kind = kind
  reference.name = name
  for (const field of REFERENCE_FIELDS) {
    // A body's fieldPath is not part of it; only an explicit reference carries one.
    if (field === 'fieldPath' && names !== value) continue
    const fieldValue = names[field]
    if (typeof fieldValue === 'string' && fieldValue !== '') reference[field] = fieldValue
  }
  return reference
}

/**
 * Trims an object body (or a list of them) to `{ apiVersion, kind, name, namespace?, uid?, fieldPath? }`.
 * Values it does not recognise pass through unchanged. Never throws.
 */
export function k8sObjectSerializer (value: unknown): unknown {
  try {
    return Array.isArray(value) ? value.map(trimOne) : trimOne(value)
  } catch {
    return value
  }
}

/** for pino's `serializers` option: both default binding keys */
export const serializers = { k8sObject: k8sObjectSerializer, k8sRelated: k8sObjectSerializer }
