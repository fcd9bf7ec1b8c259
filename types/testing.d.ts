import type { Logger, LoggerOptions } from 'pino'
import type TransportStream from 'winston-transport'
import type { K8sObjectReference, PinoK8sEventsOptions } from './index.js'

/**
 * One Event as a test reads it back: plain data, a fresh copy on every read. It is what the API server holds once
 * every occurrence is written: the same type, reason, message, action, objects and name production would write,
 * and the exact count.
 */
export interface RecordedEvent {
  /** Normal, Warning, … (on events.k8s.io/v1 only Normal and Warning: other types are sent as Warning) */
  type: string
  reason: string
  /** `message` on core/v1, `note` on events.k8s.io/v1; an aggregate's "(combined from similar events): …" */
  message: string
  action: string
  /** the object the Event is about, as stored (involvedObject / regarding): empty fields left out */
  regarding: K8sObjectReference & { apiVersion: string }
  /** the second object it names (`k8sRelated`), when the line had one */
  related?: K8sObjectReference & { apiVersion: string }
  /** occurrences counted on this Event */
  count: number
  /** the namespace the Event is stored in */
  namespace: string
  /** the Event's name, the one production would write */
  name: string
}

/**
 * The options of the transport. component, instance, objectKey, relatedKey, minLevel, eventTypes, reason, action,
 * clusterNamespace, api, cacheSize, aggregate and rateLimit act as in production (`aggregate: false` turns
 * aggregation off; `rateLimit` only ever delays writes, so the Events read here are the same with or without it).
 * The connection and delivery options are accepted and have nothing to do here.
 */
export type TestRecorderOptions = PinoK8sEventsOptions

/** What a test needs and nothing more: loggers that record, and the Events they recorded. */
export interface TestRecorder {
  /**
   * A pino logger whose lines go through selection, shaping and correlation in this thread, synchronously: an
   * Event is readable on the statement after the log call. The options are pino's own (level, customLevels,
   * messageKey, errorKey, …); pino must be installed.
   */
  logger<CustomLevels extends string = never> (options?: LoggerOptions<CustomLevels>): Logger<CustomLevels>
  /**
   * A winston transport that does the same for a winston logger: `winston.createLogger({ transports: [it] })`.
   * The options are winston-transport's own (level, format, …).
   */
  winstonTransport (options?: TransportStream.TransportStreamOptions): TransportStream
  /** every Event, in the order of its first occurrence */
  events (): RecordedEvent[]
  /**
   * The Events about one object, named as in a binding: a body, a client-node instance or a reference. Kind, name
   * and namespace decide, and apiVersion and uid when both sides have them. Throws a TypeError for something
   * that names no object.
   */
  eventsAbout (object: unknown): RecordedEvent[]
  /** forgets every Event and everything correlation remembered (dedup, aggregation): for a fresh start per test */
  clear (): void
}

/** A recorder for unit tests: client-go's FakeRecorder for pino and winston loggers. Invalid options are told on stderr, as in production. */
export function createTestRecorder (options?: TestRecorderOptions): TestRecorder
