// Reading request bodies with the real server's size limit.
import type { IncomingMessage } from 'node:http'

/** kube-apiserver refuses bodies above 3 MiB. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024

export type BodyResult =
  | { kind: 'empty' }
  | { kind: 'json', value: unknown }
  | { kind: 'text', text: string, error: string }
  /** application/vnd.kubernetes.protobuf, left for the protobuf decoder */
  | { kind: 'protobuf', bytes: Buffer }
  | { kind: 'tooLarge' }
  /** the client went away before the body was complete */
  | { kind: 'aborted' }

export async function readBody (req: IncomingMessage): Promise<BodyResult> {
  const chunks: Buffer[] = []
  let size = 0
  let tooLarge = false
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length
      if (size > MAX_BODY_BYTES) tooLarge = true
      else chunks.push(chunk as Buffer)
    }
  } catch {
    return { kind: 'aborted' }
  }
  if (tooLarge) return { kind: 'tooLarge' }
  if (size === 0) return { kind: 'empty' }
  const bytes = Buffer.concat(chunks)
  const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
  if (contentType === 'application/vnd.kubernetes.protobuf') return { kind: 'protobuf', bytes }
  const text = bytes.toString('utf8')
  try {
    return { kind: 'json', value: JSON.parse(text) }
  } catch (err) {
    return { kind: 'text', text, error: (err as Error).message }
  }
}
