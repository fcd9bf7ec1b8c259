import t from 'tap'
import pino from 'pino'
import { shapeEvents, type ShapeContext } from '../lib/shape/index.js'
import { createSelector } from '../lib/select/index.js'
import { resolveLevels } from '../lib/select/levels.js'
import { parseOptions } from '../lib/options.js'
import { createDiagnostics } from '../lib/diagnostics.js'
import type { EventShape, SelectedLine } from '../lib/types.js'

const body = {
  apiVersion: 'example.com/v1',
  kind: 'KopfExample',
  metadata: { name: 'kopf-example-1', namespace: 'lab', uid: '6f1c9a4e-55b2', resourceVersion: '9', labels: { a: 'b' } },
  spec: { field: 'value' }
}

class RuntimeError extends Error {
  override name = 'RuntimeError'
}

interface Pipeline {
  logger: pino.Logger<'audit'>
  events: EventShape[]
  warnings: string[]
  stats: { invalidBindings: number }
}

/** The real front of the pipeline: pino writes a line, select picks it, shape makes the events. */
function pipeline (options: Record<string, unknown> = {}, loggerOptions: pino.LoggerOptions<'audit'> = {}): Pipeline {
  const events: EventShape[] = []
  const warnings: string[] = []
  const stats = { invalidBindings: 0 }
  const diagnostics = createDiagnostics('pino-k8s-events', line => warnings.push(line))
  const { config, problems } = parseOptions(options)
  if (problems.length > 0) throw new Error(problems.join('\n'))
  const levels = resolveLevels(config, { audit: 35 }, problems)
  const selector = createSelector({
    objectKey: config.objectKey, minLevel: levels.minLevel, messageKey: 'msg', errorKey: 'err', levelValues: levels.levelValues, diagnostics
  })
  const ctx: ShapeContext = {
    typeFor: levels.typeFor,
    defaultReason: config.defaultReason,
    defaultAction: config.defaultAction,
    clusterNamespace: config.clusterNamespace,
    api: config.api,
    diagnostics,
    objectKey: config.objectKey,
    stats
  }
  const logger = pino({ customLevels: { audit: 35 }, level: 'trace', ...loggerOptions }, {
    write (line: string) {
      const selected = selector.select(line)
      if (selected !== undefined) events.push(...shapeEvents(selected, ctx))
    }
  })
  return { logger, events, warnings, stats }
}

t.test('the product contract, line by line', async t => {
  const { logger, events } = pipeline({ component: 'my-operator' })
  const child = logger.child({ k8sObject: body })
  child.info({ reason: 'SomeReason' }, 'Some message')
  child.warn('Some message')
  try {
    throw new RuntimeError('Exception text.')
  } catch (err) {
    child.error({ err, reason: 'SomeReason' }, 'Some exception:')
  }
  child.info({ eventType: 'SomeType', reason: 'SomeReason' }, 'Some message')
  t.same(events.map(e => [e.type, e.reason, e.message]), [
    ['Normal', 'SomeReason', 'Some message'],
    ['Warning', 'Logging', 'Some message'],
    ['Error', 'SomeReason', 'Some exception: Exception text.'],
    ['SomeType', 'SomeReason', 'Some message']
  ])
  for (const event of events) {
    t.strictSame(event.regarding, { apiVersion: 'example.com/v1', kind: 'KopfExample', name: 'kopf-example-1', namespace: 'lab', uid: '6f1c9a4e-55b2' })
    t.equal(event.namespace, 'lab')
    t.equal(event.action, 'Log')
  }
})

t.test('type: info Normal, warn Warning, error and fatal Error; below minLevel nothing', async t => {
  const { logger, events } = pipeline()
  const child = logger.child({ k8sObject: body })
  child.trace('t')
  child.debug('d')
  child.info('i')
  child.audit('a')
  child.warn('w')
  child.error('e')
  child.fatal('f')
  t.same(events.map(e => [e.message, e.type]), [['i', 'Normal'], ['a', 'Normal'], ['w', 'Warning'], ['e', 'Error'], ['f', 'Error']])
})

t.test('type: a custom mapping, custom levels, the highest mapped level at or below', async t => {
  const { logger, events } = pipeline({ minLevel: 'debug', eventTypes: { audit: 'Audit', error: 'Failure' } })
  const child = logger.child({ k8sObject: body })
  child.debug('d')
  child.info('i')
  child.audit('a')
  child.warn('w')
  child.error('e')
  child.fatal('f')
  t.same(events.map(e => [e.message, e.type]), [['d', 'Normal'], ['i', 'Normal'], ['a', 'Audit'], ['w', 'Warning'], ['e', 'Failure'], ['f', 'Error']])
  const levels = resolveLevels({ minLevel: 'info', eventTypes: { info: 'Normal', warn: 'Warning', warning: 'Alert' } }, undefined)
  t.equal(levels.typeFor(45), 'Alert', 'a later entry for the same level wins')
  t.equal(levels.typeFor(10), 'Normal', 'below every mapped level')
})

