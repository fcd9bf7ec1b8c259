// Who is asking (bearer tokens, client certificates) and whether RBAC-like rules let them.
import { randomBytes } from 'node:crypto'
import type { TLSSocket } from 'node:tls'
import type { IncomingMessage } from 'node:http'

export interface RbacRule { verbs: string[], apiGroups: string[], resources: string[], namespaces?: string[] }

export interface UserInfo { name: string, groups: string[] }

export interface Attributes {
  verb: string
  group: string
  resource: string
  /** undefined for cluster-scoped requests */
  namespace?: string
}

const EVERYTHING: RbacRule[] = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]
const EVENT_CREATOR: RbacRule[] = [{ verbs: ['create'], apiGroups: ['', 'events.k8s.io'], resources: ['events'] }]
/** Members of this group may do anything, as on a real cluster. */
const SUPERUSER_GROUP = 'system:masters'

export const BUILT_IN_TOKENS = { admin: 'admin-token', nobody: 'nobody-token', creator: 'creator-token' } as const

export class Authenticator {
  private readonly tokens = new Map<string, string>()
  private readonly groupsOf = new Map<string, string[]>()
  private readonly rulesOf = new Map<string, RbacRule[]>()

  constructor () {
    this.addUser('admin', { token: BUILT_IN_TOKENS.admin, groups: [SUPERUSER_GROUP], rules: EVERYTHING })
    this.addUser('nobody', { token: BUILT_IN_TOKENS.nobody, rules: [] })
    this.addUser('creator', { token: BUILT_IN_TOKENS.creator, rules: EVENT_CREATOR })
  }

  /** Adds a user, or another token for a known one (for rotation); returns the token. */
  addUser (name: string, opts: { token?: string, groups?: string[], rules?: RbacRule[] } = {}): string {
    const token = opts.token ?? randomBytes(24).toString('base64url')
    this.tokens.set(token, name)
    if (opts.groups !== undefined || !this.groupsOf.has(name)) this.groupsOf.set(name, opts.groups ?? [])
    if (opts.rules !== undefined || !this.rulesOf.has(name)) this.rulesOf.set(name, structuredClone(opts.rules ?? []))
    return token
  }

  setRules (user: string, rules: RbacRule[]): void {
    this.rulesOf.set(user, structuredClone(rules))
  }

  removeToken (token: string): void {
    this.tokens.delete(token)
  }

  /** Users that have at least one token, with their first token: for kubeconfigs. */
  usersWithTokens (): Map<string, string> {
    const users = new Map<string, string>()
    for (const [token, name] of this.tokens) if (!users.has(name)) users.set(name, token)
    return users
  }

  /**
   * undefined when the request carries no credential we accept. A client certificate is tried first, as the
   * real server's authenticator chain does.
   */
  authenticate (req: IncomingMessage): UserInfo | undefined {
    const fromCert = this.fromCertificate(req)
    if (fromCert !== undefined) return fromCert
    const header = req.headers.authorization
    if (typeof header !== 'string') return undefined
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    if (match === null) return undefined
    const name = this.tokens.get(match[1])
    if (name === undefined) return undefined
    return { name, groups: this.groupsOf.get(name) ?? [] }
  }

  authorize (user: UserInfo, attrs: Attributes): boolean {
    if (user.groups.includes(SUPERUSER_GROUP)) return true
    const rules = this.rulesOf.get(user.name) ?? []
    return rules.some(rule => ruleAllows(rule, attrs))
  }

  private fromCertificate (req: IncomingMessage): UserInfo | undefined {
    const socket = req.socket as Partial<TLSSocket>
    if (typeof socket.getPeerCertificate !== 'function' || socket.authorized !== true) return undefined
    const cert = socket.getPeerCertificate()
    const subject = cert?.subject as Record<string, string | string[] | undefined> | undefined
    const cn = subject?.CN
    if (typeof cn !== 'string' || cn === '') return undefined
    const o = subject?.O
    const certGroups = o === undefined ? [] : Array.isArray(o) ? o : [o]
    const known = this.groupsOf.get(cn) ?? []
    return { name: cn, groups: [...new Set([...certGroups, ...known])] }
  }
}

function ruleAllows (rule: RbacRule, attrs: Attributes): boolean {
  const matches = (list: string[], value: string): boolean => list.includes('*') || list.includes(value)
  if (!matches(rule.verbs, attrs.verb)) return false
  if (!matches(rule.apiGroups, attrs.group)) return false
  if (!matches(rule.resources, attrs.resource)) return false
  if (rule.namespaces === undefined) return true
  return attrs.namespace !== undefined && rule.namespaces.includes(attrs.namespace)
}
