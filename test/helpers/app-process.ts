// An application process that logs through the transport and that a test can talk to while it runs: it reads
// commands from stdin and reports on stdout, so a test can change the API server between two steps of the
// application and still see how the process ends (exit code, signal, stderr).
import { once } from 'node:events'
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { APP_DEADLINE_MS, LOG_APP, TRANSPORT_TARGET, type AppRun } from './transport.js'

/**
 * Script prelude: `command()` resolves with the next line the test sends, `report(name, value)` prints one
 * JSON line the test can wait for, `stats` is the latest k8sEventsStats, `drops` the k8sEventDropped payloads,
 * `flushed()` resolves when logger.flush() called back, `settledStats()` flushes and gives stats that include
 * everything done before it was called. No 'error' listener: an 'error' from the transport ends the process with code 1, as it
 * would end an application.
 */
const APP_PRELUDE = `
  const commands = []
  const commandWaiters = []
  let stdinRest = ''
  process.stdin.setEncoding('utf8').on('data', chunk => {
    stdinRest += chunk
    let end
    while ((end = stdinRest.indexOf('\\n')) !== -1) {
      const line = stdinRest.slice(0, end)
      stdinRest = stdinRest.slice(end + 1)
      const waiter = commandWaiters.shift()
      if (waiter !== undefined) waiter(line)
      else commands.push(line)
    }
  })
  const command = () => commands.length > 0 ? Promise.resolve(commands.shift()) : new Promise(resolve => commandWaiters.push(resolve))
  const report = (name, value) => process.stdout.write(JSON.stringify({ report: name, value }) + '\\n')
  let stats
  const drops = []
  const statsWaiters = []
  transport.on('k8sEventsStats', s => {
    stats = s
    for (const waiter of [...statsWaiters]) waiter()
  })
  transport.on('k8sEventDropped', d => drops.push(d))
  const statsWhere = (test, ms = 30000) => new Promise(resolve => {
    if (stats !== undefined && test(stats)) return resolve(true)
    const timer = setTimeout(() => done(false), ms)
    const waiter = () => { if (test(stats)) done(true) }
    const done = ok => {
      clearTimeout(timer)
      const i = statsWaiters.indexOf(waiter)
      if (i !== -1) statsWaiters.splice(i, 1)
      resolve(ok)
    }
    statsWaiters.push(waiter)
  })
  const flushed = () => new Promise(resolve => logger.flush(resolve))
  // The worker sends its stats before it answers a flush (when they changed since the last ones it sent): after
  // flushed(), they include everything done before.
  const settledStats = async () => {
    await flushed()
    return stats
  }
`

export interface AppProcess {
  /** one line to the script's `command()` */
  send (line: string): void
  /** the value of the first `report(name, value)` the script printed, waiting for it at most `ms` */
  report (name: string, ms?: number): Promise<any>
  kill (signal: NodeJS.Signals): void
  /** what the process printed on stderr so far */
  readonly stderr: string
  /** resolves when the process has ended */
  readonly ended: Promise<AppRun>
}

// A test that fails half-way must not leave its application waiting for a command.
const running = new Set<{ kill: () => void }>()
process.once('exit', () => { for (const app of running) app.kill() })

export function startApp (scenario: { options: Record<string, unknown>, script: string, env?: NodeJS.ProcessEnv }): AppProcess {
  const started = Date.now()
  const child = spawn(process.execPath, [LOG_APP], {
    env: {
      ...process.env,
      ...scenario.env,
      LOG_APP_SCENARIO: JSON.stringify({ target: TRANSPORT_TARGET, options: scenario.options, script: APP_PRELUDE + scenario.script })
    },
    stdio: ['pipe', 'pipe', 'pipe']
  }) as ChildProcessByStdio<Writable, Readable, Readable>
  let stdout = ''
  let unreadStdout = ''
  let stderr = ''
  const reports = new Map<string, unknown>()
  const reportWaiters = new Set<() => void>()
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    unreadStdout += chunk
    let end
    while ((end = unreadStdout.indexOf('\n')) !== -1) {
      const line = unreadStdout.slice(0, end)
      unreadStdout = unreadStdout.slice(end + 1)
      try {
        const parsed = JSON.parse(line) as { report?: string, value?: unknown }
        if (typeof parsed.report === 'string' && !reports.has(parsed.report)) reports.set(parsed.report, parsed.value)
      } catch {}
    }
    for (const waiter of [...reportWaiters]) waiter()
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  // Writing a command to a process that has just ended must not fail the test.
  child.stdin.on('error', () => {})
  let exited = false
  const handle = { kill: () => { child.kill('SIGKILL') } }
  running.add(handle)
  // An application that never ends fails its test with what it printed, long before tap's timeout.
  let overdue = false
  const deadline = setTimeout(() => {
    overdue = true
    child.kill('SIGKILL')
  }, APP_DEADLINE_MS)
  // 'close', not 'exit': by then everything the process printed has been read.
  const ended = once(child, 'close').then(([code, signal]) => {
    clearTimeout(deadline)
    exited = true
    running.delete(handle)
    for (const waiter of [...reportWaiters]) waiter()
    if (overdue) throw new Error(`the application did not end within ${APP_DEADLINE_MS / 1000} s and was killed; stderr: ${stderr.slice(-2000)}`)
    return { code, signal, stdout, stderr, ms: Date.now() - started } as AppRun
  })
  // A test that fails before awaiting `ended` must not leave an unhandled rejection behind.
  ended.catch(() => {})

  return {
    send (line) {
      if (!exited) child.stdin.write(line + '\n')
    },
    async report (name, ms = 30_000) {
      if (reports.has(name)) return reports.get(name)
      return await new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(), ms)
        const waiter = (): void => { if (reports.has(name) || exited) finish() }
        const finish = (): void => {
          clearTimeout(timer)
          reportWaiters.delete(waiter)
          if (reports.has(name)) resolve(reports.get(name))
          else reject(new Error(`the application did not report '${name}' (${exited ? 'it ended' : 'timed out'}); stderr: ${stderr.slice(0, 2000)}`))
        }
        reportWaiters.add(waiter)
      })
    },
    kill (signal) {
      if (!exited) child.kill(signal)
    },
    get stderr () { return stderr },
    ended
  }
}

export { waitFor } from './wait.js'

/** The lines the transport printed on stderr, without the prefix. */
export function diagnosticLines (stderr: string): string[] {
  return stderr.split('\n').filter(line => line.startsWith('pino-k8s-events: ')).map(line => line.slice('pino-k8s-events: '.length))
}
