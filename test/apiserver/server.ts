// A local HTTP(S) server that answers like kube-apiserver v1.32 for what this project and kubectl touch:
// discovery, namespaces, pods, nodes, persistent volumes, KopfExamples and Events through both event APIs,
// list and watch for each, with bearer-token and client-certificate authentication, RBAC-like rules, and
// injectable faults.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPki, type Pki } from '../helpers/pki.js'
import { Authenticator, type RbacRule } from './auth.js'
import { apiGroup, apiGroupList, apiResourceList, apiVersions, SERVER_VERSION } from './discovery.js'
import { Faults, type FaultAction, type FaultRule } from './faults.js'
import { MAX_BODY_BYTES, readBody } from './http-body.js'
import { kubeconfigYaml } from './kubeconfig.js'
import { openApiGroupVersion, openApiRoot } from './openapi.js'
import { PriorityLevel, type PriorityLevelOptions } from './priority-level.js'
import { decodeProtobufObject } from './protobuf.js'
import { RequestLog, type RequestRecord } from './request-log.js'
import { findResourceByKind, RESOURCES } from './resources.js'
import { RestApi, type RestAnswer } from './rest.js'
import { parseResourcePath } from './route.js'
import { statusBadRequest, statusInternalError, statusUnauthorized, type Status } from './status.js'
import { statusForCode, statusNoSuchPath, statusRequestTooLarge, statusUnsupportedMediaType } from './status-extra.js'
import { ObjectStore } from './store.js'
import { Watches } from './watch.js'

export type { RbacRule } from './auth.js'
export type { FaultAction, FaultRule } from './faults.js'
export type { PriorityLevelOptions } from './priority-level.js'
export type { RequestRecord } from './request-log.js'
export type { Pki } from '../helpers/pki.js'

export interface LocalApiServer {
  /** e.g. https://127.0.0.1:34567 */
  readonly url: string
  readonly port: number
  /** PEM, when TLS */
  readonly caCert?: string
  readonly pki?: Pki
  readonly requests: RequestRecord[]
  clearRequests (): void
  readonly faults: { add (rule: FaultRule): void, clear (): void }
  /**
   * API Priority and Fairness as a priority level with a seat limit and `limitResponse: Reject`: requests beyond
   * the seats get the real server's 429. `set(undefined)` lifts the limit; `rejected()` counts since the last set.
   */
  readonly priorityLevel: { set (options: PriorityLevelOptions | undefined): void, rejected (): number }
  /** The watch streams open now (path with query): each can get a BOOKMARK or be cut as a network failure would. */
  readonly watches: { paths (): string[], bookmark (): void, drop (): number }
  /** Forgets the change history, as etcd compaction does: a watch from an older resourceVersion gets 410 Expired. */
  compactHistory (): void
  /** Adds a user, or another token for a known user (for rotation); returns the token. */
  addUser (name: string, opts?: { token?: string, groups?: string[], rules?: RbacRule[] }): string
  setRules (user: string, rules: RbacRule[]): void
  removeToken (token: string): void
  /** Writes a kubeconfig to `file` (or a temporary file removed on close) and returns its path; default user admin, namespace 'default'. */
  kubeconfig (opts?: { user?: string, namespace?: string, file?: string }): string
  kubeconfigYaml (opts?: { user?: string, namespace?: string }): string
  createNamespace (name: string): Promise<object>
  /** Leaves it Terminating, for good. */
  deleteNamespace (name: string): Promise<void>
  /** Any of the stored kinds, by apiVersion/kind; returns the stored object with its uid. */
  createObject (obj: object): Promise<any>
  /** Stored core/v1 form. */
  listEvents (namespace?: string): any[]
  /** Stops listening and cuts open connections; the store stays. */
  stop (): Promise<void>
  /** Listens again on the same port, with the store kept and the change history forgotten, as a restarted server. */
  start (): Promise<void>
  close (): Promise<void>
}

