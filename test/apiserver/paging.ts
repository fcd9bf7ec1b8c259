// Continue tokens for paged lists, shaped like the real server's (base64 JSON naming where to resume).

interface ContinueKey { v: string, rv: number, start: string }

export function encodeContinue (resourceVersion: string, lastKey: string): string {
  const key: ContinueKey = { v: 'meta.k8s.io/v1', rv: Number(resourceVersion), start: `${lastKey}\u0000` }
  return Buffer.from(JSON.stringify(key)).toString('base64url')
}

/** The key after which the next page starts, or why the token is refused. */
export function decodeContinue (token: string): { startAfter: string } | { error: string } {
  try {
    const key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<ContinueKey>
    if (key.v !== 'meta.k8s.io/v1' || typeof key.start !== 'string' || !key.start.endsWith('\u0000')) throw new Error('unexpected shape')
    return { startAfter: key.start.slice(0, -1) }
  } catch {
    return { error: 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)' }
  }
}
