// The watch protocol: a chunked 200 answer of `{"type":…,"object":…}` lines, as kube-apiserver streams them.
// Initial state as ADDED events for resourceVersion "" or "0", missed changes replayed from the change log for a
// given resourceVersion, an ERROR event with 410 Expired when that is older than the log, BOOKMARK events when
// asked for, selectors applied to both sides of a change, and a close after timeoutSeconds.
import type http from 'node:http'
import type { Change, ChangeLog } from './change-log.js'
import type { StoredObject } from './store.js'

export interface WatchPlan {
  storeKey: string
  /** undefined: all namespaces */
  namespace?: string
  /** the request's field and label selectors */
  matches: (obj: StoredObject) => boolean
  /** the object as the request's API shows it */
  view: (obj: StoredObject) => any
  /** the matching objects now, in list order, for the initial ADDED events */
  current: () => StoredObject[]
  /** replay the changes after this revision; undefined: start from now */
  fromRevision?: number
  /** the current objects first, as ADDED events */
  initialState: boolean
  /** a BOOKMARK marks the end of the initial state (sendInitialEvents=true) */
  initialEventsEnd: boolean
  allowBookmarks: boolean
  timeoutSeconds?: number
  /** set when the client asked for a meta.k8s.io Table of each object */
  table?: (obj: StoredObject, view: any, withHeaders: boolean) => any
  /** the type of the BOOKMARK objects */
  kind: string
  apiVersion: string
}

interface WatchEvent { type: string, object: unknown }

/** A client that reads this far behind is cut off, as the real server closes unresponsive watchers. */
const MAX_UNREAD_BYTES = 16 * 1024 * 1024
const INITIAL_EVENTS_END = 'k8s.io/initial-events-end'

/** apimachinery's NewResourceExpired, as the watch cache returns it for a resourceVersion it no longer has. */
export function statusExpired (requested: number, oldest: number): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${requested} (${oldest})`, reason: 'Expired', code: 410 }
}

/** What a change looks like through a watch with selectors: one leaving the selection is DELETED for it. */
function eventFor (change: Change, plan: WatchPlan): { type: string, object: StoredObject } | undefined {
  if (change.storeKey !== plan.storeKey) return undefined
  if (plan.namespace !== undefined && change.object.metadata.namespace !== plan.namespace) return undefined
  const now = plan.matches(change.object)
  if (change.type !== 'MODIFIED' || change.previous === undefined) return now ? { type: change.type, object: change.object } : undefined
  const before = plan.matches(change.previous)
  if (now) return { type: before ? 'MODIFIED' : 'ADDED', object: change.object }
  if (before) return { type: 'DELETED', object: change.object }
  return undefined
}

export interface OpenWatch {
  /** path with query */
  readonly path: string
  /** sends a BOOKMARK now, when the client allowed them */
  bookmark (): void
  /** cuts the connection, as a network failure would */
  drop (): void
}

/** One watch response: what it has sent, and how it ends. */
class WatchStream implements OpenWatch {
  private written = 0
  private headersSent = false
  private finished = false
  private unsubscribe = (): void => {}
  private timer: NodeJS.Timeout | undefined

  constructor (
    private readonly req: http.IncomingMessage,
    private readonly res: http.ServerResponse,
    private readonly plan: WatchPlan,
    readonly path: string,
    private readonly revision: () => number,
    /** fault injection: cut the connection after this many events */
    private readonly dropAfter: number | undefined,
    private readonly onFinish: () => void
  ) {
    res.on('close', () => this.finish(false))
  }

  start (log: ChangeLog): void {
    this.res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' })
    this.res.flushHeaders()
    if (this.dropAfter === 0) { this.drop(); return }
    if (!this.sendBacklog(log) || this.finished) return
    this.unsubscribe = log.subscribe(change => this.sendChange(change))
    if (this.plan.timeoutSeconds !== undefined) {
      // The real server sends a bookmark shortly before it closes a watch, so that the client resumes from there.
      this.timer = setTimeout(() => {
        this.bookmark()
        this.finish()
      }, this.plan.timeoutSeconds * 1000)
    }
  }

  bookmark (annotations?: Record<string, string>): void {
    if (!this.plan.allowBookmarks) return
    const metadata: Record<string, unknown> = { resourceVersion: String(this.revision()) }
    if (annotations !== undefined) metadata.annotations = annotations
    this.send({ type: 'BOOKMARK', object: { kind: this.plan.kind, apiVersion: this.plan.apiVersion, metadata } })
  }

  drop (): void {
    this.req.socket.destroy()
    this.finish(false)
  }

  /** The initial state or the missed changes; false when the history is gone and the stream has ended with 410. */
  private sendBacklog (log: ChangeLog): boolean {
    const { plan } = this
    if (plan.initialState) {
      for (const obj of plan.current()) this.sendObject('ADDED', obj)
      if (plan.initialEventsEnd) this.bookmark({ [INITIAL_EVENTS_END]: 'true' })
      return true
    }
    if (plan.fromRevision === undefined) return true
    const missed = log.since(plan.fromRevision)
    if (!Array.isArray(missed)) {
      this.send({ type: 'ERROR', object: statusExpired(plan.fromRevision, missed.expired) })
      this.finish()
      return false
    }
    for (const change of missed) this.sendChange(change)
    return true
  }

  private sendChange (change: Change): void {
    const event = eventFor(change, this.plan)
    if (event !== undefined) this.sendObject(event.type, event.object)
  }

  private sendObject (type: string, obj: StoredObject): void {
    let object = this.plan.view(obj)
    if (this.plan.table !== undefined) {
      object = this.plan.table(obj, object, !this.headersSent)
      this.headersSent = true
    }
    this.send({ type, object })
  }

  private send (event: WatchEvent): void {
    if (this.finished) return
    this.written += 1
    const line = JSON.stringify(event) + '\n'
    if (this.dropAfter !== undefined && this.written >= this.dropAfter) {
      // Cut once the event is on the wire, so that the client has read exactly that many.
      this.res.write(line, () => this.drop())
      this.finish(false)
      return
    }
    this.res.write(line)
    if (this.res.writableLength > MAX_UNREAD_BYTES) this.drop()
  }

  /** Stops sending; `end` closes the stream as the server does at a timeout, where a cut leaves it broken. */
  private finish (end = true): void {
    if (this.finished) return
    this.finished = true
    this.unsubscribe()
    clearTimeout(this.timer)
    this.onFinish()
    if (end && !this.res.destroyed) this.res.end()
  }
}

export class Watches {
  private readonly open = new Set<OpenWatch>()

  constructor (private readonly log: ChangeLog, private readonly revision: () => number) {}

  get list (): OpenWatch[] {
    return [...this.open]
  }

  /**
   * Streams the plan's events on `res` until the client goes, the timeout passes or the connection is cut.
   * `dropAfter`: cut the connection after that many events (fault injection).
   */
  serve (req: http.IncomingMessage, res: http.ServerResponse, plan: WatchPlan, path: string, dropAfter?: number): void {
    const stream: WatchStream = new WatchStream(req, res, plan, path, this.revision, dropAfter, () => this.open.delete(stream))
    this.open.add(stream)
    stream.start(this.log)
  }
}
