// The client, made on first use: loading the connection code, reading kubeconfigs and loading the YAML parser wait
// until the first event is written, so the transport is ready for pino at once.
import type { ApiClient } from '../types.js'
import { describeError } from '../fields.js'
import type { ApiClientOptions } from './index.js'

export function createDeferredApiClient (opts: ApiClientOptions): ApiClient {
  let client: ApiClient | undefined
  let loading: Promise<ApiClient> | undefined
  let closed = false
  const made = async (): Promise<ApiClient> => {
    loading ??= import('./index.js').then(connection => {
      client = connection.createApiClient(opts)
      if (closed) client.close()
      return client
    })
    return await loading
  }
  return {
    async request (req) {
      try {
        return await (await made()).request(req)
      } catch (err) {
        const message = `no connection to the API server could be made: ${describeError(err)}`
        opts.diagnostics.warn('connection:config', `no events will be posted: ${message}`)
        return { kind: 'network', code: 'NOCONFIG', message }
      }
    },
    reloadCredentials: () => client?.reloadCredentials(),
    get defaultNamespace () { return client?.defaultNamespace },
    // asked for by diagnostics only, after a request has made the client
    get server () { return client?.server ?? 'the Kubernetes API server' },
    close () {
      closed = true
      client?.close()
    }
  }
}
