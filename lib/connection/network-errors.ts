import { redact } from '../diagnostics.js'

export const TLS_TRUST_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE'
])

export const TLS_NAME_CODES: ReadonlySet<string> = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH'])
export const TLS_VALIDITY_CODES: ReadonlySet<string> = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID'])

export interface NetworkFailure { kind: 'network', code: string, message: string }

function hintFor (code: string): string {
  if (TLS_TRUST_CODES.has(code)) return ' (the server certificate is not signed by the configured certificate authority)'
  if (TLS_NAME_CODES.has(code)) return ' (the server certificate does not name this host; tls-server-name may help)'
  if (TLS_VALIDITY_CODES.has(code)) return ' (the server certificate is outside its validity period)'
  if (code === 'ECONNREFUSED') return ' (nothing listens there)'
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return ' (the server name does not resolve)'
  return ''
}

/** A node:net/tls/http error as an ApiResult; `where` names the request, never its headers. */
export function classifyNetworkError (err: unknown, where: string): NetworkFailure {
  const error = err as { code?: unknown, message?: unknown } | null | undefined
  let code = typeof error?.code === 'string' && error.code !== '' ? error.code : 'ENETWORK'
  const text = typeof error?.message === 'string' ? error.message : String(err)
  // "socket hang up" arrives with ECONNRESET; a closed keep-alive socket sometimes without any code.
  if (code === 'ENETWORK' && /socket hang up/i.test(text)) code = 'ECONNRESET'
  return { kind: 'network', code, message: redact(`${where}: ${text}${hintFor(code)}`) }
}

export function networkFailure (code: string, message: string): NetworkFailure {
  return { kind: 'network', code, message: redact(message) }
}
