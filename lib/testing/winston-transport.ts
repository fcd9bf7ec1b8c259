// The testing entry's winston transport: it picks what an Event needs from a bound line exactly as the production
// transport does on the application's thread, and hands the line to the pipeline right there instead of to a worker.
import { createRequire } from 'node:module'
import type TransportStream from 'winston-transport'
import { describeError } from '../fields.js'
import type { Diagnostics } from '../types.js'
import { bindingOf, eventLine, levelOf, type Related } from '../winston/pick.js'

const require = createRequire(import.meta.url)

type Info = Record<string | symbol, unknown>

export interface TestTransportSetup {
  /** where the object's binding is read */
  path: readonly string[]
  /** where the related object's binding is read, if anywhere */
  relatedPath: readonly string[] | undefined
  /** the pipeline's line handler for a logger with these winston levels; asked once, at the first bound line */
  handlerFor: (winstonLevels: Record<string, number>) => (line: string) => void
  diagnostics: Diagnostics
}

/** Loaded when a test asks for a transport: a test that uses pino alone needs no winston. */
export function createTestTransport (setup: TestTransportSetup, options: TransportStream.TransportStreamOptions = {}): TransportStream {
  const Transport = require('winston-transport') as typeof TransportStream
  const { path, relatedPath, diagnostics } = setup

  class TestEventsTransport extends Transport {
    #handle: ((line: string) => void) | undefined

    override log (info: Info, callback: () => void): void {
      try {
        const binding = bindingOf(info, path)
        if (binding !== undefined) {
          // winston-transport has the logger's levels once the transport is added to a logger.
          const levels = (this as unknown as { levels?: Record<string, number> }).levels ?? {}
          this.#handle ??= setup.handlerFor(levels)
          const relatedBinding = relatedPath === undefined ? undefined : bindingOf(info, relatedPath)
          const related: Related | undefined = relatedBinding === undefined ? undefined : { path: relatedPath!, binding: relatedBinding }
          this.#handle(eventLine(info, binding, path, levelOf(info, levels), related))
        }
      } catch (err) {
        diagnostics.warn('log', `could not read a log line: ${describeError(err)}`)
      }
      callback()
    }
  }

  return new TestEventsTransport(options)
}
