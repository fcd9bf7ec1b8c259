// Just enough OpenAPI v3 for kubectl: it reads whether PATCH takes `fieldValidation`, and when it does it
// leaves validation to the server instead of downloading full schemas.
import { RESOURCES, type ResourceInfo } from './resources.js'

const SPEC_HASH = 'local0000000000000000000000000000'

function groupVersionPath (group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`
}

function groupVersions (): Array<{ group: string, version: string }> {
  const seen = new Map<string, { group: string, version: string }>()
  for (const r of RESOURCES) seen.set(groupVersionPath(r.group, r.version), { group: r.group, version: r.version })
  return [...seen.values()]
}

export function openApiRoot (): object {
  const paths: Record<string, { serverRelativeURL: string }> = {}
  for (const { group, version } of groupVersions()) {
    const path = groupVersionPath(group, version)
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${SPEC_HASH}` }
  }
  return { paths }
}

function itemPath (info: ResourceInfo): string {
  const base = `/${groupVersionPath(info.group, info.version)}`
  return info.namespaced ? `${base}/namespaces/{namespace}/${info.resource}/{name}` : `${base}/${info.resource}/{name}`
}

/** `groupVersion` is the path after /openapi/v3/, e.g. api/v1 or apis/events.k8s.io/v1. */
export function openApiGroupVersion (groupVersion: string): object | undefined {
  const resources = RESOURCES.filter(r => groupVersionPath(r.group, r.version) === groupVersion)
  if (resources.length === 0) return undefined
  const paths: Record<string, object> = {}
  for (const info of resources) {
    paths[itemPath(info)] = {
      patch: {
        operationId: `patch${info.kind}`,
        parameters: [
          { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } }
        ],
        responses: { 200: { description: 'OK' } },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: info.group, version: info.version, kind: info.kind }
      }
    }
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.6' }, paths }
}
