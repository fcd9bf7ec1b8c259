import t from 'tap'
import pino from 'pino'
import { createSelector, type SelectorOptions } from '../lib/select/index.js'
import { createDiagnostics } from '../lib/diagnostics.js'
import { resolveLevels, lookupLevel, PINO_LEVELS } from '../lib/select/levels.js'
import { parseOptions } from '../lib/options.js'
import type { SerializedError } from '../lib/types.js'

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'demo-pod', namespace: 'lab', uid: 'u1' } }

function setup (overrides: Partial<SelectorOptions> = {}): { selector: ReturnType<typeof createSelector>, warnings: string[] } {
  const warnings: string[] = []
  const diagnostics = createDiagnostics('pino-k8s-events', line => warnings.push(line))
  const selector = createSelector({
    objectKey: 'k8sObject',
    minLevel: 30,
    messageKey: 'msg',
    errorKey: 'err',
    levelValues: { ...PINO_LEVELS, audit: 35 },
    diagnostics,
    ...overrides
  })
  return { selector, warnings }
}

/** What pino itself writes for these calls. */
function pinoLines (log: (logger: pino.Logger<'audit'>) => void, options: pino.LoggerOptions<'audit'> = {}): string[] {
  const lines: string[] = []
  const logger = pino({ customLevels: { audit: 35 }, ...options }, { write: (line: string) => { lines.push(line.trimEnd()) } })
  log(logger)
  return lines
}

t.test('a pino line with the binding is selected with level, time, message, fields and binding', async t => {
  const { selector } = setup()
  const before = Date.now()
  const [line] = pinoLines(logger => logger.child({ k8sObject: pod }).info({ reason: 'SomeReason' }, 'Some message'))
  const selected = selector.select(line)
  t.ok(selected)
  t.equal(selected?.level, 30)
  t.ok(selected!.time >= before && selected!.time <= Date.now())
  t.equal(selected?.message, 'Some message')
  t.same(selected?.binding, pod)
  t.equal(selected?.fields.reason, 'SomeReason')
  t.equal(selected?.err, undefined)
})

t.test('an error under errorKey arrives as pino serialized it', async t => {
  const { selector } = setup()
  const [line] = pinoLines(logger => {
    try {
      throw new TypeError('Exception text.', { cause: new Error('inner') })
    } catch (err) {
      logger.child({ k8sObject: pod }).error({ err, reason: 'SomeReason' }, 'Some exception:')
    }
  })
  const selected = selector.select(line)
  t.equal(selected?.level, 50)
  const err = selected?.err as SerializedError
  t.equal(err.type, 'TypeError')
  t.equal(err.message, 'Exception text.: inner')
  t.equal(selected?.message, 'Some exception:')
})

t.test('a custom messageKey and errorKey', async t => {
  const { selector } = setup({ messageKey: 'message', errorKey: 'error' })
  const [line] = pinoLines(logger => logger.child({ k8sObject: pod }).warn({ error: new Error('boom') }, 'text'), { messageKey: 'message', errorKey: 'error' })
  const selected = selector.select(line)
  t.equal(selected?.message, 'text')
  t.equal((selected?.err as SerializedError).message, 'boom')
})

t.test('fast path: a line without the key is never parsed (invalid JSON lacking the key gives no diagnostic)', async t => {
  const { selector, warnings } = setup()
  t.equal(selector.select('{this is not json at all'), undefined)
  t.equal(selector.select('{"level":30,"msg":"k8sObject mentioned without quotes"}'), undefined)
  t.same(warnings, [])
  t.equal(selector.invalidLines, 0)
})

t.test('malformed JSON with the key: a diagnostic, undefined, counted; later lines unaffected', async t => {
  const { selector, warnings } = setup()
  t.equal(selector.select('{"k8sObject": {"kind": "Pod"'), undefined)
  t.equal(selector.invalidLines, 1)
  t.equal(warnings.length, 1)
  t.match(warnings[0], /^pino-k8s-events: a log line mentioning 'k8sObject' is not valid JSON, so it posts no event: /)
  t.ok(selector.select(JSON.stringify({ level: 30, k8sObject: pod })))
})

