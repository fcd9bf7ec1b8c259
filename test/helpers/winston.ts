// Runs the compiled winston transport the way applications do: a real winston logger in this process, the
// transport's worker thread on dist/, or a whole application in a process of its own.
import { once } from 'node:events'
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import winston from 'winston'
import type { Logger, LoggerOptions } from 'winston'
import type { AppRun } from './transport.js'

const require = createRequire(import.meta.url)
/** The package's winston entry (dist/lib/winston/index.js), found through the exports map as an application finds it. */
export const WINSTON_ENTRY = require.resolve('pino-k8s-events/winston')
export const WINSTON_APP = fileURLToPath(new URL('../fixtures/winston-app.mjs', import.meta.url)).replace('/dist/test/', '/test/')

export interface K8sEventsTransportLike extends NodeJS.EventEmitter {
  flush (): Promise<void>
  close (): Promise<void>
}

export interface RunningWinston {
  logger: Logger
  transport: K8sEventsTransportLike
  /** 'error' events on the logger (winston re-emits a transport's): any entry is a defect */
  errors: unknown[]
  /** payloads of k8sEventsStats and k8sEventDropped on the transport */
  emitted: Record<string, any[]>
  /** the latest k8sEventsStats */
  stats (): any
  flush (): Promise<void>
  /** logger.end(), resolved on the logger's 'finish' */
  end (): Promise<void>
}

export async function startWinston (options: Record<string, unknown>, setup: Omit<LoggerOptions, 'transports'> & { others?: any[] } = {}): Promise<RunningWinston> {
  const { K8sEventsTransport } = await import(WINSTON_ENTRY) as { K8sEventsTransport: new (options: Record<string, unknown>) => K8sEventsTransportLike }
  const transport = new K8sEventsTransport(options)
  const { others = [], ...loggerOptions } = setup
  const logger = winston.createLogger({ level: 'silly', ...loggerOptions, transports: [...others, transport as any] })
  const errors: unknown[] = []
  logger.on('error', err => errors.push(err))
  const emitted: Record<string, any[]> = { k8sEventsStats: [], k8sEventDropped: [] }
  for (const name of Object.keys(emitted)) transport.on(name, (payload: unknown) => emitted[name].push(payload))
  let ended: Promise<void> | undefined
  return {
    logger,
    transport,
    errors,
    emitted,
    stats: () => emitted.k8sEventsStats[emitted.k8sEventsStats.length - 1],
    flush: async () => await transport.flush(),
    end: async () => {
      ended ??= (async () => {
        const finished = once(logger, 'finish')
        logger.end()
        await finished
      })()
      await ended
    }
  }
}

/**
 * Runs test/fixtures/winston-app.mjs in its own process: `script` is the body of an async function that receives
 * `logger`, `winston` and `transport`, so a test can end the process the way an application would.
 */
export async function runWinstonApp (scenario: {
  options: Record<string, unknown>
  script: string
  format?: 'json' | 'colorize'
  env?: NodeJS.ProcessEnv
}): Promise<AppRun> {
  const started = Date.now()
  const child = spawn(process.execPath, [WINSTON_APP], {
    env: { ...process.env, ...scenario.env, WINSTON_APP_SCENARIO: JSON.stringify({ entry: WINSTON_ENTRY, ...scenario }) },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const [code, signal] = await once(child, 'close') as [number | null, NodeJS.Signals | null]
  return { code, signal, stdout, stderr, ms: Date.now() - started }
}
