// A credential file that is read again once it is older than an interval (rotated service-account tokens,
// kubernetes/community#5580) or when asked to.
import { readFileSync } from 'node:fs'

export type FileReading = { value: Buffer, staleBecause?: string } | { error: string }

export interface RereadingFile {
  read (): FileReading
  /** the next read goes to the file */
  invalidate (): void
}

export function createRereadingFile (path: string, intervalMs: number, now: () => number): RereadingFile {
  let value: Buffer | undefined
  let readAt = -Infinity
  return {
    read () {
      if (value !== undefined && now() - readAt < intervalMs) return { value }
      try {
        value = readFileSync(path)
        readAt = now()
        return { value }
      } catch (err) {
        const error = `cannot read ${path}: ${(err as { code?: string }).code ?? 'error'}`
        // A file being replaced can be briefly missing; the last good content is better than nothing.
        return value !== undefined ? { value, staleBecause: error } : { error }
      }
    },
    invalidate () { readAt = -Infinity }
  }
}
