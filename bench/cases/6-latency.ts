// Case 6: how long from a log call until its Event reaches the API server, at a steady 100 events per second, against
// the same Events POSTed straight from the application over a warm connection in the same run: what the worker hop,
// correlation and scheduling add to one request.
import { createApiClient } from '../../lib/connection/index.js'
import { createDiagnostics } from '../../lib/diagnostics.js'
import { atMost, count, emitResult, fixed, percentile, podReference, progress, ratio, sized, sleep } from '../harness.js'
import { startBenchLogger } from '../logger.js'
import { openTarget, type Target } from '../target.js'

const RATE = 100
const EVENTS = sized(1000, 20)
/** pino-k8s-events ÷ direct POSTs */
const BAR_P50_RATIO = 3
const BAR_P99_RATIO = 5
/** qps above the rate, so that the global limit does not hold events back */
const LIFTED = { qps: 1000, burst: 1000 }
const POLL_MS = 10

/** When each object's Event was first seen: the server's arrival times, or polling a cluster. */
async function arrivalsFrom (target: Target, prefix: string): Promise<Map<string, number>> {
  const arrivals = new Map<string, number>()
  for (const request of await target.eventRequests() ?? []) {
    if (request.method !== 'POST' || request.object === undefined || !request.object.startsWith(prefix)) continue
    if (!arrivals.has(request.object)) arrivals.set(request.object, request.time)
  }
  return arrivals
}

function pollCluster (target: Target, prefix: string): { seen: Map<string, number>, stop: () => Promise<void> } {
  const seen = new Map<string, number>()
  let polling = true
  const loop = (async () => {
    while (polling) {
      const events = await target.events()
      const now = Date.now()
      for (const event of events) if (event.object.startsWith(prefix) && !seen.has(event.object)) seen.set(event.object, now)
      await sleep(POLL_MS)
    }
  })()
  return { seen, stop: async () => { polling = false; await loop } }
}

/** Sends one Event per object at RATE per second through `send`; when each was sent, by object name. */
async function paced (prefix: string, send: (name: string, i: number) => void): Promise<Map<string, number>> {
  const sentAt = new Map<string, number>()
  const started = performance.now()
  for (let i = 0; i < EVENTS; i++) {
    await sleep(started + (i * 1000) / RATE - performance.now())
    const name = `${prefix}${i}`
    sentAt.set(name, performance.timeOrigin + performance.now())
    send(name, i)
  }
  return sentAt
}

