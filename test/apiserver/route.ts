// Splits a request path into what kube-apiserver calls request info: group, version, namespace, resource, name.

export interface ResourceTarget {
  group: string
  version: string
  /** from the URL; for /api/v1/namespaces/{name} it is that name, as the real server reads it */
  namespace?: string
  resource: string
  name?: string
  subresource?: string
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize'])

export function parseResourcePath (pathname: string): ResourceTarget | undefined {
  const parts = pathname.split('/').filter(p => p !== '').map(safeDecode)
  let group: string
  let version: string
  let rest: string[]
  if (parts[0] === 'api' && parts.length >= 3) {
    group = ''
    version = parts[1]
    rest = parts.slice(2)
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]
    version = parts[2]
    rest = parts.slice(3)
  } else {
    return undefined
  }
  let namespace: string | undefined
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1]
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) rest = rest.slice(2)
  }
  if (rest.length > 3) return undefined
  const [resource, name, subresource] = rest
  return { group, version, namespace, resource, name, subresource }
}

function safeDecode (segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}
