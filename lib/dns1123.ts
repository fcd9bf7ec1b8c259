// Kubernetes names: object names and API groups are DNS-1123 subdomains (dot-separated labels).

export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

/** Why `value` is not a DNS-1123 label (as namespaces are), or undefined when it is one. */
export function dns1123LabelProblem (value: string): string | undefined {
  if (value.length === 0) return 'it is empty'
  if (value.length > 63) return `it is ${value.length} characters long, at most 63 are allowed`
  if (!DNS1123_LABEL.test(value)) return 'it must consist of lower case letters, digits and \'-\', and start and end with a letter or digit'
  return undefined
}

/** Why `value` is not a DNS-1123 subdomain, or undefined when it is one. */
export function dns1123SubdomainProblem (value: string): string | undefined {
  if (value.length === 0) return 'it is empty'
  if (value.length > 253) return `it is ${value.length} characters long, at most 253 are allowed`
  if (!DNS1123_SUBDOMAIN.test(value)) return 'it must consist of lower case letters, digits, \'-\' and \'.\', and start and end with a letter or digit'
  return undefined
}
