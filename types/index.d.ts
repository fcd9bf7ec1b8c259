import type { Writable } from 'node:stream'

/**
 * Options of the pino-k8s-events transport. They cross into pino's worker thread by structured clone, so they are
 * plain data. An invalid value never stops logging: it is reported on stderr and its default is used.
 */
export interface PinoK8sEventsOptions {
  /**
   * Who reports the events: `reportingComponent`/`source.component` (the "From" column of `kubectl describe`).
   * A Kubernetes qualified name, e.g. `my-operator` or `example.com/my-operator`.
   * @default 'pino-k8s-events'
   */
  component?: string
  /**
   * Which instance reports them (`reportingInstance`/`source.host`); at most 128 bytes, longer is shortened.
   * @default process.env.POD_NAME, else os.hostname()
   */
  instance?: string
  /**
   * The key of the binding that names the object, as in `logger.child({ k8sObject: body })`. A dotted path
   * (`meta.object`) reaches into nested objects.
   * @default 'k8sObject'
   */
  objectKey?: string
  /**
   * The key of the binding that names a second object the Event is about, as client-go's
   * `Eventf(regarding, related, …)`: `log.info({ k8sRelated: pod }, 'Created pod')`. A body, a reference or a
   * client-node instance, like the object binding; it goes into the Event's `related` on both APIs and is part of
   * what makes two occurrences the same Event. A dotted path (`meta.related`) reaches into nested objects; it must
   * lie apart from `objectKey`. A bad value is reported and the Event written without it.
   * @default 'k8sRelated'
   */
  relatedKey?: string
  /**
   * Lines below this level post nothing. A level label of the logger (custom levels too) or a number.
   * @default 'info'
   */
  minLevel?: string | number
  /**
   * Level label → event type, merged over the defaults. A line takes the type of the highest mapped level at or
   * below its own. A line's own `eventType` field overrides it.
   * @default { info: 'Normal', warn: 'Warning', error: 'Error', fatal: 'Error' }
   */
  eventTypes?: Record<string, string>
  /**
   * The reason of lines that have no `reason` field (error lines use the error's type first).
   * @default 'Logging'
   */
  reason?: string
  /**
   * The action of lines that have no `action` field.
   * @default 'Log'
   */
  action?: string
  /**
   * Where events about cluster-scoped objects (Nodes, Namespaces, cluster-scoped custom resources) are stored:
   * `default` or `kube-system`, the only namespaces the API server accepts for them.
   * @default 'default'
   */
  clusterNamespace?: 'default' | 'kube-system'
  /**
   * The Events API to write to. `events.k8s.io/v1` accepts only the types Normal and Warning; other types are
   * sent as Warning.
   * @default 'v1'
   */
  api?: 'v1' | 'events.k8s.io/v1'
  /**
   * Path of the kubeconfig file (several joined by the OS path delimiter, like `KUBECONFIG`).
   * @default $KUBECONFIG, else ~/.kube/config, else the pod's service account
   */
  kubeconfig?: string
  /**
   * The kubeconfig context to use.
   * @default the kubeconfig's current-context
   */
  context?: string
  /**
   * Entries of each in-memory cache (dedup, aggregation, rate limits).
   * @default 4096
   */
  cacheSize?: number
  /**
   * Many different messages with the same type and reason about one object are combined into one event
   * "(combined from similar events): …" once `maxEvents` distinct ones arrive within `intervalSeconds`.
   * `false` turns this off; `true` is the default.
   * @default { maxEvents: 10, intervalSeconds: 600 }
   */
  aggregate?: boolean | { maxEvents?: number, intervalSeconds?: number }
  /**
   * Requests per (component, object, type): a token bucket of `burst` tokens refilled at `qps` per second.
   * Occurrences held back are counted into the next request. `false` turns this off; `true` is the default.
   * @default { burst: 25, qps: 1 / 300 }
   */
  rateLimit?: boolean | { burst?: number, qps?: number }
  /**
   * Requests per second to the API server, across the process.
   * @default 20
   */
  qps?: number
  /**
   * Burst of requests to the API server, across the process.
   * @default 100
   */
  burst?: number
  /**
   * Events waiting to be written, at most; more are dropped and counted.
   * @default 1000
   */
  queueSize?: number
  /**
   * How long `logger.flush()` and the shutdown may take to write pending events, in milliseconds. pino waits at
   * most 10 s for a transport at exit; the default leaves 2 s of that for reading the last lines and closing.
   * While flushing, up to 32 requests (or `concurrency`, if higher) are out at once and the rate limits are set aside.
   * @default 8000
   */
  flushTimeout?: number
  /**
   * Attempts per event before it is given up.
   * @default 12
   */
  maxAttempts?: number
  /**
   * An event is not retried after it is this old, in milliseconds.
   * @default 300000
   */
  maxRetryAge?: number
  /**
   * Timeout of one request to the API server, in milliseconds.
   * @default 10000
   */
  requestTimeout?: number
  /**
   * Requests in flight at once, at most (while flushing: at least 32).
   * @default 8
   */
  concurrency?: number
}

