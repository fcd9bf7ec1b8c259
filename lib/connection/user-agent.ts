import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const PACKAGE_NAME = 'pino-k8s-events'

// The module runs from lib/ in tests and from dist/lib/ when installed, so the package root is found by walking up.
/** this package's version from its package.json, 'unknown' when it cannot be read */
export function packageVersion (): string {
  try {
    let dir = dirname(fileURLToPath(import.meta.url))
    for (let depth = 0; depth < 5; depth++) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string, version?: string }
        if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') return pkg.version
      } catch {}
      const parent = dirname(dir)
      if (parent === dir) break
      dir = parent
    }
  } catch {}
  return 'unknown'
}

let cached: string | undefined
export function userAgent (): string {
  cached ??= `${PACKAGE_NAME}/${packageVersion()}`
  return cached
}
