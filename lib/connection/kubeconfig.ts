// Kubeconfig files: load, merge like client-go (the first file to name a cluster, user or context wins, and the
// first current-context wins), choose a context, and resolve it into a ConnectionTarget.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, isAbsolute, join, resolve, sep } from 'node:path'
import { isRecord as isDict } from '../fields.js'
import type { AuthSettings, ConnectionTarget, ExecSettings, FileOrData, Impersonation, TargetProblem, TlsSettings } from './target.js'

type YamlModule = typeof import('yaml')
type Dict = Record<string, unknown>

// Loaded on first use, so that in-cluster workers never pay for the YAML parser.
let yamlModule: YamlModule | undefined
function yaml (): YamlModule {
  yamlModule ??= createRequire(import.meta.url)('yaml') as YamlModule
  return yamlModule
}

interface Entry { value: Dict, dir: string, file: string }

export interface MergedKubeconfig {
  clusters: Map<string, Entry>
  users: Map<string, Entry>
  contexts: Map<string, Entry>
  currentContext?: string
  /** the files that were read */
  files: string[]
}


function text (value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function flag (value: unknown): boolean {
  return value === true || value === 'true'
}

function describeYamlError (err: unknown): string {
  // The parser's own message quotes the offending line, which may hold a token: only its position is told.
  const e = err as { code?: string, linePos?: Array<{ line: number, col: number }> }
  const where = e.linePos?.[0] !== undefined ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : ''
  return `not valid YAML${e.code !== undefined ? ` (${e.code})` : ''}${where}`
}

function addNamed (into: Map<string, Entry>, list: unknown, field: string, file: string): void {
  if (!Array.isArray(list)) return
  for (const item of list) {
    if (!isDict(item) || typeof item.name !== 'string' || into.has(item.name)) continue
    // Relative paths inside are taken from the file's directory made absolute, as client-go does: a kubeconfig
    // given as a relative path must not turn "./plugin" into a bare name looked up on PATH.
    into.set(item.name, { value: isDict(item[field]) ? item[field] : {}, dir: dirname(resolve(file)), file })
  }
}

/**
 * Reads and merges the files in order. Missing files are skipped silently when `requireAll` is false
 * (KUBECONFIG entries), reported otherwise (an explicit kubeconfig option).
 */
export function loadKubeconfigs (paths: string[], requireAll: boolean): { merged: MergedKubeconfig, problems: string[] } {
  const merged: MergedKubeconfig = { clusters: new Map(), users: new Map(), contexts: new Map(), files: [] }
  const problems: string[] = []
  for (const file of paths) {
    let content: string
    try {
      content = readFileSync(file, 'utf8')
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code !== 'ENOENT' || requireAll) problems.push(`cannot read kubeconfig ${file}: ${code ?? 'error'}`)
      continue
    }
    let doc: unknown
    try {
      doc = yaml().parse(content)
    } catch (err) {
      problems.push(`kubeconfig ${file} is ${describeYamlError(err)}`)
      continue
    }
    merged.files.push(file)
    if (doc === null || doc === undefined) continue
    if (!isDict(doc)) {
      problems.push(`kubeconfig ${file} is not a mapping`)
      continue
    }
    addNamed(merged.clusters, doc.clusters, 'cluster', file)
    addNamed(merged.users, doc.users, 'user', file)
    addNamed(merged.contexts, doc.contexts, 'context', file)
    merged.currentContext ??= text(doc['current-context'])
  }
  return { merged, problems }
}

function resolvePath (dir: string, path: string | undefined): string | undefined {
  if (path === undefined) return undefined
  return isAbsolute(path) ? path : join(dir, path)
}

function fileOrData (entry: Entry, fileKey: string, dataKey: string): FileOrData | undefined {
  const data = text(entry.value[dataKey])
  const file = resolvePath(entry.dir, text(entry.value[fileKey]))
  if (data === undefined && file === undefined) return undefined
  return data !== undefined ? { data } : { file }
}

function namedExtension (cluster: Dict, name: string): unknown {
  const list = cluster.extensions
  if (!Array.isArray(list)) return undefined
  const found = list.find(item => isDict(item) && item.name === name) as Dict | undefined
  return found?.extension
}