t.test('non-object JSON with the key: a diagnostic each, rate limited under one key', async t => {
  const { selector, warnings } = setup()
  for (const line of ['"k8sObject"', '["k8sObject"]', 'null "k8sObject"']) t.equal(selector.select(line), undefined)
  t.equal(selector.invalidLines, 3)
  t.equal(warnings.length, 1, 'the same kind of trouble is printed once per interval')
  t.match(warnings[0], /is JSON string, not an object/)
})

t.test('the key inside a value or a nested object is not a binding', async t => {
  const { selector, warnings } = setup()
  t.equal(selector.select(JSON.stringify({ level: 50, msg: 'the "k8sObject" option' })), undefined)
  t.equal(selector.select(JSON.stringify({ level: 50, nested: { k8sObject: pod } })), undefined)
  t.same(warnings, [])
})

t.test('a dotted objectKey reaches into nested objects', async t => {
  const { selector } = setup({ objectKey: 'meta.object' })
  t.same(selector.select(JSON.stringify({ level: 40, meta: { object: pod } }))?.binding, pod)
  t.equal(selector.select(JSON.stringify({ level: 40, meta: { other: pod } })), undefined)
  t.equal(selector.select(JSON.stringify({ level: 40, meta: 'object' })), undefined)
  t.equal(selector.select(JSON.stringify({ level: 40, object: pod })), undefined)
})

t.test('a key that needs escaping in JSON is still found', async t => {
  const { selector } = setup({ objectKey: 'k8s"obj' })
  t.same(selector.select(JSON.stringify({ level: 30, 'k8s"obj': pod }))?.binding, pod)
})

t.test('bindings of the wrong type are handed on (shape explains them)', async t => {
  const { selector } = setup()
  t.equal(selector.select('{"level":30,"k8sObject":null}')?.binding, null)
  t.equal(selector.select('{"level":30,"k8sObject":"demo-pod"}')?.binding, 'demo-pod')
})

t.test('levels: below minLevel nothing; numbers, labels, custom levels and other loggers\' names', async t => {
  const { selector, warnings } = setup({ minLevel: 35 })
  const at = (level: unknown): number | undefined => selector.select(JSON.stringify({ level, k8sObject: pod }))?.level
  t.equal(at(30), undefined)
  t.equal(at('info'), undefined)
  t.equal(at(35), 35)
  t.equal(at('audit'), 35)
  t.equal(at('WARN'), 40)
  t.equal(at('Warning'), 40)
  t.equal(at('err'), 50)
  t.equal(at('CRITICAL'), 60)
  t.equal(at('panic'), 60)
  t.equal(at('dpanic'), 60)
  t.equal(at('45'), 45)
  t.same(warnings, [])
})

t.test('a line without a level counts as info; an unknown label too, with a diagnostic', async t => {
  const { selector, warnings } = setup()
  t.equal(selector.select(JSON.stringify({ msg: 'from another logger', k8sObject: pod }))?.level, 30)
  t.equal(selector.select(JSON.stringify({ level: 'verbose', k8sObject: pod }))?.level, 30)
  t.match(warnings[0], /level "verbose", which this logger does not have; it counts as info/)
  t.equal(setup({ minLevel: 40 }).selector.select(JSON.stringify({ k8sObject: pod })), undefined)
})

t.test('level labels written by a custom level formatter', async t => {
  const { selector } = setup()
  const lines = pinoLines(logger => {
    const child = logger.child({ k8sObject: pod })
    child.debug('hidden')
    child.audit('audited')
    child.fatal('the end')
  }, { level: 'trace', formatters: { level: label => ({ level: label }) } })
  t.same(lines.map(line => selector.select(line)?.level), [undefined, 35, 60])
})