/** Counters of the transport, reported to the application and in the shutdown summary. */
export interface K8sEventsStats {
  /** lines the transport read */
  linesRead: number
  /** lines that named an object at or above minLevel */
  linesSelected: number
  /** event occurrences, after splitting lists of objects */
  eventsObserved: number
  /** Events created */
  posted: number
  /** Events updated (count, series) */
  patched: number
  /** requests tried again */
  retried: number
  /**
   * occurrences not written, by cause: queue-full, forbidden, invalid, not-found, conflict, namespace-terminating,
   * retries-exhausted, unauthorized, no-connection, evicted, closed, unconfirmed; and from the winston transport
   * worker-behind (lines dropped on the application's thread while its worker thread was behind or stopped)
   */
  dropped: Record<string, number>
  /** lines naming the binding key that were not JSON objects */
  invalidLines: number
  /** lines whose binding named no valid object */
  invalidBindings: number
}

/**
 * A drop notice (`'k8sEventDropped'` on the pino transport stream and on the winston transport), sampled:
 * `droppedSincePrevious` counts every occurrence dropped since the previous notice.
 */
export interface K8sEventDropped {
  /**
   * a cause of K8sEventsStats.dropped; `worker-behind` (winston only): dropped on the application's thread, the
   * worker thread was behind or stopped
   */
  cause: string
  count: number
  droppedSincePrevious: number
  /** the API server's HTTP status, when it answered */
  status?: number
  message: string
  event?: { namespace: string, type: string, reason: string, object: string }
}

/** The object reference the serializer leaves of a body. */
export interface K8sObjectReference {
  apiVersion?: string
  kind: string
  name: string
  namespace?: string
  uid?: string
  fieldPath?: string
}

/**
 * The transport factory pino calls in its worker thread (`transport: { target: 'pino-k8s-events', options }`).
 * Never rejects: trouble is reported on stderr.
 */
export default function pinoK8sEvents (options?: PinoK8sEventsOptions): Promise<Writable>

/**
 * A pino serializer that trims an object body (or a list of them) to its reference
 * `{ apiVersion, kind, name, namespace?, uid?, fieldPath? }`, so lines stay small. Anything else passes through.
 * Never throws.
 */
export function k8sObjectSerializer (value: unknown): unknown

/** `pino({ serializers })` with the default binding keys. */
export const serializers: { k8sObject: typeof k8sObjectSerializer, k8sRelated: typeof k8sObjectSerializer }

/**
 * What is wrong with these options, one sentence each ([] when nothing is). For the application's main thread,
 * before the transport starts. Include `levels` (the logger's customLevels) when minLevel or eventTypes name
 * custom levels.
 */
export function checkOptions (options: unknown): string[]
