// Kubeconfig files for the local server: one cluster, one user and context per known user.
import { stringify } from 'yaml'

export interface KubeconfigInput {
  url: string
  caCert?: string
  /** user name → bearer token */
  users: Map<string, string>
  currentUser: string
  namespace: string
}

export function kubeconfigYaml (input: KubeconfigInput): string {
  if (!input.users.has(input.currentUser)) throw new Error(`no user ${JSON.stringify(input.currentUser)} with a token`)
  const cluster: Record<string, string> = { server: input.url }
  if (input.caCert !== undefined) cluster['certificate-authority-data'] = Buffer.from(input.caCert).toString('base64')
  const names = [...input.users.keys()]
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local', cluster }],
    users: names.map(name => ({ name, user: { token: input.users.get(name) } })),
    contexts: names.map(name => ({ name, context: { cluster: 'local', user: name, namespace: input.namespace } })),
    'current-context': input.currentUser,
    preferences: {}
  })
}
