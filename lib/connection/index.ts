// Where the API server is and how to talk to it, found like client-go finds it: the kubeconfig option, else
// KUBECONFIG, else ~/.kube/config, else the pod's service account.
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, join } from 'node:path'
import type { ApiClient, Diagnostics } from '../types.js'
import { systemClock, type Clock } from '../clock.js'
import { describeError } from '../fields.js'
import { createCredentials } from './credentials.js'
import { createHttpClient, printableServer } from './http-client.js'
import { DEFAULT_SERVICE_ACCOUNT_DIR, inClusterAvailable, loadInCluster } from './in-cluster.js'
import { loadKubeconfigs, resolveContext } from './kubeconfig.js'
import { networkFailure } from './network-errors.js'
import { isProblem, type ConnectionTarget, type TargetProblem } from './target.js'
import { loadServerTls, readFileOrData } from './tls.js'

export { parseRetryAfter } from './retry-after.js'
export { classifyNetworkError } from './network-errors.js'

export interface ApiClientOptions {
  /** a kubeconfig path, or several joined by path.delimiter */
  kubeconfig?: string
  context?: string
  requestTimeoutMs: number
  diagnostics: Diagnostics
  env?: NodeJS.ProcessEnv
  /** default /var/run/secrets/kubernetes.io/serviceaccount */
  serviceAccountDir?: string
  homeDir?: string
  /** token and certificate files are read again when older than this; default 60 s */
  credentialRereadMs?: number
  /** an exec plugin is stopped after this; default 30 s */
  execTimeoutMs?: number
  /** an exec plugin is started at most once per this long; default 5 s */
  execMinIntervalMs?: number
  /** requests in flight at once, at most; default 16 */
  maxSockets?: number
  /** the clocks: monotonic for when credential files are read again, wall for when credentials expire */
  clock?: Clock
}

const DEFAULT_REREAD_MS = 60_000
const DEFAULT_EXEC_TIMEOUT_MS = 30_000

function splitPaths (list: string): string[] {
  return list.split(delimiter).filter(path => path !== '')
}

function locate (opts: ApiClientOptions, env: NodeJS.ProcessEnv, warn: (message: string) => void): ConnectionTarget | TargetProblem {
  const serviceAccountDir = opts.serviceAccountDir ?? DEFAULT_SERVICE_ACCOUNT_DIR
  const looked: string[] = []
  const fromFiles = (paths: string[], requireAll: boolean): ConnectionTarget | TargetProblem | undefined => {
    const { merged, problems } = loadKubeconfigs(paths, requireAll)
    if (merged.files.length === 0) return problems.length > 0 ? { problem: problems.join('; ') } : undefined
    for (const problem of problems) warn(problem)
    return resolveContext(merged, opts.context)
  }
  if (opts.kubeconfig !== undefined && opts.kubeconfig !== '') {
    return fromFiles(splitPaths(opts.kubeconfig), true) ?? { problem: `the kubeconfig option names no file (${opts.kubeconfig})` }
  }
  if (env.KUBECONFIG !== undefined && env.KUBECONFIG !== '') {
    const found = fromFiles(splitPaths(env.KUBECONFIG), false)
    if (found !== undefined) return found
    looked.push(`KUBECONFIG=${env.KUBECONFIG} (no such file)`)
  } else {
    const homeConfig = join(opts.homeDir ?? homedir(), '.kube', 'config')
    if (existsSync(homeConfig)) return fromFiles([homeConfig], true) ?? { problem: `cannot read ${homeConfig}` }
    looked.push(`${homeConfig} (no such file)`)
  }
  if (inClusterAvailable(env, serviceAccountDir)) {
    const target = loadInCluster(env, serviceAccountDir)
    if (!isProblem(target) && opts.context !== undefined) target.notes.push(`context "${opts.context}" is ignored: no kubeconfig was found, using the service account`)
    return target
  }
  looked.push(`a service account (KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT and ${join(serviceAccountDir, 'token')})`)
  return { problem: `no Kubernetes API configuration: looked for ${looked.join(', ')}` }
}

function unconfiguredClient (message: string): ApiClient {
  return {
    server: '(not configured)',
    async request () { return networkFailure('NOCONFIG', message) },
    reloadCredentials () {},
    close () {}
  }
}

function caData (target: ConnectionTarget): string | undefined {
  if (target.tls.ca === undefined) return undefined
  const read = readFileOrData(target.tls.ca, 'certificate-authority')
  return Buffer.isBuffer(read) ? read.toString('base64') : undefined
}

function build (opts: ApiClientOptions): ApiClient {
  const { diagnostics } = opts
  const env = opts.env ?? process.env
  const target = locate(opts, env, message => { diagnostics.warn(`connection:config:${message}`, message) })
  if (isProblem(target)) {
    diagnostics.warn('connection:config', `no events will be posted: ${target.problem}`)
    return unconfiguredClient(target.problem)
  }
  for (const note of target.notes) diagnostics.warn(`connection:note:${note}`, note)
  let server: URL
  try {
    server = new URL(target.server)
  } catch {
    server = new URL('invalid:')
  }
  if (server.protocol !== 'https:' && server.protocol !== 'http:') {
    const problem = `server "${target.server}" of ${target.origin} is not an http:// or https:// URL`
    diagnostics.warn('connection:config', `no events will be posted: ${problem}`)
    return unconfiguredClient(problem)
  }
  const tls = loadServerTls(target.tls)
  if (isProblem(tls)) {
    const problem = `${tls.problem} (${target.origin})`
    diagnostics.warn('connection:config', `no events will be posted: ${problem}`)
    return unconfiguredClient(problem)
  }
  const execCaData = target.auth.exec?.provideClusterInfo === true ? caData(target) : undefined
  const credentials = createCredentials(target.auth, {
    diagnostics,
    env,
    rereadMs: opts.credentialRereadMs ?? DEFAULT_REREAD_MS,
    execTimeoutMs: opts.execTimeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS,
    execMinIntervalMs: opts.execMinIntervalMs,
    clock: opts.clock ?? systemClock,
    server: printableServer(server),
    execCluster: {
      server: target.server,
      ...(target.tls.serverName !== undefined ? { 'tls-server-name': target.tls.serverName } : {}),
      ...(target.tls.insecureSkipVerify ? { 'insecure-skip-tls-verify': true } : {}),
      ...(execCaData !== undefined ? { 'certificate-authority-data': execCaData } : {})
    }
  })
  return createHttpClient({
    server,
    tls,
    credentials,
    requestTimeoutMs: opts.requestTimeoutMs,
    diagnostics,
    defaultNamespace: target.namespace,
    maxSockets: opts.maxSockets
  })
}

/** Never throws and never waits on the network; without a usable configuration every request answers NOCONFIG. */
export function createApiClient (opts: ApiClientOptions): ApiClient {
  try {
    return build(opts)
  } catch (err) {
    const message = `the API connection could not be set up: ${describeError(err)}`
    try { opts.diagnostics.warn('connection:config', `no events will be posted: ${message}`) } catch {}
    return unconfiguredClient(message)
  }
}

