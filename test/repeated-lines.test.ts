// Lines that repeat a remembered line but for their time take its events without being parsed again: they must
// give exactly what parsing them would, and nothing that is not such a repeat may pass for one.
import t from 'tap'
import pino from 'pino'
import { createRepeatedLines, REMEMBERED_LINES } from '../lib/select/repeats.js'
import { createSelector } from '../lib/select/index.js'
import { PINO_LEVELS } from '../lib/select/levels.js'
import { shapeEvents } from '../lib/shape/index.js'
import { createDiagnostics } from '../lib/diagnostics.js'
import { createLineCounters, createLineHandler, PINO_INPUT_KEYS } from '../lib/pipeline.js'
import { resolveLevels } from '../lib/select/levels.js'
import type { EventShape } from '../lib/types.js'
import { eventsIn, makeRecorder, startApiServerWith, testConfig } from './helpers/recorder.js'

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'lab', uid: 'uid-web-0' } }
const T0 = 1_764_000_000_000

/** What pino writes for `log`, with the times given (pino's own time function writes `,"time":<ms>`). */
function pinoLines (times: number[], log: (logger: pino.Logger, i: number) => void): string[] {
  const lines: string[] = []
  let i = 0
  const logger = pino({ timestamp: () => `,"time":${times[i]}` }, { write: (line: string) => { lines.push(line.trimEnd()) } })
  for (; i < times.length; i++) log(logger, i)
  return lines
}

const warnings: string[] = []
const diagnostics = createDiagnostics('pino-k8s-events', line => warnings.push(line))
const selector = createSelector({ objectKey: 'k8sObject', minLevel: 30, messageKey: 'msg', errorKey: 'err', levelValues: PINO_LEVELS, diagnostics })
const shapeContext = {
  typeFor: (level: number) => level >= 40 ? 'Warning' : 'Normal',
  defaultReason: 'Logging',
  defaultAction: 'Log',
  clusterNamespace: 'default',
  api: 'v1' as const,
  diagnostics,
  objectKey: 'k8sObject'
}

/** The events parsing gives, with no remembering at all. */
function parsed (line: string): EventShape[] | undefined {
  const selected = selector.select(line)
  return selected === undefined ? undefined : shapeEvents(selected, shapeContext)
}

/** The pipeline's use: a known line's events, else parse it and remember it. */
function through (repeats: ReturnType<typeof createRepeatedLines>, line: string): { shapes?: EventShape[], remembered: boolean } {
  const known = repeats.shapesOf(line)
  if (known !== undefined) return { shapes: known, remembered: true }
  const shapes = parsed(line)
  if (shapes !== undefined) repeats.learn(line, shapes)
  return { shapes, remembered: false }
}

t.test('a repeat takes the events its parse gives, at its own time', async t => {
  const repeats = createRepeatedLines('time')
  const times = [T0, T0 + 1, T0 + 1, T0 + 7, T0 + 123_456, T0 + 10_000_000]
  const lines = pinoLines(times, logger => logger.child({ k8sObject: pod }).warn({ reason: 'BackOff' }, 'Back-off restarting failed container'))
  const results = lines.map(line => through(repeats, line))
  t.same(results.map(result => result.remembered), [false, false, true, true, true, true], 'remembered once two lines showed their digits are the time')
  results.forEach((result, i) => {
    t.same(result.shapes, parsed(lines[i]), `line ${i}: the same events as parsing it`)
    t.equal(result.shapes?.[0].time, times[i])
  })
  t.same(warnings, [])
})

t.test('until two lines with different times were seen, only the very same text is a repeat', async t => {
  const repeats = createRepeatedLines('time')
  const [first, second] = pinoLines([T0, T0 + 5], logger => logger.child({ k8sObject: pod }).warn('same text'))
  t.equal(through(repeats, first).remembered, false)
  t.ok(repeats.shapesOf(first), 'the same line again')
  t.equal(repeats.shapesOf(second), undefined, 'another time: not yet')
})

t.test('lines that differ anywhere but in their time digits are parsed', async t => {
  const repeats = createRepeatedLines('time')
  const [a, b] = pinoLines([T0, T0 + 1], logger => logger.child({ k8sObject: pod }).warn({ reason: 'BackOff' }, 'Back-off'))
  through(repeats, a)
  through(repeats, b)
  const others = [
    ...pinoLines([T0 + 2], logger => logger.child({ k8sObject: pod }).warn({ reason: 'BackOff' }, 'Back-ofF')),
    ...pinoLines([T0 + 2], logger => logger.child({ k8sObject: pod }).error({ reason: 'BackOff' }, 'Back-off')),
    ...pinoLines([T0 + 2], logger => logger.child({ k8sObject: { ...pod, metadata: { ...pod.metadata, name: 'web-1' } } }).warn({ reason: 'BackOff' }, 'Back-off')),
    a.replace(`"time":${T0}`, `"time":${T0}.5`),
    a.replace(`"time":${T0}`, `"time":${T0}e3`),
    a.replace(`"time":${T0}`, '"time":-5'),
    a.replace(`"time":${T0}`, '"time":"5"'),
    a + ' ',
    ' ' + a
  ]
  for (const line of others) t.equal(repeats.shapesOf(line), undefined, line)
})

