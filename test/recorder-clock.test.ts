// The recorder with a clock of the test's own (lib/clock.ts): its wall clock steps, its monotonic clock runs with
// real time. Every wait (retry, token, aggregation window) follows the monotonic clock; only the times written
// into Events follow the wall clock. Over real HTTP against the local API server.
import t from 'tap'
import { performance } from 'node:perf_hooks'
import type { LocalApiServer } from './apiserver/server.js'
import type { Clock } from '../lib/clock.js'
import { waitFor } from './helpers/wait.js'
import { dropped, eventsIn as storedEvents, makeRecorder, resetApiServer, shape, startApiServerWith, yieldToIo } from './helpers/recorder.js'

const TEN_MINUTES = 10 * 60_000
/** Far beyond a prompt retry (seconds), far short of the step (ten minutes). */
const PROMPTLY_MS = 30_000

let server: LocalApiServer
t.before(async () => { server = await startApiServerWith(['lab']) })
t.teardown(async () => await server.close())
t.beforeEach(() => { resetApiServer(server) })

const eventsIn = (reason: string): any[] => storedEvents(server, 'lab', reason)

/** the system's clocks, but the wall clock moves by `step` */
function steppingClock (): Clock & { step: (ms: number) => void } {
  let offset = 0
  return {
    wall: () => Date.now() + offset,
    monotonic: () => performance.now(),
    step: ms => { offset += ms }
  }
}

t.test('an occurrence without a usable time of its own gets the wall clock\'s time, stepped or not', async t => {
  const clock = steppingClock()
  const { recorder } = makeRecorder(server, { clock })
  clock.step(-TEN_MINUTES)
  recorder.record(shape({ reason: 'Timeless', time: Number.NaN }))
  await recorder.flush()
  const [event] = eventsIn('Timeless')
  const written = Date.parse(event.lastTimestamp as string)
  t.ok(Math.abs(written - clock.wall()) < PROMPTLY_MS, `lastTimestamp ${event.lastTimestamp as string} is the wall clock's time`)
  t.equal(event.firstTimestamp, event.lastTimestamp)
  await recorder.close()
})

for (const [direction, stepMs] of [['back', -TEN_MINUTES], ['forward', TEN_MINUTES]] as const) {
  t.test(`a retry after 503 comes when due, the wall clock stepping ${direction}`, async t => {
    const clock = steppingClock()
    const { recorder } = makeRecorder(server, { clock })
    server.faults.add({ method: 'POST', times: 2, action: { status: 503, retryAfter: 1 } })
    for (let i = 0; i < 4; i++) recorder.record(shape({ reason: `Stepped${direction}` }))
    t.ok(await waitFor(() => recorder.stats().retried === 1), 'the first 503 was answered')
    clock.step(stepMs)
    t.ok(await waitFor(() => eventsIn(`Stepped${direction}`).length === 1, PROMPTLY_MS), 'written after the second retry')
    t.same(server.requests.filter(r => r.method === 'POST').map(r => r.status), [503, 503, 201])
    t.equal(eventsIn(`Stepped${direction}`)[0].count, 4)
    t.same(dropped(recorder), {})
    await recorder.close()
  })
}

t.test('a token comes when due, the wall clock stepping back', async t => {
  const clock = steppingClock()
  const { recorder } = makeRecorder(server, { clock, correlation: { rateLimit: { burst: 1, qps: 2 } } })
  recorder.record(shape({ reason: 'Tokens' }))
  t.ok(await waitFor(() => eventsIn('Tokens').length === 1), 'the first write took the only token')
  recorder.record(shape({ reason: 'Tokens' }))
  recorder.record(shape({ reason: 'Tokens' }))
  await yieldToIo()
  clock.step(-TEN_MINUTES)
  t.ok(await waitFor(() => eventsIn('Tokens')[0]?.count === 3, PROMPTLY_MS), 'the held write went with the next token')
  t.same(dropped(recorder), {})
  await recorder.close()
})

t.test('the aggregation window is real time: a wall clock stepping forward past it leaves it open', async t => {
  const clock = steppingClock()
  const { recorder } = makeRecorder(server, { clock, correlation: { rateLimit: false } })
  const similar = (i: number): ReturnType<typeof shape> => shape({ reason: 'Similar', message: `similar message ${i}`, time: clock.wall() })
  for (let i = 0; i < 9; i++) recorder.record(similar(i))
  clock.step(2 * TEN_MINUTES)
  recorder.record(similar(9))
  await recorder.flush()
  const events = eventsIn('Similar')
  t.equal(events.length, 10)
  const combined = events.find(event => (event.message as string).startsWith('(combined from similar events)'))
  t.ok(combined !== undefined, 'the tenth distinct message went to the combined Event')
  t.same(dropped(recorder), {})
  await recorder.close()
})
