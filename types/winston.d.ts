import TransportStream from 'winston-transport'
import type { K8sEventDropped, K8sEventsStats, PinoK8sEventsOptions } from './index.js'

export type { K8sEventDropped, K8sEventsStats } from './index.js'

/**
 * Options of the winston transport: winston-transport's own (`level`, `format`, `silent`, …) and those of the pino
 * transport. `minLevel` and the keys of `eventTypes` name the logger's winston levels; a number for `minLevel` is a
 * winston level number (0 is the most severe).
 */
export interface K8sEventsTransportOptions extends TransportStream.TransportStreamOptions, Omit<PinoK8sEventsOptions, 'eventTypes'> {
  /**
   * Level label → event type, merged over the defaults for the labels the logger has. A line takes the type of the
   * most severe mapped level at or below its own severity. A line's own `eventType` field overrides it.
   * @default { fatal, critical, panic, dpanic, emerg, alert, crit, error: 'Error', warn, warning: 'Warning', notice, info: 'Normal' }
   */
  eventTypes?: Record<string, string>
}

/**
 * A winston transport that turns lines bound to a Kubernetes object into Events. Lines are picked on the
 * application's thread and handed to a worker thread; it never throws and never emits 'error'.
 * Events: `k8sEventsStats` (at most once a second, and at close), `k8sEventDropped`.
 */
export class K8sEventsTransport extends TransportStream {
  constructor (options?: K8sEventsTransportOptions)
  /**
   * Resolves when the events logged so far are delivered, or flushTimeout passed (a worker thread that does not
   * answer at all: flushTimeout + 10 s). Never rejects.
   */
  flush (): Promise<void>
  /**
   * Delivers pending events within flushTimeout and ends the worker thread (a worker thread that does not answer at
   * all is stopped after flushTimeout + 12 s). Never rejects.
   */
  close (): Promise<void>
  on (event: 'k8sEventsStats', listener: (stats: K8sEventsStats) => void): this
  on (event: 'k8sEventDropped', listener: (drop: K8sEventDropped) => void): this
  on (event: string | symbol, listener: (...args: any[]) => void): this
}

export default K8sEventsTransport
