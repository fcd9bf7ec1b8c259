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
  path: string
  /** sends a BOOKMARK now, when the client allowed them */
  bookmark (): void
  /** cuts the connection, as a network failure would */
  drop (): void
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
    let written = 0
    let headers = true
    let finished = false
    const cut = (): void => {
      req.socket.destroy()
      finish(false)
    }
    const send = (event: WatchEvent): void => {
      if (finished) return
      written += 1
      if (dropAfter !== undefined && written >= dropAfter) {
        // Cut once the event is on the wire, so that the client has read exactly that many.
        res.write(JSON.stringify(event) + '\n', cut)
        finish(false)
        return
      }
      res.write(JSON.stringify(event) + '\n')
      if (res.writableLength > MAX_UNREAD_BYTES) cut()
    }
    const sendObject = (type: string, obj: StoredObject): void => {
      let object = plan.view(obj)
      if (plan.table !== undefined) {
        object = plan.table(obj, object, headers)
        headers = false
      }
      send({ type, object })
    }
    const bookmark = (annotations?: Record<string, string>): void => {
      const metadata: Record<string, unknown> = { resourceVersion: String(this.revision()) }
      if (annotations !== undefined) metadata.annotations = annotations
      send({ type: 'BOOKMARK', object: { kind: plan.kind, apiVersion: plan.apiVersion, metadata } })
    }

    let unsubscribe = (): void => {}
    let timer: NodeJS.Timeout | undefined
    const entry: OpenWatch = {
      path,
      bookmark: () => { if (plan.allowBookmarks) bookmark() },
      drop: cut
    }
    /** Stops sending; `end` closes the stream as the server does at a timeout, where a cut leaves it broken. */
    function finish (end = true): void {
      if (finished) return
      finished = true
      unsubscribe()
      clearTimeout(timer)
      open.delete(entry)
      if (end && !res.destroyed) res.end()
    }
    const open = this.open
    open.add(entry)
    res.on('close', () => finish(false))

    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' })
    res.flushHeaders()
    if (dropAfter === 0) { cut(); return }

    if (plan.initialState) {
      for (const obj of plan.current()) sendObject('ADDED', obj)
      if (plan.initialEventsEnd && plan.allowBookmarks) bookmark({ [INITIAL_EVENTS_END]: 'true' })
    } else if (plan.fromRevision !== undefined) {
      const missed = this.log.since(plan.fromRevision)
      if (!Array.isArray(missed)) {
        send({ type: 'ERROR', object: statusExpired(plan.fromRevision, missed.expired) })
        finish()
        return
      }
      for (const change of missed) {
        const event = eventFor(change, plan)
        if (event !== undefined) sendObject(event.type, event.object)
      }
    }
    if (finished) return
    unsubscribe = this.log.subscribe(change => {
      const event = eventFor(change, plan)
      if (event !== undefined) sendObject(event.type, event.object)
    })
    if (plan.timeoutSeconds !== undefined) {
      // The real server sends a bookmark shortly before it closes a watch, so that the client resumes from there.
      timer = setTimeout(() => {
        if (plan.allowBookmarks) bookmark()
        finish()
      }, plan.timeoutSeconds * 1000)
    }
  }
}
