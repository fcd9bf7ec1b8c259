// The kinds this server knows, described once for routing, discovery, authorization and storage.

export interface ResourceInfo {
  /** '' for the core group */
  group: string
  version: string
  /** plural, as in URLs and RBAC rules */
  resource: string
  singular: string
  kind: string
  listKind: string
  namespaced: boolean
  shortNames: string[]
  categories?: string[]
  /** built-in kinds list their items without kind/apiVersion; custom resources keep them */
  custom: boolean
}

/** Every resource here takes the same verbs, as they do on a real server. */
export const RESOURCE_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']

export const RESOURCES: readonly ResourceInfo[] = [
  { group: '', version: 'v1', resource: 'namespaces', singular: 'namespace', kind: 'Namespace', listKind: 'NamespaceList', namespaced: false, shortNames: ['ns'], custom: false },
  { group: '', version: 'v1', resource: 'pods', singular: 'pod', kind: 'Pod', listKind: 'PodList', namespaced: true, shortNames: ['po'], categories: ['all'], custom: false },
  { group: '', version: 'v1', resource: 'nodes', singular: 'node', kind: 'Node', listKind: 'NodeList', namespaced: false, shortNames: ['no'], custom: false },
  { group: '', version: 'v1', resource: 'persistentvolumes', singular: 'persistentvolume', kind: 'PersistentVolume', listKind: 'PersistentVolumeList', namespaced: false, shortNames: ['pv'], custom: false },
  { group: '', version: 'v1', resource: 'events', singular: 'event', kind: 'Event', listKind: 'EventList', namespaced: true, shortNames: ['ev'], custom: false },
  { group: 'events.k8s.io', version: 'v1', resource: 'events', singular: 'event', kind: 'Event', listKind: 'EventList', namespaced: true, shortNames: ['ev'], custom: false },
  { group: 'kopf.dev', version: 'v1', resource: 'kopfexamples', singular: 'kopfexample', kind: 'KopfExample', listKind: 'KopfExampleList', namespaced: true, shortNames: ['kex'], custom: true },
  { group: 'kopf.dev', version: 'v1', resource: 'kopfclusters', singular: 'kopfcluster', kind: 'KopfCluster', listKind: 'KopfClusterList', namespaced: false, shortNames: [], custom: true }
]

export function apiVersionOf (info: ResourceInfo): string {
  return info.group === '' ? info.version : `${info.group}/${info.version}`
}

export function findResource (group: string, version: string, resource: string): ResourceInfo | undefined {
  return RESOURCES.find(r => r.group === group && r.version === version && r.resource === resource)
}

export function findResourceByKind (apiVersion: string, kind: string): ResourceInfo | undefined {
  return RESOURCES.find(r => apiVersionOf(r) === apiVersion && r.kind === kind)
}

/** The groups besides the core one, in the order /apis lists them. */
export function apiGroups (): Array<{ group: string, version: string }> {
  const seen = new Map<string, string>()
  for (const r of RESOURCES) if (r.group !== '' && !seen.has(r.group)) seen.set(r.group, r.version)
  return [...seen].map(([group, version]) => ({ group, version }))
}

/** Where a resource's objects live: both event APIs share one store. */
export function storeKeyOf (info: ResourceInfo): string {
  return info.resource === 'events' ? 'events' : `${info.group}/${info.resource}`
}
