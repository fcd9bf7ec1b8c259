// A pino logger as an application makes one, with the destination a case compares: this transport, a worker
// that discards lines, a worker that loads @kubernetes/client-node, or pino's own file destination on /dev/null.
import { once } from 'node:events'
import { pino, type Logger } from 'pino'
import type { Stats } from '../lib/types.js'
import { benchFile, TRANSPORT_TARGET } from './harness.js'

export type Destination = 'transport' | 'discarding-worker' | 'client-node-worker' | 'dev-null'

export const DESTINATIONS: Record<Destination, string> = {
  transport: 'pino-k8s-events',
  'discarding-worker': 'discarding worker',
  'client-node-worker': 'worker with @kubernetes/client-node',
  'dev-null': 'pino to /dev/null'
}

type ThreadStream = ReturnType<typeof pino.transport> & {
  ref: () => void
  flush: (cb: (err?: Error | null) => void) => void
  write: (chunk: string) => boolean
  readonly writableNeedDrain: boolean
}

export interface BenchLogger {
  logger: Logger
  /** the worker's stream, for the destinations that have a worker */
  stream?: ThreadStream
  /** the latest k8sEventsStats the worker reported */
  stats (): Stats | undefined
  /** 'error' events of the stream: any is a defect */
  errors: unknown[]
  /** ms from asking for the logger until its destination was ready */
  readyMs: number
  flush (): Promise<void>
  close (): Promise<void>
}

export async function startBenchLogger (destination: Destination, options: Record<string, unknown> = {}): Promise<BenchLogger> {
  const started = performance.now()
  if (destination === 'dev-null') {
    // pino writing the file itself, no worker: one synchronous write per line.
    const sink = pino.destination({ dest: '/dev/null', sync: true })
    const logger = pino({ level: 'info' }, sink)
    return {
      logger,
      stats: () => undefined,
      errors: [],
      readyMs: performance.now() - started,
      flush: async () => await new Promise<void>((resolve, reject) => logger.flush(err => err != null ? reject(err) : resolve())),
      close: async () => { sink.end() }
    }
  }
  const target = destination === 'transport'
    ? TRANSPORT_TARGET
    : benchFile(destination === 'discarding-worker' ? 'transports/discard.js' : 'transports/client-node.js')
  const stream = pino.transport({ target, options }) as ThreadStream
  const errors: unknown[] = []
  let latest: Stats | undefined
  stream.on('error', (err: unknown) => errors.push(err))
  stream.on('k8sEventsStats', (stats: Stats) => { latest = stats })
  // The logger first: the transport's worker waits for the levels pino sends when a logger is made on the stream.
  const logger = pino({ level: 'info' }, stream)
  await once(stream, 'ready')
  const readyMs = performance.now() - started
  let closed = false
  return {
    logger,
    stream,
    stats: () => latest,
    errors,
    readyMs,
    flush: async () => await new Promise<void>((resolve, reject) => logger.flush(err => err != null ? reject(err) : resolve())),
    close: async () => {
      if (closed) return
      closed = true
      stream.ref()
      const done = once(stream, 'close')
      stream.end()
      await done
    }
  }
}
