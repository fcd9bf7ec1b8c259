// Deterministic Event names (as the Java Operator SDK does): the same event key gives the same name in every
// process, so a restarted process or another replica finds the Event and continues its count. The name is a
// DNS-1123 subdomain, which events.k8s.io/v1 requires and core/v1 accepts.
// The two APIs store Events in one place, and a core/v1 Event can be read as an events.k8s.io/v1 one: were the
// names the same, a writer of each API (two versions of an operator during an upgrade) would adopt the other's
// Event and count into a field the other does not keep (count against series.count). So the name depends on the
// API too; core/v1 keeps the names it always had.
import { createHash } from 'node:crypto'
import { DNS1123_SUBDOMAIN } from '../dns1123.js'
import type { EventsApi } from '../types.js'

const MAX_NAME_LENGTH = 253
const HASH_HEX_LENGTH = 32

export function isDns1123Subdomain (name: string): boolean {
  return name.length > 0 && name.length <= MAX_NAME_LENGTH && DNS1123_SUBDOMAIN.test(name)
}

/** `text` made into a DNS-1123 subdomain of at most maxLength characters, or '' when nothing usable is left */
export function toSubdomain (text: string, maxLength: number): string {
  const labels = text.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').split('.')
    .map(label => label.replace(/^-+|-+$/g, ''))
    .filter(label => label.length > 0)
  const joined = labels.join('.').slice(0, maxLength).replace(/[-.]+$/, '')
  return isDns1123Subdomain(joined) ? joined : ''
}

export function eventName (objectName: string, kind: string, identity: string, api: EventsApi = 'v1'): string {
  const hash = createHash('sha256').update(api === 'v1' ? identity : `${api}\n${identity}`).digest('hex').slice(0, HASH_HEX_LENGTH)
  const room = MAX_NAME_LENGTH - 1 - HASH_HEX_LENGTH
  const prefix = toSubdomain(objectName, room) || toSubdomain(kind, room) || 'event'
  return `${prefix}.${hash}`
}