export interface ApiServerOptions {
  /** 0 or omitted: any free port */
  port?: number
  /** true when omitted */
  tls?: boolean
  /** a CA and server certificate to use instead of fresh ones */
  pki?: Pki
  /** seeds the generator that picks which requests a fault with a `share` hits */
  seed?: number
  /** how many request records are kept, newest last; 200,000 when omitted */
  maxRequests?: number
  /** how many changes a watch can replay; 10,000 when omitted */
  watchHistory?: number
}

const HOST = '127.0.0.1'
/** Longer than any client's idle pooling, so that a reused connection is not closed under a request. */
const KEEP_ALIVE_MS = 90_000
const PRE_CREATED_NAMESPACES = ['default', 'kube-system']
const ADMIN = { name: 'admin', groups: ['system:masters'] }

function sendJson (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

/** A protobuf body this server cannot read: 415 for a kind it has no schema for, as for a custom resource. */
function protobufStatus (decoded: ReturnType<typeof decodeProtobufObject> | undefined): Status | undefined {
  if (decoded === undefined || 'object' in decoded) return undefined
  if ('unsupported' in decoded) return statusUnsupportedMediaType(['application/json', 'application/yaml'])
  return statusBadRequest(`the protobuf body could not be read: ${decoded.error}`)
}

function discovery (pathname: string, serverAddress: string): object | undefined {
  if (pathname === '/version') return SERVER_VERSION
  if (pathname === '/api') return apiVersions(serverAddress)
  if (pathname === '/apis') return apiGroupList()
  const core = /^\/api\/([^/]+)$/.exec(pathname)
  if (core !== null) return apiResourceList('', core[1])
  const group = /^\/apis\/([^/]+)$/.exec(pathname)
  if (group !== null) return apiGroup(group[1])
  const groupVersion = /^\/apis\/([^/]+)\/([^/]+)$/.exec(pathname)
  if (groupVersion !== null) return apiResourceList(groupVersion[1], groupVersion[2])
  if (pathname === '/openapi/v3') return openApiRoot()
  if (pathname.startsWith('/openapi/v3/')) return openApiGroupVersion(pathname.slice('/openapi/v3/'.length))
  return undefined
}

export async function startApiServer (opts: ApiServerOptions = {}): Promise<LocalApiServer> {
  const tls = opts.tls ?? true
  const ownPki = tls && opts.pki === undefined
  const pki = tls ? opts.pki ?? createPki() : opts.pki
  const store = new ObjectStore(opts.watchHistory)
  const watches = new Watches(store.changes, () => Number(store.resourceVersion))
  const auth = new Authenticator()
  const faults = new Faults(opts.seed ?? 1)
  const log = new RequestLog(opts.maxRequests)
  const rest = new RestApi(store, auth)
  let priorityLevel: PriorityLevel | undefined
  const sockets = new Set<Socket>()
  let tempDir: string | undefined
  let port = opts.port ?? 0

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    // Sub-millisecond, for the latency benchmark: a request on a warm local connection arrives within one.
    const time = performance.timeOrigin + performance.now()
    const method = (req.method ?? 'GET').toUpperCase()
    const path = req.url ?? '/'
    const contentType = req.headers['content-type']
    // A client that gives up must not surface as an error here: writes to its response are simply dropped.
    res.on('error', () => {})
    const body = await readBody(req)
    if (body.kind === 'aborted') return
    const protobuf = body.kind === 'protobuf' ? decodeProtobufObject(body.bytes) : undefined
    const value = body.kind === 'json' ? body.value : protobuf !== undefined && 'object' in protobuf ? protobuf.object : undefined
    const user = auth.authenticate(req)
    const record: RequestRecord = {
      method,
      path,
      contentType,
      body: value ?? (body.kind === 'text' ? body.text : undefined),
      user: user?.name,
      status: 0,
      time
    }
    log.add(record)
    res.on('finish', () => { record.status = res.statusCode })
    const answer = (status: number, payload: unknown, headers?: Record<string, string>): void => sendJson(res, status, payload, headers)

    const fault: FaultAction | undefined = faults.take(method, path)
    let dropWatchAfter: number | undefined
    if (fault !== undefined) {
      if ('drop' in fault) { req.socket.destroy(); return }
      if ('dropAfter' in fault) dropWatchAfter = fault.dropAfter
      if ('hold' in fault) {
        await fault.hold.catch(() => {})
        if (res.destroyed) return
      }
      if ('hang' in fault) return
      if ('delayMs' in fault) {
        await new Promise(resolve => setTimeout(resolve, fault.delayMs))
        if (res.destroyed) return
      } else if ('status' in fault) {
        const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) }
        answer(fault.status, fault.body ?? statusForCode(fault.status, fault.retryAfter), headers)
        return
      }
    }

    if (user === undefined) { answer(401, statusUnauthorized()); return }
    const url = new URL(path, 'http://local')
    // As in kube-apiserver's handler chain: authentication, then priority and fairness, then everything else.
    const level = priorityLevel
    if (level?.matches(user.name, url) === true) {
      if (!await level.admit(res)) return
      if (res.destroyed) return
    }
    if (body.kind === 'tooLarge') { answer(413, statusRequestTooLarge(MAX_BODY_BYTES)); return }
    const protobufFailure = protobufStatus(protobuf)
    if (protobufFailure !== undefined) { answer(protobufFailure.code, protobufFailure); return }
    if (['/healthz', '/livez', '/readyz'].includes(url.pathname)) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('ok')
      return
    }
    if (method === 'GET') {
      const doc = discovery(url.pathname, `${HOST}:${port}`)
      if (doc !== undefined) { answer(200, doc); return }
    }
    const target = parseResourcePath(url.pathname)
    if (target === undefined) { answer(404, statusNoSuchPath()); return }
    const result: RestAnswer = rest.handle({
      method,
      target,
      query: url.searchParams,
      accept: req.headers.accept,
      contentType,
      body: value,
      bodyError: body.kind === 'text' ? body.error : undefined,
      user
    })
    if (result.watch !== undefined) {
      watches.serve(req, res, result.watch, path, dropWatchAfter)
      return
    }
    if (dropWatchAfter !== undefined) { req.socket.destroy(); return }
    answer(result.status, result.body)
  }

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      process.stderr.write(`local API server: ${(err as Error)?.stack ?? String(err)}\n`)
      sendJson(res, 500, statusInternalError(String((err as Error)?.message ?? err)))
    })
  }

  const server: http.Server = tls && pki !== undefined
    ? https.createServer({ key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert, requestCert: true, rejectUnauthorized: false }, onRequest)
    : http.createServer(onRequest)
  server.keepAliveTimeout = KEEP_ALIVE_MS
  server.headersTimeout = KEEP_ALIVE_MS + 5_000
  server.requestTimeout = 0
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  // A client that resets its connection mid-TLS-handshake must not take the server down.
  server.on('tlsClientError', () => {})
  server.on('clientError', (_err, socket) => { socket.destroy() })

  let listening = false
  const listen = async (): Promise<void> => {
    if (listening) return
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err)
      server.once('error', onError)
      server.listen(port, HOST, () => {
        server.off('error', onError)
        resolve()
      })
    })
    listening = true
    const address = server.address()
    if (address !== null && typeof address === 'object') port = address.port
  }
  const stopListening = async (): Promise<void> => {
    if (!listening) return
    listening = false
    const closed = new Promise<void>(resolve => server.close(() => resolve()))
    for (const socket of sockets) socket.destroy()
    sockets.clear()
    await closed
  }

  const adminRequest = (method: string, pathname: string, body?: unknown): RestAnswer => {
    const target = parseResourcePath(pathname)
    if (target === undefined) throw new Error(`no such path ${pathname}`)
    return rest.handle({ method, target, query: new URLSearchParams(), body, user: ADMIN })
  }
  const orThrow = (answer: RestAnswer): any => {
    if (answer.status >= 300) throw new Error(`${answer.status}: ${(answer.body as { message?: string }).message ?? 'failed'}`)
    return answer.body
  }

  for (const name of PRE_CREATED_NAMESPACES) orThrow(adminRequest('POST', '/api/v1/namespaces', { metadata: { name } }))
  await listen()

  const scheme = tls ? 'https' : 'http'
  const yamlFor = (o: { user?: string, namespace?: string } = {}): string => kubeconfigYaml({
    url: `${scheme}://${HOST}:${port}`,
    caCert: tls ? pki?.caCert : undefined,
    users: auth.usersWithTokens(),
    currentUser: o.user ?? 'admin',
    namespace: o.namespace ?? 'default'
  })
  let kubeconfigCount = 0

  return {
    get url () { return `${scheme}://${HOST}:${port}` },
    get port () { return port },
    caCert: tls ? pki?.caCert : undefined,
    pki,
    requests: log.records,
    clearRequests: () => log.clear(),
    faults: { add: rule => faults.add(rule), clear: () => faults.clear() },
    priorityLevel: {
      set: options => { priorityLevel = options === undefined ? undefined : new PriorityLevel(options) },
      rejected: () => priorityLevel?.rejected ?? 0
    },
    watches: {
      paths: () => watches.list.map(w => w.path),
      bookmark: () => { for (const w of watches.list) w.bookmark() },
      drop: () => {
        const open = watches.list
        for (const w of open) w.drop()
        return open.length
      }
    },
    compactHistory: () => store.changes.compact(Number(store.resourceVersion)),
    addUser: (name, userOpts) => auth.addUser(name, userOpts),
    setRules: (user, rules) => auth.setRules(user, rules),
    removeToken: token => auth.removeToken(token),
    kubeconfigYaml: yamlFor,
    kubeconfig (o = {}) {
      let file = o.file
      if (file === undefined) {
        tempDir ??= mkdtempSync(join(tmpdir(), 'pino-k8s-events-kubeconfig-'))
        file = join(tempDir, `kubeconfig-${++kubeconfigCount}.yaml`)
      }
      writeFileSync(file, yamlFor(o), { mode: 0o600 })
      return file
    },
    async createNamespace (name) {
      return orThrow(adminRequest('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }))
    },
    async deleteNamespace (name) {
      orThrow(adminRequest('DELETE', `/api/v1/namespaces/${encodeURIComponent(name)}`))
    },
    async createObject (obj) {
      const o = obj as { apiVersion?: string, kind?: string, metadata?: { namespace?: string } }
      const info = findResourceByKind(o.apiVersion ?? '', o.kind ?? '')
      if (info === undefined) {
        const known = RESOURCES.map(r => `${r.group === '' ? r.version : `${r.group}/${r.version}`} ${r.kind}`).join(', ')
        throw new Error(`cannot store ${o.apiVersion ?? '?'} ${o.kind ?? '?'}; known: ${known}`)
      }
      const prefix = info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`
      const namespace = o.metadata?.namespace ?? 'default'
      const path = info.namespaced ? `${prefix}/namespaces/${encodeURIComponent(namespace)}/${info.resource}` : `${prefix}/${info.resource}`
      return orThrow(adminRequest('POST', path, obj))
    },
    listEvents (namespace) {
      return store.list('events', namespace).map(entry => structuredClone(entry.object))
    },
    stop: stopListening,
    async start () {
      if (listening) return
      store.changes.compact(Number(store.resourceVersion))
      await listen()
    },
    async close () {
      await stopListening()
      if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true })
      if (ownPki && pki !== undefined) rmSync(pki.dir, { recursive: true, force: true })
    }
  }
}
