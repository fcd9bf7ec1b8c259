// The baseline transport: pino's worker thread and pino-abstract-transport's line splitting, and nothing else.
import build from 'pino-abstract-transport'
import type { Transform } from 'node:stream'

const keepLine = (line: string): string => line

export default async function discardLines (): Promise<Transform> {
  return build(source => { source.on('data', () => {}) }, { parse: 'lines', parseLine: keepLine, metadata: false })
}
