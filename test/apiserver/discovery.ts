// The discovery documents kubectl reads to map kinds and short names to URLs.
import { RESOURCES, RESOURCE_VERBS, apiGroups, type ResourceInfo } from './resources.js'

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.6',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-06-17T00:00:00Z',
  goVersion: 'go1.23.10',
  compiler: 'gc',
  platform: 'linux/amd64'
}

function resourceEntry (info: ResourceInfo): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    name: info.resource,
    singularName: info.singular,
    namespaced: info.namespaced,
    kind: info.kind,
    verbs: RESOURCE_VERBS
  }
  if (info.shortNames.length > 0) entry.shortNames = info.shortNames
  if (info.categories !== undefined) entry.categories = info.categories
  return entry
}

export function apiVersions (serverAddress: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] }
}

function groupEntry (group: string, version: string): object {
  const groupVersion = { groupVersion: `${group}/${version}`, version }
  return { name: group, versions: [groupVersion], preferredVersion: groupVersion }
}

export function apiGroupList (): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: apiGroups().map(g => groupEntry(g.group, g.version)) }
}

export function apiGroup (group: string): object | undefined {
  const found = apiGroups().find(g => g.group === group)
  return found === undefined ? undefined : { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(found.group, found.version) }
}

export function apiResourceList (group: string, version: string): object | undefined {
  const resources = RESOURCES.filter(r => r.group === group && r.version === version)
  if (resources.length === 0) return undefined
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources: resources.map(resourceEntry)
  }
}
