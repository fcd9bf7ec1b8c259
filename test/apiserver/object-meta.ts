// Checks on metadata that the real server runs for every kind after the kind's own validation.
import { goQuote, type StatusCause } from './status.js'

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const DNS_SUBDOMAIN_PART = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const DNS_LABEL_TEXT = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
const DNS_SUBDOMAIN_TEXT = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"

function invalid (name: string, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${goQuote(name)}: ${detail}`, field: 'metadata.name' }
}

/** Path-segment rules: what every kind's name must satisfy, events included. */
export function pathSegmentNameCauses (meta: { name?: unknown, generateName?: unknown }): StatusCause[] {
  const name = typeof meta.name === 'string' ? meta.name : ''
  if (name === '') {
    const generate = typeof meta.generateName === 'string' ? meta.generateName : ''
    return generate === '' ? [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }] : []
  }
  if (name === '.' || name === '..') return [invalid(name, `may not be '${name}'`)]
  const causes: StatusCause[] = []
  for (const bad of ['/', '%']) if (name.includes(bad)) causes.push(invalid(name, `may not contain '${bad}'`))
  return causes
}

/** DNS rules that namespaces (a label) and most other kinds (a subdomain) add. */
export function dnsNameCauses (name: string, rule: 'label' | 'subdomain'): StatusCause[] {
  if (rule === 'label') {
    const causes: StatusCause[] = []
    if (name.length > 63) causes.push(invalid(name, 'must be no more than 63 characters'))
    if (!DNS_LABEL.test(name)) causes.push(invalid(name, DNS_LABEL_TEXT))
    return causes
  }
  const causes: StatusCause[] = []
  if (name.length > 253) causes.push(invalid(name, 'must be no more than 253 characters'))
  if (!name.split('.').every(part => DNS_SUBDOMAIN_PART.test(part))) causes.push(invalid(name, DNS_SUBDOMAIN_TEXT))
  return causes
}
