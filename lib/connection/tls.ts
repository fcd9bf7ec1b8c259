// Server verification settings, read once when the client is made.
import { readFileSync } from 'node:fs'
import type { FileOrData, TargetProblem, TlsSettings } from './target.js'

export interface ServerTls {
  /** PEM of the certificate authorities to trust; the system's when absent */
  ca?: Buffer
  rejectUnauthorized: boolean
  /** SNI and the name the certificate must carry, when it differs from the server's host */
  servername?: string
}

/** Reads inline base64 data or a file; the error text names the file, never the content. */
export function readFileOrData (source: FileOrData, what: string): Buffer | TargetProblem {
  if (source.data !== undefined) {
    const decoded = Buffer.from(source.data, 'base64')
    if (decoded.length === 0) return { problem: `${what} data is not base64` }
    return decoded
  }
  if (source.file === undefined) return { problem: `${what} has neither file nor data` }
  try {
    return readFileSync(source.file)
  } catch (err) {
    return { problem: `cannot read ${what} ${source.file}: ${(err as { code?: string }).code ?? 'error'}` }
  }
}

export function loadServerTls (settings: TlsSettings): ServerTls | TargetProblem {
  // client-go ignores the CA when told to skip verification; so do we.
  if (settings.insecureSkipVerify) return { rejectUnauthorized: false, servername: settings.serverName }
  let ca: Buffer | undefined
  if (settings.ca !== undefined) {
    const read = readFileOrData(settings.ca, 'certificate-authority')
    if (!Buffer.isBuffer(read)) return read
    ca = read
  }
  return { ca, rejectUnauthorized: true, servername: settings.serverName }
}
