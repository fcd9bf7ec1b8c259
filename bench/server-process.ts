// The local API server in a process of its own, so that serving requests never takes CPU from the measured
// application's main thread. It answers questions from its parent over the IPC channel.
import { startApiServer } from '../test/apiserver/server.js'
import type { EventRequest, ServerQuery, StoredEvent } from './target.js'

interface RequestBody { involvedObject?: { name?: unknown }, regarding?: { name?: unknown } }

function objectNameOf (body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const { involvedObject, regarding } = body as RequestBody
  const name = involvedObject?.name ?? regarding?.name
  return typeof name === 'string' ? name : undefined
}

async function main (): Promise<void> {
  const server = await startApiServer({ tls: process.env.BENCH_TLS !== 'false' })

  async function answer (query: ServerQuery): Promise<unknown> {
    switch (query.kind) {
      case 'createNamespace':
        await server.createNamespace(query.name)
        return null
      case 'clearRequests':
        server.clearRequests()
        return null
      case 'eventRequests': {
        const found: EventRequest[] = []
        for (const request of server.requests) {
          if (!request.path.includes('/events')) continue
          found.push({ method: request.method, time: request.time, status: request.status, object: request.method === 'POST' ? objectNameOf(request.body) : undefined })
        }
        return found
      }
      case 'events':
        return server.listEvents(query.namespace).map((event): StoredEvent => ({
          name: event.metadata?.name,
          object: event.involvedObject?.name,
          count: event.count ?? event.series?.count ?? 1,
          message: event.message ?? '',
          type: event.type
        }))
      case 'priorityLevel': {
        const rejected = server.priorityLevel.rejected()
        server.priorityLevel.set(query.seats === undefined ? undefined : { seats: query.seats, serviceMs: query.serviceMs })
        return rejected
      }
      case 'close':
        await server.close()
        setImmediate(() => process.exit(0))
        return null
    }
  }

  process.on('message', (message: { id: number, query: ServerQuery }) => {
    answer(message.query).then(
      result => process.send?.({ id: message.id, result }),
      (err: unknown) => process.send?.({ id: message.id, error: String((err as Error)?.message ?? err) })
    )
  })
  // Orphaned when the parent dies: leave with it.
  process.on('disconnect', () => { server.close().finally(() => process.exit(0)) })
  process.send?.({ ready: { url: server.url, kubeconfig: server.kubeconfig() } })
}

main().catch((err: unknown) => {
  process.stderr.write(`bench API server: ${(err as Error)?.stack ?? String(err)}\n`)
  process.exit(1)
})
