// The shapes that travel between the stages: select → shape → correlate → deliver.

/** A reference to a Kubernetes object, as it goes into involvedObject / regarding. */
export interface ObjectReference {
  apiVersion: string
  kind: string
  name: string
  /** '' for a cluster-scoped object */
  namespace: string
  uid?: string
  fieldPath?: string
}

/** An error as pino's err serializer writes it. */
export interface SerializedError {
  type?: string
  message?: string
  stack?: string
  aggregateErrors?: SerializedError[]
  cause?: unknown
  [key: string]: unknown
}

/** A log line that carries an object binding at or above the minimum level. */
export interface SelectedLine {
  level: number
  /** epoch milliseconds of the line (its `time`, else the moment it was read) */
  time: number
  /** the messageKey value, '' when absent */
  message: string
  /** the errorKey value, when it is an object or non-blank text (a traceback, a stack trace, a one-line error) */
  err?: SerializedError | string
  /** the whole parsed line: reason, eventType and action are read from here */
  fields: Record<string, unknown>
  /** the raw binding value, not yet checked */
  binding: unknown
}

/** One Event occurrence, fully decided: what it says and what it is about. */
export interface EventShape {
  type: string
  reason: string
  message: string
  action: string
  /** the object the event is about; namespace '' for cluster-scoped objects */
  regarding: ObjectReference
  /** a second object the event names (the Pod a ReplicaSet created), from the related binding */
  related?: ObjectReference
  /** the namespace the Event is stored in */
  namespace: string
  /** epoch milliseconds of the occurrence */
  time: number
}

/** Who reports the events. */
export interface Source {
  component: string
  instance: string
}

export type EventsApi = 'v1' | 'events.k8s.io/v1'

/** Validated configuration, with every default filled in. */
export interface Config {
  component: string
  instance: string
  /** the binding's key on the line; a dotted path in the CLI */
  objectKey: string
  /** the key (or dotted path) of the binding that names the related object */
  relatedKey: string
  /** minimum level, as a pino label or number; resolved against the logger's levels */
  minLevel: string | number
  /** level label (or number as a string) → event type; a line takes the type of the highest entry at or below its level */
  eventTypes: Record<string, string>
  defaultReason: string
  defaultAction: string
  /** where events about cluster-scoped objects are stored */
  clusterNamespace: string
  api: EventsApi
  kubeconfig?: string
  context?: string
  correlation: {
    cacheSize: number
    aggregate: false | { maxEvents: number, intervalSeconds: number }
    rateLimit: false | { burst: number, qps: number }
  }
  delivery: {
    /** global requests per second across the process */
    qps: number
    burst: number
    /** pending events waiting to be written, at most */
    queueSize: number
    /** how long close() and flush() may take, in ms */
    flushTimeoutMs: number
    maxAttempts: number
    /** give up retrying an event after this long, in ms */
    maxRetryAgeMs: number
    requestTimeoutMs: number
    /** requests in flight at once, at most */
    concurrency: number
  }
}

/** Counters reported to the application and in the shutdown summary. */
export interface Stats {
  linesRead: number
  linesSelected: number
  eventsObserved: number
  posted: number
  patched: number
  retried: number
  dropped: Record<string, number>
  invalidLines: number
  invalidBindings: number
}

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'

export interface ApiRequest {
  method: HttpMethod
  /** path and query, e.g. /api/v1/namespaces/lab/events */
  path: string
  /** serialized as JSON */
  body?: unknown
  /** defaults to application/json */
  contentType?: string
  timeoutMs?: number
}

export type ApiResult =
  | {
    kind: 'response'
    status: number
    /** parsed JSON, or undefined when the body was empty or not JSON */
    body: any
    /** from the Retry-After header, when present */
    retryAfterSeconds?: number
  }
  | {
    kind: 'network'
    /** ECONNRESET, ECONNREFUSED, ETIMEDOUT, ENOTFOUND, ... or CREDENTIALS when no credential could be had */
    code: string
    /** safe to print: never holds tokens or headers */
    message: string
  }

/** The one door to the Kubernetes API. Never throws, never rejects. */
export interface ApiClient {
  request (req: ApiRequest): Promise<ApiResult>
  /**
   * forget cached credentials, so the next request reads them afresh. A 401 needs no call: the client itself asks
   * for a new credential then, once for all the requests that carried the refused one.
   */
  reloadCredentials (): void
  /** the namespace of the current context or the pod, when known */
  readonly defaultNamespace?: string
  /** printable server address, for diagnostics */
  readonly server: string
  /** while the server cannot be reached: why, in words (for the drop summary) */
  readonly problem?: string
  close (): void
}

/** Where our own trouble is told. Never throws. */
export interface Diagnostics {
  /** one line on stderr, at most once per `everyMs` for the same key (counting the suppressed ones) */
  warn (key: string, message: string, everyMs?: number): void
  /** an event on the transport stream in the application (thread-stream EVENT), if any listens */
  emit (name: string, payload: unknown): void
}