t.test('time: epoch ms, epoch seconds, ISO strings (isoTime), else now', async t => {
  const { selector } = setup()
  t.equal(selector.select(JSON.stringify({ time: 1764191930976, k8sObject: pod }))?.time, 1764191930976)
  t.equal(selector.select(JSON.stringify({ time: 1764191930.9764, k8sObject: pod }))?.time, 1764191930976, 'epoch seconds, as zap writes them')
  const [isoLine] = pinoLines(logger => logger.child({ k8sObject: pod }).info('x'), { timestamp: pino.stdTimeFunctions.isoTime })
  const iso = JSON.parse(isoLine).time as string
  t.equal(selector.select(isoLine)?.time, Date.parse(iso))
  const before = Date.now()
  const noTime = selector.select(JSON.stringify({ time: 'yesterday', k8sObject: pod }))?.time ?? 0
  t.ok(noTime >= before && noTime <= Date.now())
})

t.test('message: absent → \'\', numbers kept as text, objects ignored; errors as objects or text', async t => {
  const { selector } = setup()
  t.equal(selector.select(JSON.stringify({ k8sObject: pod }))?.message, '')
  t.equal(selector.select(JSON.stringify({ msg: 42, k8sObject: pod }))?.message, '42')
  t.equal(selector.select(JSON.stringify({ msg: { a: 1 }, k8sObject: pod }))?.message, '')
  t.equal(selector.select(JSON.stringify({ err: 'connection refused', k8sObject: pod }))?.err, 'connection refused',
    'an error written as text (zap, logrus, Python tracebacks) is passed on as text, for the shaping stage to read')
  t.equal(selector.select(JSON.stringify({ err: '  ', k8sObject: pod }))?.err, undefined, 'blank text is no error')
  t.equal(selector.select(JSON.stringify({ err: 42, k8sObject: pod }))?.err, undefined)
})

t.test('prototype pollution attempts pollute nothing and are not data', async t => {
  const { selector } = setup()
  const selected = selector.select('{"__proto__":{"polluted":1,"k8sObject":{"kind":"Pod"}},"level":30,"k8sObject":{"apiVersion":"v1","kind":"Pod","name":"p"}}')
  t.equal(({} as Record<string, unknown>).polluted, undefined)
  t.same(selected?.binding, { apiVersion: 'v1', kind: 'Pod', name: 'p' })
  t.equal(selector.select('{"__proto__":{"k8sObject":{"kind":"Pod"}},"level":30}'), undefined, 'a binding under __proto__ is no binding')
  t.equal(setup({ objectKey: 'constructor.name' }).selector.select('{"level":30,"msg":"constructor"}'), undefined)
  t.equal(selector.select('{"level":"constructor","k8sObject":{}}')?.level, 30, 'an inherited name is no level')
  t.equal(selector.select('{"level":"__proto__","k8sObject":{}}')?.level, 30)
})

t.test('resolveLevels: minLevel, custom levels, unknown labels reported', async t => {
  const problems: string[] = []
  const levels = resolveLevels({ minLevel: 'audit', eventTypes: { info: 'Normal', audit: 'Audit' } }, { audit: 35, bad: 'x' as unknown as number }, problems)
  t.equal(levels.minLevel, 35)
  t.equal(levels.levelValues.audit, 35)
  t.equal(levels.levelValues.info, 30)
  t.equal(problems.length, 1)
  t.match(problems[0], /level 'bad' has the value "x": a level must be a finite number; ignoring it/)
  t.equal(resolveLevels({ minLevel: 'silent', eventTypes: {} }, undefined).minLevel, Infinity)
  t.equal(resolveLevels({ minLevel: 45, eventTypes: {} }, undefined).minLevel, 45)
  t.equal(lookupLevel(levels.levelValues, 'nonsense'), undefined)
  t.equal(lookupLevel(levels.levelValues, 'toString'), undefined)
})
