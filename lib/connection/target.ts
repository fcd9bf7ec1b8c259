// What a kubeconfig context or the pod's service account says about reaching the API server, before any
// credential is fetched.

/** Inline base64 data or a file path (already absolute); data wins, as in client-go. */
export interface FileOrData { file?: string, data?: string }

export interface TlsSettings {
  ca?: FileOrData
  insecureSkipVerify: boolean
  serverName?: string
}

export interface ExecSettings {
  apiVersion: string
  /** absolute when the kubeconfig gave a path, a bare name (looked up on PATH) otherwise */
  command: string
  /** what the kubeconfig said, for telling the user where the command was looked for */
  written?: { command: string, kubeconfig: string, onPath: boolean }
  args: string[]
  env: Array<{ name: string, value: string }>
  interactiveMode?: string
  provideClusterInfo: boolean
  installHint?: string
  /** the cluster's exec extension, passed to the plugin when provideClusterInfo is set */
  clusterConfig?: unknown
}

export interface AuthProviderSettings { name: string, config: Record<string, string> }

export interface Impersonation { user?: string, uid?: string, groups: string[], extra: Record<string, string[]> }

export interface AuthSettings {
  token?: string
  tokenFile?: string
  username?: string
  password?: string
  clientCertificate?: FileOrData
  clientKey?: FileOrData
  exec?: ExecSettings
  authProvider?: AuthProviderSettings
  impersonate?: Impersonation
}

export interface ConnectionTarget {
  /** where this came from, for diagnostics: a kubeconfig path and context, or in-cluster */
  origin: string
  server: string
  tls: TlsSettings
  auth: AuthSettings
  namespace?: string
  /** things worth telling once: unsupported settings, fallbacks */
  notes: string[]
}

/** Why no target could be made: says what was looked for, and is safe to print. */
export interface TargetProblem { problem: string }

export function isProblem (value: unknown): value is TargetProblem {
  return typeof value === 'object' && value !== null && 'problem' in value
}
