// A failed connection in the words a user fixes it by: what went wrong, and where to look. Kinds group the codes
// that have one cause, so a flood of the same failure is one kind.
import { TLS_NAME_CODES, TLS_TRUST_CODES, TLS_VALIDITY_CODES, type NetworkFailure } from './network-errors.js'

export interface FailureWords {
  /** e.g. 'refused', 'certificate-authority'; the same kind is told once per outage */
  kind: string
  /** a clause that follows "cannot connect to the Kubernetes API at <server>: " */
  words: string
}

const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME'])
const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN'])
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED'])

/** Failures on our side that say nothing about the connection: told where they arise. */
export const NOT_CONNECTION_FAILURES = new Set(['NOCONFIG', 'EINVALIDPATH', 'EINVALIDBODY', 'ECLOSED', 'EREQUEST'])

function hostOf (server: string): string {
  try {
    return new URL(server).hostname.replace(/^\[(.*)\]$/, '$1')
  } catch {
    return server
  }
}

/** The message without the request it was about (`POST https://host/path: `), which the line names already. */
function withoutRequest (message: string): string {
  return message.replace(/^[A-Z]+ \S+: /, '')
}

export function describeFailure (failure: Pick<NetworkFailure, 'code' | 'message'>, server: string): FailureWords {
  const { code } = failure
  if (TLS_TRUST_CODES.has(code)) {
    return {
      kind: 'certificate-authority',
      words: `its certificate is not signed by a certificate authority the kubeconfig trusts (x509: certificate signed by unknown authority; ${code}). ` +
        "Fix the cluster's certificate-authority or certificate-authority-data in the kubeconfig"
    }
  }
  if (TLS_NAME_CODES.has(code)) {
    return { kind: 'certificate-name', words: `its certificate does not name the host "${hostOf(server)}" (${code}). Use an address the certificate names, or set the cluster's tls-server-name` }
  }
  if (TLS_VALIDITY_CODES.has(code)) {
    return { kind: 'certificate-validity', words: `its certificate is outside its validity period (${code}). Check the clocks, or renew the certificate` }
  }
  if (code === 'ECONNREFUSED') {
    return { kind: 'refused', words: 'connection refused (ECONNREFUSED): nothing listens at that address and port. Check the server address in the kubeconfig and that the API server runs' }
  }
  if (DNS.has(code)) {
    return { kind: 'dns', words: `the host name "${hostOf(server)}" is not found in DNS (${code}). Check the server address in the kubeconfig` }
  }
  if (code === 'ETIMEDOUT') {
    return { kind: 'timeout', words: `no answer in time (timeout: ${withoutRequest(failure.message)}). The server or the network is slow or unreachable` }
  }
  if (UNREACHABLE.has(code)) {
    return { kind: 'unreachable', words: `the network cannot reach it (${code}). Check the server address and the network between here and the cluster` }
  }
  if (RESET.has(code)) {
    return { kind: 'reset', words: `the connection was closed before an answer came (${code})` }
  }
  if (code === 'CREDENTIALS') {
    return { kind: 'credentials', words: `no credentials could be had: ${failure.message}` }
  }
  return { kind: `other:${code}`, words: `${code}: ${withoutRequest(failure.message)}` }
}
