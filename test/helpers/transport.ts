// Runs the compiled transport the way applications do: pino.transport() in a real worker thread.
import { once } from 'node:events'
import { createRequire } from 'node:module'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { pino, type Logger, type LoggerOptions } from 'pino'

const require = createRequire(import.meta.url)
/** The package's own entry (dist/lib/index.js), found the way pino finds `target: 'pino-k8s-events'`. */
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
} = {}): Promise<RunningLogger> {
  const ours = { target: TRANSPORT_TARGET, options, ...(setup.level !== undefined ? { level: setup.level } : {}) }
  const transport = setup.otherTargets !== undefined
    ? pino.transport({ targets: [...setup.otherTargets, ours], levels: (setup.pinoOptions as any)?.customLevels })
    : pino.transport(ours)
  const errors: unknown[] = []
  const emitted: Record<string, unknown[]> = {}
  transport.on('error', (err: unknown) => errors.push(err))
  for (const name of ['k8sEventsStats', 'k8sEventDropped']) {
    emitted[name] = []
    transport.on(name, (payload: unknown) => emitted[name].push(payload))
  }
  const logger = pino({ level: 'trace', ...setup.pinoOptions }, transport)
  await once(transport, 'ready')
  let closed = false
  return {
    logger,
    transport,
    errors,
    emitted,
    flush: async () => await new Promise<void>((resolve, reject) => logger.flush(err => err != null ? reject(err) : resolve())),
    close: async () => {
      if (closed) return
      closed = true
      // thread-stream's end() blocks this thread until the worker has closed, and the local API server answers
      // from this thread: deliver first. Delivery by close() itself is tested with runApp, in a process of its own.
      await new Promise<void>(resolve => logger.flush(() => resolve()))
      ;(transport as unknown as { ref: () => void }).ref()
      const done = once(transport, 'close')
      transport.end()
      await done
    }
  }
}

export interface AppRun { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string, ms: number }

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
  /** SIGTERM this long after the script printed 'logged' */
  signalAfterMs?: number
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
  if (scenario.signalAfterMs !== undefined) {
    const onReady = (chunk: string): void => {
      if (!chunk.includes('logged')) return
      child.stdout.off('data', onReady)
      setTimeout(() => child.kill('SIGTERM'), scenario.signalAfterMs)
    }
    child.stdout.on('data', onReady)
  }
  const [code, signal] = await once(child, 'exit') as [number | null, NodeJS.Signals | null]
  return { code, signal, stdout, stderr, ms: Date.now() - started }
}