t.test('type: the eventType field is trimmed; blank or not a string falls back to the level', async t => {
  const { logger, events } = pipeline()
  const child = logger.child({ k8sObject: body })
  child.info({ eventType: '  Custom  ' }, 'a')
  child.warn({ eventType: ' ' }, 'b')
  child.warn({ eventType: 5 }, 'c')
  t.same(events.map(e => e.type), ['Custom', 'Warning', 'Warning'])
})

t.test('type: with events.k8s.io/v1 only Normal and Warning are sent; others become Warning', async t => {
  const { logger, events } = pipeline({ api: 'events.k8s.io/v1' })
  const child = logger.child({ k8sObject: body })
  child.info('i')
  child.warn('w')
  child.error('e')
  child.info({ eventType: 'SomeType' }, 's')
  child.warn({ eventType: 'Normal' }, 'n')
  t.same(events.map(e => e.type), ['Normal', 'Warning', 'Warning', 'Warning', 'Normal'])
})

t.test('reason: the field, whitespace removed, at most 128 bytes; the default; the error type', async t => {
  const { logger, events } = pipeline({ reason: 'Logged' })
  const child = logger.child({ k8sObject: body })
  child.info({ reason: ' Back off\n\tnow ' }, '1')
  child.info({ reason: 'R'.repeat(126) + '😀' }, '2')
  child.info({ reason: '  ' }, '3')
  child.info('4')
  child.error(new TypeError('bad'))
  child.error({ err: new TypeError('bad'), reason: 'Explicit' }, '6')
  child.warn({ reason: 42 }, '7')
  t.same(events.map(e => e.reason), ['Backoffnow', 'R'.repeat(126), 'Logged', 'Logged', 'TypeError', 'Explicit', 'Logged'])
})

t.test('message: logger.error(err) says the error once; newlines become spaces; 1024 bytes at most', async t => {
  const { logger, events } = pipeline()
  const child = logger.child({ k8sObject: body })
  child.error(new Error('boom', { cause: new Error('inner') }))
  child.warn('line one\nline two\r\n\tindented')
  child.warn('start' + 'x'.repeat(2048) + 'end')
  child.error(new AggregateError([new Error('first'), new Error('second'), new Error('third')]), 'Some exception:')
  t.equal(events[0].message, 'boom: inner')
  t.equal(events[1].message, 'line one line two indented')
  t.equal(Buffer.byteLength(events[2].message), 1024)
  t.match(events[2].message, /^startx+\.\.\.x+end$/)
  t.equal(events[3].message, 'Some exception: 3 errors: first; second; third')
})

t.test('message: errWithCause shapes keep the chain briefly', async t => {
  const { logger, events } = pipeline({}, { serializers: { err: pino.stdSerializers.errWithCause } })
  logger.child({ k8sObject: body }).error({ err: new Error('outer', { cause: new Error('middle', { cause: new Error('inner') }) }) }, 'Failed:')
  t.equal(events[0].message, 'Failed: outer: middle: inner')
})

t.test('errors given as text: a stack trace gives its exception, a reason on the line wins, other text is kept', async t => {
  const { logger, events } = pipeline({ reason: 'Reconcile' })
  const child = logger.child({ k8sObject: body })
  const stack = new TypeError('x is undefined').stack
  child.error({ err: stack }, 'Reconcile failed:')
  child.error({ err: stack, reason: 'HandlerFailed' }, 'Reconcile failed:')
  child.error({ err: 'dial tcp 10.0.0.1:443: connect: connection refused\n  retrying' }, 'Watch failed:')
  t.same(events.map(e => [e.reason, e.message]), [
    ['TypeError', 'Reconcile failed: x is undefined'],
    ['HandlerFailed', 'Reconcile failed: x is undefined'],
    ['Reconcile', 'Watch failed: dial tcp 10.0.0.1:443: connect: connection refused retrying']
  ])
})

t.test('action: the field, whitespace removed, else the option', async t => {
  const { logger, events } = pipeline({ action: 'Reconcile' })
  const child = logger.child({ k8sObject: body })
  child.info({ action: ' Scale Up ' }, 'a')
  child.info({ action: 'A'.repeat(200) }, 'b')
  child.info({ action: '' }, 'c')
  child.info('d')
  t.same(events.map(e => e.action), ['ScaleUp', 'A'.repeat(128), 'Reconcile', 'Reconcile'])
})

