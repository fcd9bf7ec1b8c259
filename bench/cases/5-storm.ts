// Case 5: one warning about each of many objects. Next to the way applications post Events today, the transport
// must cost the main thread far less and, with its global limit lifted, deliver at least as fast.
import { runChild } from '../child.js'
import { atLeast, benchFile, count, describeDrops, emitResult, fixed, perSecond, progress, ratio, sized } from '../harness.js'
import { openTarget, type EventRequest, type Target } from '../target.js'
import type { StormAnswer, StormInput } from './storm-app.js'

const OBJECTS = sized(10_000, 100)
const BAR_CPU_RATIO = 50
const LIFTED = { qps: 1_000_000, burst: 1_000_000 }
const DEFAULTS_OBSERVE_MS = sized(10_000, 600)
/** the first part of the observation, when the burst goes out */
const BURST_WINDOW_MS = sized(1000, 300)
const DEFAULT_QPS = 20
const DEFAULT_BURST = 100

interface Delivery { delivered: number, lastArrival?: number, arrivals: number[] }

/** Events stored for the run's objects, and when each POST about them reached the server. */
async function deliveryOf (target: Target, prefix: string, requests: EventRequest[] | undefined): Promise<Delivery> {
  const objects = new Set((await target.events()).filter(event => event.object.startsWith(`${prefix}-`)).map(event => event.object))
  const arrivals = (requests ?? []).filter(r => r.method === 'POST' && r.status < 300 && r.object?.startsWith(`${prefix}-`) === true).map(r => r.time)
  return { delivered: objects.size, lastArrival: arrivals.length > 0 ? Math.max(...arrivals) : undefined, arrivals }
}

