// Case 4: a flood of identical warnings about one object becomes one Event with the exact count, in a handful of
// requests.
import { atMost, count, describeDrops, emitResult, fixed, mainThreadCpuMs, peakRssMb, podReference, progress, rssMb, sized, yieldToEventLoop } from '../harness.js'
import { startBenchLogger } from '../logger.js'
import { openTarget } from '../target.js'

const WARNINGS = sized(100_000, 1_000)
/** client-go's spam filter: a burst of 25 per object, then one per 300 s; the flush adds the last one */
const BAR_REQUESTS = 26
const CALLS_PER_TURN = 1000
const OBJECT = 'flooded-0'

async function main (): Promise<void> {
  const target = await openTarget({ namespace: 'bench-flood' })
  try {
    const bench = await startBenchLogger('transport', { component: 'bench-flood', kubeconfig: target.kubeconfig })
    await target.clearRequests()
    const rssBefore = rssMb()
    const cpuBefore = mainThreadCpuMs()
    const started = performance.now()
    const log = bench.logger.child({ k8sObject: podReference(OBJECT, target.namespace) })
    for (let i = 0; i < WARNINGS; i++) {
      log.warn({ reason: 'BackOff' }, 'Back-off restarting failed container')
      if (i % CALLS_PER_TURN === CALLS_PER_TURN - 1) await yieldToEventLoop()
    }
    const loggedMs = performance.now() - started
    await bench.flush()
    const flushedMs = performance.now() - started
    const cpuMs = mainThreadCpuMs() - cpuBefore
    const rssAfter = rssMb()
    await bench.close()
    const stats = bench.stats()
    const peak = peakRssMb()

    const requests = await target.eventRequests()
    const events = (await target.events()).filter(event => event.object === OBJECT)
    const stored = events.reduce((sum, event) => sum + event.count, 0)
    const requestCount = requests?.length ?? ((stats?.posted ?? 0) + (stats?.patched ?? 0) + (stats?.retried ?? 0))
    const requestSource = requests !== undefined ? 'counted by the server' : 'from the transport\'s counters (POST + PATCH + retries)'
    const methods = requests === undefined ? '' : ` (${['POST', 'PATCH', 'GET'].map(method => `${requests.filter(r => r.method === method).length} ${method}`).join(', ')})`
    progress(`${count(WARNINGS)} warnings: ${requestCount} requests, count on the server ${count(stored)} in ${events.length} Event(s)`)

    emitResult({
      id: 4,
      title: 'Flood',
      target: target.description,
      rows: [
        {
          measure: `API requests for ${count(WARNINGS)} identical warnings on one object, ${requestSource}`,
          value: count(requestCount),
          bar: `≤ ${BAR_REQUESTS}`,
          met: atMost(requestCount, BAR_REQUESTS),
          context: `${requestCount}${methods}; logged in ${fixed(loggedMs, 0)} ms, flushed after ${fixed(flushedMs, 0)} ms`
        },
        {
          measure: 'count on the server after logger.flush()',
          value: count(stored),
          bar: `= ${count(WARNINGS)}`,
          met: stored === WARNINGS,
          context: `${events.length} Event(s) about the object; occurrences dropped by the transport: ${describeDrops(stats?.dropped)}`
        },
        {
          measure: 'peak RSS of the application process, worker included (MB)',
          value: fixed(peak, 1),
          context: `RSS ${fixed(rssBefore)} MB before, ${fixed(rssAfter)} MB after; main-thread CPU ${fixed(cpuMs * 1000 / WARNINGS, 2)} µs per warning`
        }
      ],
      notes: [
        'The warnings are logged as fast as the main thread can, yielding to the event loop every 1,000 calls. ' +
        'Against a cluster, requests are taken from the transport\'s own counters, and the peak RSS includes the ' +
        '@kubernetes/client-node the benchmark loads to read the Events back.'
      ]
    })
  } finally {
    await target.close()
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`)
  process.exitCode = 1
})