/** The floor: the package's HTTP client POSTing each Event from the main thread itself, on a warm connection. */
async function directPosts (target: Target, prefix: string): Promise<Map<string, number>> {
  const client = createApiClient({ kubeconfig: target.kubeconfig, requestTimeoutMs: 10_000, diagnostics: createDiagnostics('bench-latency') })
  const post = async (name: string, i: number): Promise<void> => {
    const time = new Date().toISOString()
    await client.request({
      method: 'POST',
      path: `/api/v1/namespaces/${target.namespace}/events`,
      body: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${name}.direct`, namespace: target.namespace },
        involvedObject: { ...podReference(name, target.namespace) },
        type: 'Warning',
        reason: 'Probe',
        message: `probe ${i}`,
        source: { component: 'bench-latency' },
        firstTimestamp: time,
        lastTimestamp: time,
        count: 1
      }
    })
  }
  const pending: Array<Promise<void>> = []
  try {
    await post('direct-warm-up', 0)
    const sentAt = await paced(prefix, (name, i) => { pending.push(post(name, i)) })
    await Promise.all(pending)
    return sentAt
  } finally {
    client.close()
  }
}

async function throughTransport (target: Target, prefix: string): Promise<Map<string, number>> {
  const bench = await startBenchLogger('transport', { component: 'bench-latency', kubeconfig: target.kubeconfig, ...LIFTED })
  try {
    // One Event first, so that the connection is open, as in an application that has been running for a while.
    bench.logger.warn({ k8sObject: podReference('warm-up', target.namespace), reason: 'Probe' }, 'warm-up')
    await bench.flush()
    const sentAt = await paced(prefix, (name, i) => {
      bench.logger.warn({ k8sObject: podReference(name, target.namespace), reason: 'Probe' }, `probe ${i}`)
    })
    await bench.flush()
    return sentAt
  } finally {
    await bench.close()
  }
}

function latenciesOf (sentAt: Map<string, number>, arrivals: Map<string, number>): number[] {
  const latencies: number[] = []
  for (const [name, sent] of sentAt) {
    const arrived = arrivals.get(name)
    if (arrived !== undefined) latencies.push(Math.max(0, arrived - sent))
  }
  return latencies
}

async function main (): Promise<void> {
  const target = await openTarget({ namespace: 'bench-latency', tls: true })
  const prefixes = { direct: 'direct-', ours: 'probe-' }
  let ours: number[]
  let direct: number[]
  try {
    await target.clearRequests()
    const poller = target.local ? undefined : pollCluster(target, '')
    const directSent = await directPosts(target, prefixes.direct)
    const oursSent = await throughTransport(target, prefixes.ours)
    await sleep(poller === undefined ? 0 : 500)
    await poller?.stop()
    direct = latenciesOf(directSent, poller?.seen ?? await arrivalsFrom(target, prefixes.direct))
    ours = latenciesOf(oursSent, poller?.seen ?? await arrivalsFrom(target, prefixes.ours))
  } finally {
    await target.close()
  }

  const p50 = percentile(ours, 50)
  const p99 = percentile(ours, 99)
  const directP50 = percentile(direct, 50)
  const directP99 = percentile(direct, 99)
  progress(`pino-k8s-events ${ours.length}/${EVENTS} arrived: p50 ${fixed(p50)} ms, p99 ${fixed(p99)} ms, max ${fixed(Math.max(...ours))} ms`)
  progress(`direct POSTs ${direct.length}/${EVENTS} arrived: p50 ${fixed(directP50)} ms, p99 ${fixed(directP99)} ms, max ${fixed(Math.max(...direct))} ms`)
  const how = target.local
    ? 'log call → arrival of its POST at the local API server (over TLS)'
    : `log call → first seen by listing the namespace every ${POLL_MS} ms (an upper bound)`

  emitResult({
    id: 6,
    title: 'Latency',
    target: target.description,
    rows: [
      {
        measure: `p50 latency, ${how}, ${count(EVENTS)} events at ${RATE}/s about distinct objects: pino-k8s-events ÷ the same POSTs sent straight from the application`,
        value: ratio(p50 / directP50),
        bar: `≤ ${ratio(BAR_P50_RATIO)}`,
        met: atMost(p50 / directP50, BAR_P50_RATIO),
        context: `pino-k8s-events ${fixed(p50, 1)} ms, direct ${fixed(directP50, 1)} ms; arrived: ${count(ours.length)}/${count(EVENTS)} and ${count(direct.length)}/${count(EVENTS)}`
      },
      {
        measure: 'p99 latency, the same ÷ the same',
        value: ratio(p99 / directP99),
        bar: `≤ ${ratio(BAR_P99_RATIO)}`,
        met: atMost(p99 / directP99, BAR_P99_RATIO),
        context: `pino-k8s-events ${fixed(p99, 1)} ms (p90 ${fixed(percentile(ours, 90), 1)}, max ${fixed(Math.max(...ours), 1)}), ` +
          `direct ${fixed(directP99, 1)} ms (p90 ${fixed(percentile(direct, 90), 1)}, max ${fixed(Math.max(...direct), 1)})`
      }
    ],
    notes: [
      `Run with qps ${LIFTED.qps} and burst ${LIFTED.burst}: at the default qps of 20 a steady 100 distinct events per second exceeds ` +
      'the global limit by design, so after the burst of 100 events would wait for tokens (and beyond the queue of 1,000, be dropped). ' +
      'The server\'s clock is the same machine\'s, with millisecond resolution; one warm-up Event opens the connection first. ' +
      'The direct POSTs use the package\'s own HTTP client (keep-alive, as the worker does) on the application\'s main thread, ' +
      'one request per event without awaiting the one before, at the same pace, just before the transport runs: the least any ' +
      'transport could take for the same Events.'
    ]
  })
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`)
  process.exitCode = 1
})