t.test('digits JSON would not read, or a double could not hold, are no repeat', async t => {
  const repeats = createRepeatedLines('time')
  const [a, b] = pinoLines([T0, T0 + 1], logger => logger.child({ k8sObject: pod }).warn('x'))
  through(repeats, a)
  through(repeats, b)
  const leadingZero = a.replace(`"time":${T0}`, `"time":0${T0}`)
  t.equal(repeats.shapesOf(leadingZero), undefined, 'a leading zero')
  t.equal(parsed(leadingZero), undefined, '(which is not JSON)')
  t.equal(selector.invalidLines > 0, true)
  t.equal(repeats.shapesOf(a.replace(`"time":${T0}`, '"time":1234567890123456')), undefined, '16 digits')
  t.ok(repeats.shapesOf(a.replace(`"time":${T0}`, '"time":0')), 'zero is a number')
  warnings.length = 0
})

t.test('a line whose time is written twice never stands for other times', async t => {
  const repeats = createRepeatedLines('time')
  // JSON.parse keeps the last of duplicate keys; an escaped key is the same key.
  for (const second of ['"time"', '"\\u0074ime"']) {
    const line = (digits: number, last: number): string =>
      `{"level":40,"time":${digits},"k8sObject":{"apiVersion":"v1","kind":"Pod","name":"twice","namespace":"lab"},"msg":"m",${second}:${last}}`
    // A different second time: the digits are not the time, nothing is remembered.
    t.equal(through(repeats, line(T0, T0 + 9)).remembered, false)
    t.equal(repeats.shapesOf(line(T0 + 1, T0 + 9)), undefined)
    // The same second time: remembered as that very text only, and a line with other digits does not confirm it.
    through(repeats, line(T0 + 9, T0 + 9))
    t.equal(through(repeats, line(T0 + 10, T0 + 9)).shapes?.[0].time, T0 + 9, 'parsed: the last time wins')
    const third = line(T0 + 11, T0 + 9)
    t.equal(repeats.shapesOf(third), undefined)
    t.equal(parsed(third)?.[0].time, T0 + 9)
  }
})

t.test(`at most ${REMEMBERED_LINES} lines are remembered`, async t => {
  const repeats = createRepeatedLines('time')
  const linesOf = (n: number): string[] => pinoLines([T0, T0 + 1, T0 + 2], logger => logger.child({ k8sObject: { ...pod, metadata: { ...pod.metadata, name: `web-${n}` } } }).warn('x'))
  // Each object's third line is a repeat, as lines of objects an operator keeps logging about are.
  for (let n = 0; n <= REMEMBERED_LINES; n++) for (const line of linesOf(n)) through(repeats, line)
  t.equal(repeats.shapesOf(linesOf(0)[2]), undefined, 'the first one is forgotten')
  t.ok(repeats.shapesOf(linesOf(1)[2]))
  t.ok(repeats.shapesOf(linesOf(REMEMBERED_LINES)[2]))
  t.ok(repeats.shapesOf(linesOf(1000)[2]), 'each of a thousand objects is found among the others')
})

t.test('lines that carry the binding before their time (the winston transport writes them so) are remembered per object', async t => {
  const repeats = createRepeatedLines('time')
  const objects = 300
  const lineOf = (n: number, time: number): string =>
    `{"k8sObject":${JSON.stringify({ ...pod, metadata: { ...pod.metadata, name: `web-${n}`, uid: `uid-${n}` } })},"level":40,"time":${time},"msg":"reconciled","reason":"Reconciled"}`
  // Each object's third line is a repeat, as lines of objects an application keeps logging about are.
  for (let n = 0; n < objects; n++) for (const time of [T0, T0 + 1, T0 + 2]) through(repeats, lineOf(n, time))
  let remembered = 0
  for (let n = 0; n < objects; n++) {
    const line = lineOf((n * 7) % objects, T0 + 3)
    const known = repeats.shapesOf(line)
    if (known !== undefined) remembered++
    t.same(known ?? parsed(line), parsed(line))
  }
  t.equal(remembered, objects, 'every object\'s line is found, in any order')
})

t.test('through the line handler: repeats of lines that warned warn and count again, valid repeats count exactly', async t => {
  const server = await startApiServerWith(['lab'])
  t.teardown(async () => await server.close())
  const { recorder, lines: stderr } = makeRecorder(server)
  const config = testConfig()
  const counters = createLineCounters()
  const seen: string[] = []
  const handlerDiagnostics = createDiagnostics('pino-k8s-events', line => seen.push(line))
  const handle = createLineHandler({ config, levels: resolveLevels(config, {}), keys: PINO_INPUT_KEYS, recorder, diagnostics: handlerDiagnostics, counters })
  const times = Array.from({ length: 500 }, (_, i) => T0 + i)
  const valid = pinoLines(times, (logger, i) => logger.child({ k8sObject: pod }).warn({ reason: i % 2 === 0 ? 'Even' : 'Odd' }, 'interleaved'))
  const invalid = pinoLines(times, logger => logger.child({ k8sObject: { apiVersion: 'v1', kind: 'Pod', name: 'bad name\n' } }).warn('invalid'))
  for (let i = 0; i < times.length; i++) {
    handle(valid[i])
    handle(invalid[i])
  }
  t.equal(counters.linesRead, 1000)
  t.equal(counters.linesSelected, 1000)
  t.equal(counters.invalidBindings, 500, 'every invalid binding counted, repeats included')
  t.ok(seen.some(line => line.includes('control characters')), 'and told')
  await recorder.flush()
  t.same(eventsIn(server, 'lab', 'Even').map(event => event.count), [250])
  t.same(eventsIn(server, 'lab', 'Odd').map(event => event.count), [250])
  t.same(stderr, [])
  await recorder.close()
})
