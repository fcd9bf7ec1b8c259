// Runs the compiled transport the way applications do: pino.transport() in a real worker thread.
import { once } from 'node:events'
import { createRequire } from 'node:module'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { pino, type Logger, type LoggerOptions } from 'pino'

const require = createRequire(import.meta.url)
/** The package's own entry (dist/lib/pino/index.js), found the way pino finds `target: 'pino-k8s-events'`. */
export const TRANSPORT_TARGET = require.resolve('pino-k8s-events')
export const LOG_APP = fileURLToPath(new URL('../fixtures/log-app.mjs', import.meta.url)).replace('/dist/test/', '/test/')

export interface RunningLogger {
  logger: Logger<any>
  transport: ReturnType<typeof pino.transport>
  /** 'error' events of the transport stream: any entry is a defect */
  errors: unknown[]
  /** payloads of the events the worker sent to the application, by name */
  emitted: Record<string, unknown[]>
  flush (): Promise<void>
  close (): Promise<void>
}

export async function startLogger (options: Record<string, unknown>, setup: {
  pinoOptions?: LoggerOptions<any>
  /** extra targets beside ours; ours gets `level` */
  otherTargets?: Array<{ target: string, options?: Record<string, unknown>, level?: string }>
  level?: string
  /** options of the worker thread, e.g. its execArgv */
  worker?: { execArgv?: string[] }
} = {}): Promise<RunningLogger> {
  const ours = { target: TRANSPORT_TARGET, options, ...(setup.level !== undefined ? { level: setup.level } : {}) }
  const worker = setup.worker !== undefined ? { worker: setup.worker } : {}
  const transport = setup.otherTargets !== undefined
    ? pino.transport({ targets: [...setup.otherTargets, ours], levels: (setup.pinoOptions as any)?.customLevels, ...worker })
    : pino.transport({ ...ours, ...worker })
  const errors: unknown[] = []
  const emitted: Record<string, unknown[]> = {}
  transport.on('error', (err: unknown) => errors.push(err))
  for (const name of ['k8sEventsStats', 'k8sEventDropped']) {
    emitted[name] = []
    transport.on(name, (payload: unknown) => emitted[name].push(payload))
  }
  const logger = pino({ level: 'trace', ...setup.pinoOptions }, transport)
  await withDeadline(once(transport, 'ready'), `the transport's 'ready'`, () => errors)
  const stream = transport as unknown as { ref: () => void, readonly closed: boolean, readonly destroyed: boolean }
  const workerGone = (when: string): Error =>
    new Error(`the transport's worker ended before ${when}; its errors: ${describeErrors(errors)}`)
  const flush = async (): Promise<void> => {
    if (stream.destroyed) throw workerGone('logger.flush()')
    await withDeadline(new Promise<void>((resolve, reject) => logger.flush(err => err != null ? reject(workerGone(`logger.flush() called back (${String(err)})`)) : resolve())),
      'logger.flush() calling back', () => errors)
  }
  let closed = false
  return {
    logger,
    transport,
    errors,
    emitted,
    flush,
    close: async () => {
      if (closed) return
      closed = true
      // thread-stream's end() blocks this thread until the worker has closed, and the local API server answers
      // from this thread: deliver first. Delivery by close() itself is tested with runApp, in a process of its own.
      await flush()
      // A worker that has already gone has emitted 'close' already: waiting for it would wait forever.
      if (stream.closed || stream.destroyed) throw workerGone('close()')
      stream.ref()
      const done = once(transport, 'close')
      transport.end()
      await withDeadline(done, `the transport's 'close' after end()`, () => errors)
    }
  }
}

/**
 * Longer than anything a healthy run waits for (pino's own exit wait is 10 s), far shorter than tap's timeout: a
 * test that would hang fails with what it was waiting for.
 */
const STEP_DEADLINE_MS = 60_000

function describeErrors (errors: unknown[]): string {
  return errors.length === 0 ? 'none' : errors.map(err => String((err as Error)?.message ?? err)).join('; ')
}

/** Resolves as `promise` does, or rejects after STEP_DEADLINE_MS naming what never happened. */
export async function withDeadline<T> (promise: Promise<T>, what: string, errors: () => unknown[] = () => []): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${STEP_DEADLINE_MS / 1000} s; the transport's errors: ${describeErrors(errors())}`)), STEP_DEADLINE_MS)
  })
  try {
    return await Promise.race([promise, deadline])
  } finally {
    clearTimeout(timer)
  }
}

export interface AppRun { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string, ms: number }

/** An application process is killed after this, failing its test with what it printed, short of tap's timeout. */
export const APP_DEADLINE_MS = 150_000

/**
 * Runs test/fixtures/log-app.mjs in its own process: `script` is the body of an async function that receives
 * `logger`, `pino` and `transport`, so a test can end the process the way an application would.
 */
export async function runApp (scenario: {
  options: Record<string, unknown>
  script: string
  env?: NodeJS.ProcessEnv
  level?: string
  otherTargets?: Array<{ target: string, options?: Record<string, unknown>, level?: string }>
  /** SIGTERM once the script has printed 'logged' and this holds (checked every 10 ms) */
  signalWhen?: () => boolean
}): Promise<AppRun> {
  const started = Date.now()
  const child = spawn(process.execPath, [LOG_APP], {
    env: { ...process.env, ...scenario.env, LOG_APP_SCENARIO: JSON.stringify({ target: TRANSPORT_TARGET, ...scenario }) },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  let poll: NodeJS.Timeout | undefined
  const { signalWhen } = scenario
  if (signalWhen !== undefined) {
    const onReady = (chunk: string): void => {
      if (!chunk.includes('logged')) return
      child.stdout.off('data', onReady)
      poll = setInterval(() => {
        if (!signalWhen()) return
        clearInterval(poll)
        child.kill('SIGTERM')
      }, 10)
    }
    child.stdout.on('data', onReady)
  }
  let overdue = false
  const deadline = setTimeout(() => {
    overdue = true
    child.kill('SIGKILL')
  }, APP_DEADLINE_MS)
  const [code, signal] = await once(child, 'exit') as [number | null, NodeJS.Signals | null]
  clearInterval(poll)
  clearTimeout(deadline)
  if (overdue) throw new Error(`the application did not exit within ${APP_DEADLINE_MS / 1000} s and was killed; stderr: ${stderr.slice(-2000)}`)
  return { code, signal, stdout, stderr, ms: Date.now() - started }
}