t.test('namespace: the object\'s, or clusterNamespace for cluster-scoped objects with involvedObject.namespace \'\'', async t => {
  const { logger, events } = pipeline({ clusterNamespace: 'kube-system' })
  logger.child({ k8sObject: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', uid: 'n1' } } }).warn('disk pressure')
  t.equal(events[0].namespace, 'kube-system')
  t.strictSame(events[0].regarding, { apiVersion: 'v1', kind: 'Node', name: 'node-1', namespace: '', uid: 'node-1' },
    'a Node is referred to by its name as uid, as the kubelet does and as kubectl describe node looks it up')
  const defaults = pipeline()
  defaults.logger.child({ k8sObject: { apiVersion: 'v1', kind: 'Namespace', name: 'lab' } }).info('created')
  t.equal(defaults.events[0].namespace, 'default')
  t.notOk(Object.hasOwn(defaults.events[0].regarding, 'uid'), 'no uid → none invented')
})

t.test('a reference keeps its fieldPath', async t => {
  const { logger, events } = pipeline()
  logger.child({ k8sObject: { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'lab', uid: 'u', fieldPath: 'spec.containers{main}' } }).warn('x')
  t.equal(events[0].regarding.fieldPath, 'spec.containers{main}')
})

t.test('time: the line\'s time (epoch ms or ISO), else now', async t => {
  const epoch = pipeline()
  const before = Date.now()
  epoch.logger.child({ k8sObject: body }).info('x')
  t.ok(epoch.events[0].time >= before && epoch.events[0].time <= Date.now())
  const iso = pipeline({}, { timestamp: () => ',"time":"2026-11-26T21:18:50.976Z"' })
  iso.logger.child({ k8sObject: body }).info('x')
  t.equal(iso.events[0].time, Date.parse('2026-11-26T21:18:50.976Z'))
  const none = pipeline({}, { timestamp: false })
  const start = Date.now()
  none.logger.child({ k8sObject: body }).info('x')
  t.ok(none.events[0].time >= start && none.events[0].time <= Date.now())
})

t.test('a list of objects: one event each', async t => {
  const { logger, events } = pipeline()
  logger.child({ k8sObject: [body, { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'other' }] }).warn({ reason: 'Moved' }, 'x')
  t.same(events.map(e => [e.regarding.name, e.namespace, e.reason]), [['kopf-example-1', 'lab', 'Moved'], ['p', 'other', 'Moved']])
})

t.test('events for Events post nothing, silently', async t => {
  const { logger, events, warnings } = pipeline()
  logger.child({ k8sObject: { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1', namespace: 'lab' } } }).warn('x')
  logger.child({ k8sObject: { apiVersion: 'events.k8s.io/v1', kind: 'Event', name: 'e2', namespace: 'lab' } }).warn('x')
  t.same(events, [])
  t.same(warnings, [])
})

t.test('an invalid binding: no event, one diagnostic naming what is missing and the key, counted; other lines unaffected', async t => {
  const { logger, events, warnings, stats } = pipeline()
  logger.child({ k8sObject: { kind: 'Pod', metadata: { name: 'p' } } }).warn('x')
  logger.child({ k8sObject: { kind: 'Pod', metadata: { name: 'p' } } }).warn('again')
  logger.child({ k8sObject: 'demo-pod' }).warn('x')
  logger.child({ k8sObject: body }).warn('fine')
  t.same(events.map(e => e.message), ['fine'])
  t.equal(warnings.length, 1, 'rate limited')
  t.equal(warnings[0], "pino-k8s-events: the 'k8sObject' binding has no apiVersion (each must be a non-empty string), so no event can name its object")
  t.equal(stats.invalidBindings, 3)
})

t.test('a dotted objectKey is named in the diagnostic', async t => {
  const { logger, events, warnings } = pipeline({ objectKey: 'meta.object' })
  logger.child({ meta: { object: { apiVersion: 'v1', kind: 'Pod' } } }).warn('x')
  logger.child({ meta: { object: body } }).warn('y')
  t.same(events.map(e => e.message), ['y'])
  t.match(warnings[0], /the 'meta\.object' binding has no name/)
})

t.test('shapeEvents never throws', async t => {
  const warnings: string[] = []
  const ctx: ShapeContext = {
    typeFor () { throw new Error('broken mapping') },
    defaultReason: 'Logging',
    defaultAction: 'Log',
    clusterNamespace: 'default',
    api: 'v1',
    diagnostics: createDiagnostics('pino-k8s-events', line => warnings.push(line)),
    objectKey: 'k8sObject'
  }
  const line: SelectedLine = { level: 30, time: 0, message: 'm', fields: {}, binding: body }
  t.same(shapeEvents(line, ctx), [])
  t.match(warnings[0], /could not make an event of a log line: broken mapping/)
})

t.test('an object named twice on one line is one occurrence', async t => {
  const { logger, events } = pipeline()
  const pod = { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'lab', uid: 'u' }
  logger.child({ k8sObject: [pod, { ...pod }, { ...pod, fieldPath: 'spec.containers{main}' }, { ...pod, uid: 'other' }] }).warn('x')
  t.strictSame(events.map(e => e.regarding), [
    pod,
    { ...pod, fieldPath: 'spec.containers{main}' },
    { ...pod, uid: 'other' }
  ], 'only exact repeats are dropped; a different fieldPath or uid is another target')

  const nodes = pipeline()
  nodes.logger.child({
    k8sObject: [
      { apiVersion: 'v1', kind: 'Node', name: 'node-1' },
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', uid: '1b2c-uid' } }
    ]
  }).warn('disk pressure')
  t.strictSame(nodes.events.map(e => e.regarding), [{ apiVersion: 'v1', kind: 'Node', name: 'node-1', namespace: '', uid: 'node-1' }],
    'two references to one Node become one once the uid is the name')
})