function execSettings (entry: Entry, cluster: Dict): ExecSettings | undefined {
  const exec = entry.value.exec
  if (!isDict(exec)) return undefined
  const command = text(exec.command) ?? ''
  // client-go resolves a command with a path separator against the kubeconfig's directory; a bare name uses PATH.
  const hasSeparator = command.includes(sep) || command.includes('/')
  const resolvedCommand = hasSeparator ? resolvePath(entry.dir, command) ?? command : command
  const env = Array.isArray(exec.env)
    ? exec.env.filter(isDict).filter(e => typeof e.name === 'string').map(e => ({ name: e.name as string, value: String(e.value ?? '') }))
    : []
  return {
    apiVersion: text(exec.apiVersion) ?? '',
    command: resolvedCommand,
    written: { command, kubeconfig: resolve(entry.file), onPath: !hasSeparator },
    args: Array.isArray(exec.args) ? exec.args.map(String) : [],
    env,
    interactiveMode: text(exec.interactiveMode),
    provideClusterInfo: flag(exec.provideClusterInfo),
    installHint: text(exec.installHint),
    clusterConfig: namedExtension(cluster, 'client.authentication.k8s.io/exec')
  }
}

function impersonation (user: Dict): Impersonation | undefined {
  const as = text(user.as)
  const uid = text(user['as-uid'])
  const groups = Array.isArray(user['as-groups']) ? user['as-groups'].map(String) : []
  const extra: Record<string, string[]> = {}
  if (isDict(user['as-user-extra'])) {
    for (const [key, values] of Object.entries(user['as-user-extra'])) {
      extra[key] = Array.isArray(values) ? values.map(String) : [String(values)]
    }
  }
  if (as === undefined && uid === undefined && groups.length === 0 && Object.keys(extra).length === 0) return undefined
  return { user: as, uid, groups, extra }
}

function authSettings (entry: Entry | undefined, cluster: Dict): AuthSettings {
  if (entry === undefined) return {}
  const user = entry.value
  const provider = user['auth-provider']
  const providerConfig: Record<string, string> = {}
  if (isDict(provider) && isDict(provider.config)) {
    for (const [key, value] of Object.entries(provider.config)) providerConfig[key] = String(value)
  }
  return {
    token: text(user.token),
    tokenFile: resolvePath(entry.dir, text(user.tokenFile)),
    username: text(user.username),
    password: typeof user.password === 'string' ? user.password : undefined,
    clientCertificate: fileOrData(entry, 'client-certificate', 'client-certificate-data'),
    clientKey: fileOrData(entry, 'client-key', 'client-key-data'),
    exec: execSettings(entry, cluster),
    authProvider: isDict(provider) && typeof provider.name === 'string' ? { name: provider.name, config: providerConfig } : undefined,
    impersonate: impersonation(user)
  }
}

/** The chosen context (the option, else current-context) as a ConnectionTarget. */
export function resolveContext (merged: MergedKubeconfig, contextOption?: string): ConnectionTarget | TargetProblem {
  const files = merged.files.join(', ')
  const contextName = contextOption ?? merged.currentContext
  if (contextName === undefined) {
    return { problem: `no context was given and ${files} set${merged.files.length > 1 ? '' : 's'} no current-context` }
  }
  const context = merged.contexts.get(contextName)
  if (context === undefined) return { problem: `context "${contextName}" is not in ${files}` }
  const clusterName = text(context.value.cluster)
  const cluster = clusterName !== undefined ? merged.clusters.get(clusterName) : undefined
  if (cluster === undefined) {
    return { problem: `cluster "${clusterName ?? ''}" of context "${contextName}" is not in ${files}` }
  }
  const server = text(cluster.value.server)
  if (server === undefined) return { problem: `cluster "${clusterName}" in ${cluster.file} has no server` }
  const userName = text(context.value.user)
  const user = userName !== undefined ? merged.users.get(userName) : undefined
  if (userName !== undefined && user === undefined) {
    return { problem: `user "${userName}" of context "${contextName}" is not in ${files}` }
  }
  const notes: string[] = []
  if (text(cluster.value['proxy-url']) !== undefined) {
    notes.push(`proxy-url of cluster "${clusterName}" is not supported: connecting to ${server} directly`)
  }
  const tls: TlsSettings = {
    ca: fileOrData(cluster, 'certificate-authority', 'certificate-authority-data'),
    insecureSkipVerify: flag(cluster.value['insecure-skip-tls-verify']),
    serverName: text(cluster.value['tls-server-name'])
  }
  return {
    origin: `kubeconfig ${context.file} (context "${contextName}")`,
    server,
    tls,
    auth: authSettings(user, cluster.value),
    namespace: text(context.value.namespace),
    notes
  }
}
