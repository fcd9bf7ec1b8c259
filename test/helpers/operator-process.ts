// The example operator (compiled: dist/examples/operator.js) as its own process, with its JSON log lines
// collected so that a test can wait for what it logged.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** This file runs from test/helpers (tap) or dist/test/helpers; the operator always from dist/. */
const twoUp = fileURLToPath(new URL('../../', import.meta.url))
const ROOT = twoUp.endsWith('/dist/') ? twoUp.slice(0, -'dist/'.length) : twoUp
export const OPERATOR_SCRIPT = join(ROOT, 'dist', 'examples', 'operator.js')

export interface OperatorProcess {
  /** every JSON line it printed so far */
  readonly lines: any[]
  readonly stderr: () => string
  /** resolves once a line satisfies `test`; rejects when the process ends first or after `ms` */
  line (test: (line: any) => boolean, ms?: number): Promise<any>
  kill (signal: NodeJS.Signals): void
  readonly exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

const running = new Set<() => void>()
process.once('exit', () => { for (const kill of running) kill() })

export function startOperator (kubeconfig: string, namespace: string): OperatorProcess {
  const child = spawn(process.execPath, [OPERATOR_SCRIPT, '--kubeconfig', kubeconfig, '--namespace', namespace], { stdio: ['ignore', 'pipe', 'pipe'] })
  const kill = (): void => { child.kill('SIGKILL') }
  running.add(kill)
  const lines: any[] = []
  const waiters = new Set<() => void>()
  let stderr = ''
  let rest = ''
  let ended = false
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    rest += chunk
    let newline
    while ((newline = rest.indexOf('\n')) !== -1) {
      const text = rest.slice(0, newline)
      rest = rest.slice(newline + 1)
      try { lines.push(JSON.parse(text)) } catch { stderr += `(stdout) ${text}\n` }
    }
    for (const waiter of [...waiters]) waiter()
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exited = once(child, 'close').then(([code, signal]) => {
    ended = true
    running.delete(kill)
    for (const waiter of [...waiters]) waiter()
    return { code, signal } as { code: number | null, signal: NodeJS.Signals | null }
  })
  return {
    lines,
    stderr: () => stderr,
    async line (test, ms = 60_000) {
      return await new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error('timed out')), ms)
        const check = (): void => {
          const found = lines.find(test)
          if (found !== undefined) finish(undefined, found)
          else if (ended) finish(new Error('the operator ended'))
        }
        const finish = (err?: Error, found?: unknown): void => {
          clearTimeout(timer)
          waiters.delete(check)
          if (err === undefined) resolve(found)
          else reject(new Error(`${err.message} before the line was logged; stderr: ${stderr.slice(0, 2000)}; lines: ${JSON.stringify(lines.map(l => l.msg))}`))
        }
        waiters.add(check)
        check()
      })
    },
    kill (signal) { if (!ended) child.kill(signal) },
    exited
  }
}
