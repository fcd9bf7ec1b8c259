// A line standing for several occurrences (what the winston transport's application thread writes for lines it
// counted): read back exactly, recorded once per occurrence, and read so only where the project wrote it.
import t from 'tap'
import { readOccurrences, withOccurrences } from '../lib/select/occurrences.js'
import { createDiagnostics } from '../lib/diagnostics.js'
import { createLineCounters, createLineHandler, PINO_INPUT_KEYS } from '../lib/pipeline.js'
import { resolveLevels } from '../lib/select/levels.js'
import { eventsIn, makeRecorder, startApiServerWith, testConfig } from './helpers/recorder.js'

const T0 = 1_764_000_000_000
const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'lab', uid: 'uid-web-0' } }

function line (time: number, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ k8sObject: pod, level: 40, time, msg: 'Back-off restarting failed container', reason: 'BackOff', ...fields })
}

t.test('written and read back: the count, the first time and the line; a single occurrence is the plain line', async t => {
  const text = line(T0 + 9)
  t.equal(withOccurrences(text, 1, T0 + 9), text)
  t.same(readOccurrences(withOccurrences(text, 12, T0)), { line: text, count: 12, firstTime: T0 })
  for (const plain of [text, '', ' 3,4 {}', '3 {}', '3,x {}', '0,1 {}', '1.5,1 {}', '99999999999999999999,1 {}', '3,4']) {
    t.equal(readOccurrences(plain), undefined, `${JSON.stringify(plain.slice(0, 24))} is a plain line`)
  }
})

t.test('through the line handler: each occurrence recorded, the first at its own time; only where asked for', async t => {
  const server = await startApiServerWith(['lab'])
  t.teardown(async () => await server.close())
  const { recorder, lines: stderr } = makeRecorder(server)
  const config = testConfig()
  const handler = (readsOccurrences: boolean): { handle: (line: string) => void, counters: ReturnType<typeof createLineCounters> } => {
    const counters = createLineCounters()
    const diagnostics = createDiagnostics('pino-k8s-events', () => {})
    return { handle: createLineHandler({ config, levels: resolveLevels(config, {}), keys: PINO_INPUT_KEYS, recorder, diagnostics, counters, readsOccurrences }), counters }
  }
  const winston = handler(true)
  winston.handle(withOccurrences(line(T0 + 5_000), 4, T0))
  winston.handle(line(T0 + 6_000))
  winston.handle(withOccurrences(line(T0 + 9_000), 3, T0 + 7_000))
  t.equal(winston.counters.linesRead, 8)
  t.equal(winston.counters.linesSelected, 8)
  await recorder.flush()
  const [event] = eventsIn(server, 'lab', 'BackOff')
  t.equal(event.count, 8)
  t.equal(event.firstTimestamp, new Date(T0).toISOString().replace('.000Z', 'Z'), 'the first occurrence at the first time')
  t.equal(event.lastTimestamp, new Date(T0 + 9_000).toISOString().replace('.000Z', 'Z'))

  // The pino transport and the command read no count: such a line is no JSON, and says so.
  const pinoSide = handler(false)
  pinoSide.handle(withOccurrences(line(T0 + 10_000), 5, T0 + 10_000))
  t.equal(pinoSide.counters.linesSelected, 0)
  t.equal(pinoSide.counters.invalidLines, 1)
  await recorder.flush()
  t.equal(eventsIn(server, 'lab', 'BackOff')[0].count, 8)
  t.same(stderr, [])
  await recorder.close()
})

t.test('a counted line that warns, or names no valid object, counts and warns once per occurrence', async t => {
  const server = await startApiServerWith(['lab'])
  t.teardown(async () => await server.close())
  const { recorder } = makeRecorder(server)
  const config = testConfig()
  const counters = createLineCounters()
  const seen: string[] = []
  const diagnostics = createDiagnostics('pino-k8s-events', text => seen.push(text))
  const handle = createLineHandler({ config, levels: resolveLevels(config, {}), keys: PINO_INPUT_KEYS, recorder, diagnostics, counters, readsOccurrences: true })
  const invalid = JSON.stringify({ k8sObject: { apiVersion: 'v1', kind: 'Pod', name: 'bad name\n' }, level: 40, time: T0, msg: 'invalid' })
  handle(withOccurrences(invalid, 6, T0))
  t.equal(counters.linesRead, 6)
  t.equal(counters.invalidBindings, 6, 'every occurrence of the invalid binding counted')
  t.ok(seen.some(text => text.includes('control characters')), 'and told')
  await recorder.close()
})
