// Legacy `auth-provider` users (oidc, gcp, azure) are rare and their refresh logic is large, so it is borrowed
// from @kubernetes/client-node, loaded only here and only when installed: everyone else starts without it.
import type { RequestOptions } from 'node:https'
import type { AuthProviderSettings } from './target.js'
import { describeError } from '../fields.js'

export type AuthProviderOutcome = { ok: true, authorization: string } | { ok: false, message: string }

export interface AuthProviderSource {
  get (): Promise<AuthProviderOutcome>
  reload (): void
}

interface KubeConfigLike {
  loadFromClusterAndUser (cluster: object, user: object): void
  applyToHTTPSOptions (opts: RequestOptions): Promise<void>
}

const CLIENT_NODE = '@kubernetes/client-node'

async function loadKubeConfigClass (): Promise<(new () => KubeConfigLike) | string> {
  try {
    // A variable specifier keeps bundlers and the type checker from pulling the package in eagerly.
    const specifier: string = CLIENT_NODE
    const mod = await import(specifier) as { KubeConfig?: new () => KubeConfigLike }
    if (typeof mod.KubeConfig !== 'function') return `${CLIENT_NODE} has no KubeConfig export`
    return mod.KubeConfig
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return `it needs ${CLIENT_NODE}: npm install ${CLIENT_NODE}@^1.4`
    return `${CLIENT_NODE} could not be loaded: ${describeError(err)}`
  }
}

export function createAuthProvider (settings: AuthProviderSettings, server: string): AuthProviderSource {
  const name = `auth-provider "${settings.name}"`
  let kubeConfig: Promise<KubeConfigLike | string> | undefined

  function makeKubeConfig (): Promise<KubeConfigLike | string> {
    return loadKubeConfigClass().then(KubeConfig => {
      if (typeof KubeConfig === 'string') return KubeConfig
      const kc = new KubeConfig()
      // Only the Authorization header is taken from it: the agent it also builds is never used, but it refuses
      // http:// servers without skipTLSVerify, so it is given an https address and no verification to set up.
      // The provider keeps its refreshed tokens inside this object, so it lives until reload().
      const cluster = { name: 'cluster', server: server.replace(/^http:/, 'https:'), skipTLSVerify: true }
      kc.loadFromClusterAndUser(cluster, { name: 'user', authProvider: settings })
      return kc
    })
  }

  return {
    async get () {
      try {
        kubeConfig ??= makeKubeConfig()
        const kc = await kubeConfig
        if (typeof kc === 'string') return { ok: false, message: `${name}: ${kc}` }
        const opts: RequestOptions = { headers: {} }
        await kc.applyToHTTPSOptions(opts)
        const authorization = (opts.headers as Record<string, unknown>).Authorization
        if (typeof authorization !== 'string' || authorization === '') return { ok: false, message: `${name} gave no token` }
        return { ok: true, authorization }
      } catch (err) {
        // Provider errors can quote refresh responses; only the error's kind is told.
        const e = err as { name?: string, code?: string }
        return { ok: false, message: `${name} could not get a token (${e?.code ?? e?.name ?? 'error'})` }
      }
    },
    reload () { kubeConfig = undefined }
  }
}
