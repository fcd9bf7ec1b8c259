import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ConnectionTarget, TargetProblem } from './target.js'

export const DEFAULT_SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount'

export function inClusterAvailable (env: NodeJS.ProcessEnv, serviceAccountDir: string): boolean {
  return Boolean(env.KUBERNETES_SERVICE_HOST) && Boolean(env.KUBERNETES_SERVICE_PORT) &&
    existsSync(join(serviceAccountDir, 'token'))
}

/** The pod's own service account, as client-go's InClusterConfig reads it. */
export function loadInCluster (env: NodeJS.ProcessEnv, serviceAccountDir: string): ConnectionTarget | TargetProblem {
  const host = env.KUBERNETES_SERVICE_HOST ?? ''
  const port = env.KUBERNETES_SERVICE_PORT ?? ''
  if (host === '' || port === '') {
    return { problem: 'KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not both set' }
  }
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
  const caFile = join(serviceAccountDir, 'ca.crt')
  const hasCa = existsSync(caFile)
  let namespace: string | undefined
  try {
    namespace = readFileSync(join(serviceAccountDir, 'namespace'), 'utf8').trim() || undefined
  } catch {}
  return {
    origin: `in-cluster service account ${serviceAccountDir}`,
    server: `https://${hostPart}:${port}`,
    // client-go falls back to the system roots when ca.crt is missing.
    tls: { ca: hasCa ? { file: caFile } : undefined, insecureSkipVerify: false },
    auth: { tokenFile: join(serviceAccountDir, 'token') },
    namespace,
    notes: hasCa ? [] : [`${caFile} is missing: the server certificate is checked against the system's certificate authorities`]
  }
}