async function main (): Promise<void> {
  const target = await openTarget({ namespace: 'bench-storm' })
  const run = async (input: Omit<StormInput, 'kubeconfig' | 'namespace' | 'objects'>): Promise<{ answer: StormAnswer, delivery: Delivery }> => {
    await target.clearRequests()
    const answer = await runChild<StormAnswer>(benchFile('cases/storm-app.js'), { ...input, objects: OBJECTS, kubeconfig: target.kubeconfig, namespace: target.namespace })
    const delivery = await deliveryOf(target, input.prefix, await target.eventRequests())
    progress(`${input.prefix}: ${count(delivery.delivered)}/${count(OBJECTS)} delivered, calls ${fixed(answer.callsMs, 0)} ms, ` +
      `done ${fixed(answer.doneMs, 0)} ms, main-thread CPU ${fixed(answer.cpuMs, 0)} ms`)
    return { answer, delivery }
  }

  let naive, lifted, defaults
  try {
    naive = await run({ way: 'naive', prefix: 'naive' })
    lifted = await run({ way: 'transport', prefix: 'lifted', options: { ...LIFTED, queueSize: Math.max(1000, OBJECTS) } })
    defaults = await run({ way: 'transport', prefix: 'defaults', options: { flushTimeout: 500 }, observeMs: DEFAULTS_OBSERVE_MS })
  } finally {
    await target.close()
  }

  const naiveRate = OBJECTS / (naive.answer.doneMs / 1000)
  const naiveCpuPerEvent = naive.answer.cpuMs / OBJECTS
  const oursCpuPerEvent = lifted.answer.cpuMs / OBJECTS
  const cpuRatio = naiveCpuPerEvent / oursCpuPerEvent
  // Delivered when the last POST reached the server; against a cluster, when logger.flush() answered.
  const liftedMs = lifted.delivery.lastArrival !== undefined ? lifted.delivery.lastArrival - lifted.answer.startedAt : lifted.answer.doneMs
  const liftedRate = lifted.delivery.delivered / (liftedMs / 1000)

  const windowEnd = defaults.answer.startedAt + DEFAULTS_OBSERVE_MS
  const inWindow = defaults.delivery.arrivals.filter(time => time <= windowEnd)
  const inFirstSecond = inWindow.filter(time => time <= defaults.answer.startedAt + BURST_WINDOW_MS).length
  // A cluster tells no arrival times: the Events stored by the end (the closing flush included) stand in.
  const steadyRate = target.local
    ? (inWindow.length - inFirstSecond) / ((DEFAULTS_OBSERVE_MS - BURST_WINDOW_MS) / 1000)
    : Math.max(0, defaults.delivery.delivered - DEFAULT_BURST) / (DEFAULTS_OBSERVE_MS / 1000)
  const defaultsCounted = target.local
    ? `${inFirstSecond} POSTs in the first ${fixed(BURST_WINDOW_MS / 1000, 1)} s (the burst), ${inWindow.length} in ${fixed(DEFAULTS_OBSERVE_MS / 1000, 1)} s`
    : `${defaults.delivery.delivered} Events stored after ${fixed(DEFAULTS_OBSERVE_MS / 1000, 1)} s and the closing flush, less the burst of ${DEFAULT_BURST}`
  const defaultsDropped = defaults.answer.dropped ?? {}

  emitResult({
    id: 5,
    title: 'Storm',
    target: target.description,
    rows: [
      {
        measure: `Events delivered for ${count(OBJECTS)} objects × 1 warning, global limit lifted (qps and burst ${count(LIFTED.qps)}, queueSize ${count(Math.max(1000, OBJECTS))})`,
        value: `${count(lifted.delivery.delivered)}/${count(OBJECTS)}`,
        bar: 'all',
        met: lifted.delivery.delivered === OBJECTS,
        context: `naive way delivered ${count(naive.delivery.delivered)}/${count(OBJECTS)} (${naive.answer.failures} failed calls); occurrences dropped by the transport: ${describeDrops(lifted.answer.dropped)}`
      },
      {
        measure: 'main-thread CPU per event: naive way ÷ pino-k8s-events',
        value: ratio(cpuRatio, 0),
        bar: `≥ ${BAR_CPU_RATIO}×`,
        met: atLeast(cpuRatio, BAR_CPU_RATIO),
        context: `naive ${fixed(naiveCpuPerEvent * 1000, 0)} µs per event (${fixed(naive.answer.cpuMs, 0)} ms), ` +
          `pino-k8s-events ${fixed(oursCpuPerEvent * 1000, 1)} µs per event (${fixed(lifted.answer.cpuMs, 0)} ms, child logger included)`
      },
      {
        measure: 'delivery rate with the global limit lifted ÷ naive way\'s rate',
        value: ratio(liftedRate / naiveRate),
        bar: '≥ 1.00×',
        met: atLeast(liftedRate / naiveRate, 1),
        context: `pino-k8s-events ${perSecond(liftedRate)} (${count(OBJECTS)} in ${fixed(liftedMs, 0)} ms), ` +
          `naive ${perSecond(naiveRate)} (awaited one by one, ${fixed(naive.answer.doneMs, 0)} ms)`
      },
      {
        measure: `delivery rate with the default limits (qps ${DEFAULT_QPS}, burst ${DEFAULT_BURST}) ` +
          `${target.local ? `after the first ${fixed(BURST_WINDOW_MS / 1000, 1)} s, ` : 'beyond the burst, '}watched for ${fixed(DEFAULTS_OBSERVE_MS / 1000, 1)} s`,
        value: perSecond(steadyRate),
        context: `${defaultsCounted}; ` +
          `dropped: ${count(defaultsDropped['queue-full'] ?? 0)} queue-full (queueSize 1,000), ${count(defaultsDropped.closed ?? 0)} still queued at close`
      }
    ],
    notes: [
      'The naive way: `await api.createNamespacedEvent({ namespace, body })` for each event in turn on the main thread, ' +
      'with one CoreV1Api made once (@kubernetes/client-node 1.4 opens a new TLS connection per request). ' +
      'Why the defaults are qps 20 and burst 100: Events are the lowest-priority writes an API server takes, and every ' +
      'replica of an operator writes its own; client-go\'s rest.Config defaults to 5 qps / burst 10 and ' +
      'kube-controller-manager to 20 qps / burst 30 for all of its requests, so a logger that could write faster would let ' +
      'a log storm in one application crowd out the cluster\'s controllers (API Priority and Fairness then throttles or 429s ' +
      'everyone in the same flow). At the defaults a storm of distinct events is delivered at 20/s and whatever exceeds ' +
      'the queue of 1,000 is dropped and counted, never buffered without bound.'
    ]
  })
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`)
  process.exitCode = 1
})
