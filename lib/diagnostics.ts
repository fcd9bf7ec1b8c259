import { createRequire } from 'node:module'
import { parentPort } from 'node:worker_threads'
import type { Diagnostics } from './types.js'
import { systemClock } from './clock.js'

const DEFAULT_EVERY_MS = 60_000
const MAX_KEYS = 1000
const MAX_LINE = 2000

// A worker's console output is lost at exit; a synchronous write to fd 2 is not.
// Loaded on the first line to tell, not at start-up: most transports never have anything to say.
type SonicBoom = InstanceType<typeof import('sonic-boom').SonicBoom>
let stderr: SonicBoom | undefined
function writeLine (line: string): void {
  try {
    if (stderr === undefined) {
      const { SonicBoom } = createRequire(import.meta.url)('sonic-boom') as typeof import('sonic-boom')
      stderr = new SonicBoom({ fd: 2, sync: true })
    }
    stderr.write(line + '\n')
  } catch {}
}

const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[redacted key]'],
  // an Authorization value with its scheme (Bearer, Basic, ...)
  [/(authorization"?\s*[:=]\s*"?)(?:[A-Za-z]+\s+)?[^\s"',}]+/gi, '$1[redacted]'],
  [/\b(bearer|basic)(\s+)[^\s"',]+/gi, '$1$2[redacted]'],
  [/("?(?:token|password|client-key-data|client-key)"?\s*[:=]\s*"?)[^\s"',}]+/gi, '$1[redacted]'],
  // JSON Web Tokens, wherever they stand (service-account tokens are JWTs)
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, '[redacted token]'],
  // user:password@ in URLs
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@"']+@/gi, '$1[redacted]@']
]

export function redact (text: string): string {
  let out = text
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement)
  return out
}

interface KeyState { last: number, suppressed: number }

export function createDiagnostics (name = 'pino-k8s-events', write: (line: string) => void = writeLine): Diagnostics {
  const seen = new Map<string, KeyState>()
  return {
    warn (key, message, everyMs = DEFAULT_EVERY_MS) {
      try {
        // Monotonic: a wall clock stepping back would silence a key for as long.
        const now = systemClock.monotonic()
        const state = seen.get(key)
        if (state !== undefined && now - state.last < everyMs) {
          state.suppressed++
          return
        }
        const more = state !== undefined && state.suppressed > 0 ? ` (${state.suppressed} more like this since the last report)` : ''
        if (seen.size >= MAX_KEYS && state === undefined) seen.delete(seen.keys().next().value as string)
        seen.set(key, { last: now, suppressed: 0 })
        let line = `${name}: ${redact(message)}${more}`
        if (line.length > MAX_LINE) line = line.slice(0, MAX_LINE) + '...'
        write(line)
      } catch {}
    },
    emit (eventName, payload) {
      try {
        parentPort?.postMessage({ code: 'EVENT', name: eventName, args: [payload] })
      } catch {}
    }
  }
}
