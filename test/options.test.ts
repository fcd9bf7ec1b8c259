import t from 'tap'
import { hostname } from 'node:os'
import { checkOptions, parseOptions, qualifiedNameProblem } from '../lib/options.js'

t.test('every default', async t => {
  const { config, problems } = parseOptions({})
  t.same(problems, [])
  t.equal(config.component, 'pino-k8s-events')
  t.equal(config.instance, (process.env.POD_NAME ?? '') !== '' ? process.env.POD_NAME : hostname())
  t.equal(config.objectKey, 'k8sObject')
  t.equal(config.minLevel, 'info')
  t.same(config.eventTypes, { info: 'Normal', warn: 'Warning', error: 'Error', fatal: 'Error' })
  t.equal(config.defaultReason, 'Logging')
  t.equal(config.defaultAction, 'Log')
  t.equal(config.clusterNamespace, 'default')
  t.equal(config.api, 'v1')
  t.equal(config.kubeconfig, undefined)
  t.equal(config.context, undefined)
  t.same(config.correlation, { cacheSize: 4096, aggregate: { maxEvents: 10, intervalSeconds: 600 }, rateLimit: { burst: 25, qps: 1 / 300 } })
  t.same(config.delivery, {
    qps: 20,
    burst: 100,
    queueSize: 1000,
    flushTimeoutMs: 8000,
    maxAttempts: 12,
    maxRetryAgeMs: 300000,
    requestTimeoutMs: 10000,
    concurrency: 8
  })
})

t.test('the instance defaults to POD_NAME, else the host name', async t => {
  const saved = process.env.POD_NAME
  t.teardown(() => {
    if (saved === undefined) delete process.env.POD_NAME
    else process.env.POD_NAME = saved
  })
  process.env.POD_NAME = 'my-operator-7d9f-abcde'
  t.equal(parseOptions({}).config.instance, 'my-operator-7d9f-abcde')
  delete process.env.POD_NAME
  t.equal(parseOptions({}).config.instance, hostname())
})

t.test('every option is taken when valid', async t => {
  const { config, problems } = parseOptions({
    component: 'example.com/my-operator',
    instance: 'pod-1',
    objectKey: 'meta.object',
    relatedKey: 'meta.related',
    minLevel: 'warn',
    eventTypes: { warn: 'Alert', audit: 'Audit' },
    reason: 'Some Reason',
    action: 'Reconcile',
    clusterNamespace: 'kube-system',
    api: 'events.k8s.io/v1',
    kubeconfig: '/tmp/a:/tmp/b',
    context: 'lab',
    cacheSize: 100,
    aggregate: { maxEvents: 5 },
    rateLimit: { qps: 1 },
    qps: 5,
    burst: '10',
    queueSize: 50,
    flushTimeout: 0,
    maxAttempts: 3,
    maxRetryAge: 1000,
    requestTimeout: 500,
    concurrency: 2
  })
  t.same(problems, [])
  t.equal(config.component, 'example.com/my-operator')
  t.equal(config.instance, 'pod-1')
  t.equal(config.objectKey, 'meta.object')
  t.equal(config.relatedKey, 'meta.related')
  t.equal(config.minLevel, 'warn')
  t.same(config.eventTypes, { info: 'Normal', warn: 'Alert', error: 'Error', fatal: 'Error', audit: 'Audit' }, 'merged over the defaults')
  t.equal(config.defaultReason, 'SomeReason', 'whitespace removed')
  t.equal(config.defaultAction, 'Reconcile')
  t.equal(config.clusterNamespace, 'kube-system')
  t.equal(config.api, 'events.k8s.io/v1')
  t.equal(config.kubeconfig, '/tmp/a:/tmp/b')
  t.equal(config.context, 'lab')
  t.same(config.correlation, { cacheSize: 100, aggregate: { maxEvents: 5, intervalSeconds: 600 }, rateLimit: { burst: 25, qps: 1 } })
  t.same(config.delivery, {
    qps: 5, burst: 10, queueSize: 50, flushTimeoutMs: 0, maxAttempts: 3, maxRetryAgeMs: 1000, requestTimeoutMs: 500, concurrency: 2
  })
  t.equal(parseOptions({ minLevel: 35 }).config.minLevel, 35)
})

t.test('aggregation and rate limiting can be turned off', async t => {
  const { config, problems } = parseOptions({ aggregate: false, rateLimit: false })
  t.same(problems, [])
  t.equal(config.correlation.aggregate, false)
  t.equal(config.correlation.rateLimit, false)
})

t.test('keys pino adds are not problems', async t => {
  const { problems } = parseOptions({ $context: { messageKey: 'msg' }, pinoWillSendConfig: true, levels: { audit: 35 } })
  t.same(problems, [])
})

t.test('unknown options are named, and the rest still applies', async t => {
  const { config, problems } = parseOptions({ foo: 1, component: 'op', aggregate: { maxEvent: 3 }, rateLimit: { brust: 2 } })
  t.same(problems, ["unknown option 'foo'", "unknown option 'aggregate.maxEvent'", "unknown option 'rateLimit.brust'"])
  t.equal(config.component, 'op')
})

t.test('options that are not an object: the defaults, one problem; none for absent options', async t => {
  t.same(parseOptions(undefined).problems, [])
  t.same(parseOptions(null).problems, [])
  for (const raw of ['component=x', 42, [1], new Date(0)]) {
    const { config, problems } = parseOptions(raw)
    t.equal(problems.length, 1)
    t.match(problems[0], /must be a plain object; using the defaults/)
    t.equal(config.component, 'pino-k8s-events')
  }
})

const invalidCases: Array<[string, unknown, RegExp, (config: ReturnType<typeof parseOptions>['config']) => unknown, unknown]> = [
  ['component', 'my operator', /option 'component' is "my operator": not a Kubernetes qualified name: its name part must consist of letters, digits, '-', '_' and '\.', and start and end with a letter or digit; using "pino-k8s-events"/, c => c.component, 'pino-k8s-events'],
  ['component', 'x'.repeat(64), /not a Kubernetes qualified name: its name part is 64 characters long, at most 63/, c => c.component, 'pino-k8s-events'],
  ['component', 'Example.com/op', /its prefix "Example.com" is not a DNS subdomain/, c => c.component, 'pino-k8s-events'],
  ['component', 'a/b/c', /at most one '\/'/, c => c.component, 'pino-k8s-events'],
  ['component', '', /its name part is empty/, c => c.component, 'pino-k8s-events'],
  ['component', 7, /option 'component' is 7: must be a string/, c => c.component, 'pino-k8s-events'],
  ['instance', '', /option 'instance' is "": must be a non-empty string/, c => c.instance, parseOptions({}).config.instance],
  ['instance', 12, /option 'instance' is 12/, c => c.instance, parseOptions({}).config.instance],
  ['objectKey', '', /option 'objectKey' is "": must be a key name, or a dotted path/, c => c.objectKey, 'k8sObject'],
  ['objectKey', 'a..b', /option 'objectKey' is "a\.\.b"/, c => c.objectKey, 'k8sObject'],
  ['objectKey', ['k8sObject'], /option 'objectKey' is \["k8sObject"\]/, c => c.objectKey, 'k8sObject'],
  ['minLevel', '', /option 'minLevel' is "": must be a level label/, c => c.minLevel, 'info'],
  ['minLevel', NaN, /option 'minLevel' is NaN/, c => c.minLevel, 'info'],
  ['minLevel', {}, /option 'minLevel' is \{\}/, c => c.minLevel, 'info'],
  ['eventTypes', 'Warning', /option 'eventTypes' is "Warning": must be an object mapping level labels to event types/, c => c.eventTypes.warn, 'Warning'],
  ['eventTypes', { warn: '' }, /option 'eventTypes' maps "warn" to "": each entry must map a level label to a non-empty event type; ignoring it/, c => c.eventTypes.warn, 'Warning'],
  ['eventTypes', { warn: 3 }, /option 'eventTypes' maps "warn" to 3/, c => c.eventTypes.warn, 'Warning'],
  ['reason', ' \n ', /option 'reason' is " \\n ": must be a string with at least one non-space character; using "Logging"/, c => c.defaultReason, 'Logging'],
  ['reason', 5, /option 'reason' is 5/, c => c.defaultReason, 'Logging'],
  ['action', '', /option 'action' is "": must be a string with at least one non-space character; using "Log"/, c => c.defaultAction, 'Log'],
  ['clusterNamespace', 'operators', /option 'clusterNamespace' is "operators": the API server stores events about cluster-scoped objects only in 'default' or 'kube-system'/, c => c.clusterNamespace, 'default'],
  ['clusterNamespace', '', /only in 'default' or 'kube-system'/, c => c.clusterNamespace, 'default'],
  ['clusterNamespace', 1, /only in 'default' or 'kube-system'/, c => c.clusterNamespace, 'default'],
  ['api', 'events.k8s.io/v1beta1', /option 'api' is "events\.k8s\.io\/v1beta1": must be one of 'v1', 'events\.k8s\.io\/v1'; using "v1"/, c => c.api, 'v1'],
  ['kubeconfig', '', /option 'kubeconfig' is "": must be a non-empty string; using undefined/, c => c.kubeconfig, undefined],
  ['context', 3, /option 'context' is 3: must be a non-empty string/, c => c.context, undefined],
  ['cacheSize', 0, /option 'cacheSize' is 0: must be a whole number at least 1 and at most 1000000; using 4096/, c => c.correlation.cacheSize, 4096],
  ['cacheSize', 1.5, /option 'cacheSize' is 1\.5: must be a whole number/, c => c.correlation.cacheSize, 4096],
  ['cacheSize', 'many', /option 'cacheSize' is "many"/, c => c.correlation.cacheSize, 4096],
  ['aggregate', 'yes', /option 'aggregate' is "yes": must be false or an object \{ maxEvents, intervalSeconds \}/, c => c.correlation.aggregate, { maxEvents: 10, intervalSeconds: 600 }],
  ['aggregate', { maxEvents: 0 }, /option 'aggregate\.maxEvents' is 0: must be a whole number at least 1/, c => c.correlation.aggregate, { maxEvents: 10, intervalSeconds: 600 }],
  ['aggregate', { intervalSeconds: -1 }, /option 'aggregate\.intervalSeconds' is -1: must be a number greater than 0 and at most 31536000 seconds; using 600/, c => c.correlation.aggregate, { maxEvents: 10, intervalSeconds: 600 }],
  ['rateLimit', null, /option 'rateLimit' is null: must be false or an object \{ burst, qps \}/, c => c.correlation.rateLimit, { burst: 25, qps: 1 / 300 }],
  ['rateLimit', { burst: 0 }, /option 'rateLimit\.burst' is 0/, c => c.correlation.rateLimit, { burst: 25, qps: 1 / 300 }],
  ['rateLimit', { qps: 0 }, /option 'rateLimit\.qps' is 0: must be a number greater than 0/, c => c.correlation.rateLimit, { burst: 25, qps: 1 / 300 }],
  ['qps', -1, /option 'qps' is -1: must be a number greater than 0 and at most 1000000 requests per second; using 20/, c => c.delivery.qps, 20],
  ['qps', Infinity, /option 'qps' is Infinity/, c => c.delivery.qps, 20],
  ['burst', 0, /option 'burst' is 0: must be a whole number at least 1/, c => c.delivery.burst, 100],
  ['queueSize', 2e6, /option 'queueSize' is 2000000: must be a whole number at least 1 and at most 1000000; using 1000/, c => c.delivery.queueSize, 1000],
  ['flushTimeout', -5, /option 'flushTimeout' is -5: must be a number at least 0 and at most 3600000 ms; using 8000/, c => c.delivery.flushTimeoutMs, 8000],
  ['maxAttempts', 0, /option 'maxAttempts' is 0: must be a whole number at least 1/, c => c.delivery.maxAttempts, 12],
  ['maxRetryAge', 'soon', /option 'maxRetryAge' is "soon"/, c => c.delivery.maxRetryAgeMs, 300000],
  ['requestTimeout', 0, /option 'requestTimeout' is 0: must be a number greater than 0/, c => c.delivery.requestTimeoutMs, 10000],
  ['concurrency', 1.5, /option 'concurrency' is 1\.5: must be a whole number/, c => c.delivery.concurrency, 8]
]

t.test('every invalid value: one problem naming option, value and rule; the default is used', async t => {
  for (const [name, value, pattern, read, fallback] of invalidCases) {
    const { config, problems } = parseOptions({ [name]: value })
    t.equal(problems.length, 1, `${name} = ${String(value)}: one problem`)
    t.match(problems[0], pattern, `${name} = ${String(value)}: the problem explains`)
    t.same(read(config), fallback, `${name} = ${String(value)}: the default is used`)
  }
})

t.test('a long value is shortened in the problem', async t => {
  const { problems } = parseOptions({ component: 'bad name ' + 'x'.repeat(500) })
  t.ok(problems[0].length < 300)
  t.match(problems[0], /\.\.\./)
})

t.test('an instance over 128 bytes is shortened, not refused', async t => {
  const { config, problems } = parseOptions({ instance: 'é'.repeat(100) })
  t.same(problems, [])
  t.equal(Buffer.byteLength(config.instance), 128)
  t.equal(config.instance, 'é'.repeat(64))
})

t.test('a reason or action over 128 bytes is shortened without splitting a character', async t => {
  const { config } = parseOptions({ reason: 'R'.repeat(127) + '€', action: 'A'.repeat(200) })
  t.equal(config.defaultReason, 'R'.repeat(127))
  t.equal(config.defaultAction, 'A'.repeat(128))
})

t.test('qualified names as the API server checks reportingComponent', async t => {
  for (const valid of ['kopf', 'k8s.io/my-controller', 'My_Name.1', 'a', '123-abc']) t.equal(qualifiedNameProblem(valid), undefined, valid)
  for (const invalid of ['my-contr@ller', 'pino k8s', '-x', 'x-', '/x', 'x/']) t.type(qualifiedNameProblem(invalid), 'string', invalid)
})

t.test('options are read from own properties only', async t => {
  const inherited = Object.create({ component: 'from-prototype' })
  t.equal(parseOptions(inherited).config.component, 'pino-k8s-events')
  const parsed = JSON.parse('{"__proto__": {"qps": 1}, "component": "op"}')
  const { config, problems } = parseOptions(parsed)
  t.equal(config.delivery.qps, 20)
  t.same(problems, ["unknown option '__proto__'"])
  t.equal(({} as Record<string, unknown>).qps, undefined)
})

t.test('a hostile options object does not throw', async t => {
  const hostile = new Proxy({}, { ownKeys () { throw new Error('no keys for you') } })
  const { config, problems } = parseOptions(hostile)
  t.equal(config.component, 'pino-k8s-events')
  t.equal(problems.length, 1)
  t.match(problems[0], /could not be read/)
})

t.test('checkOptions also checks level names, knowing custom levels given as levels', async t => {
  t.same(checkOptions({ component: 'op' }), [])
  t.same(checkOptions({ minLevel: 'audit', levels: { audit: 35 }, eventTypes: { audit: 'Audit' } }), [])
  const problems = checkOptions({ minLevel: 'verbose', eventTypes: { notice: 'Notice' }, qps: 0 })
  t.equal(problems.length, 3)
  t.match(problems[0], /option 'qps' is 0/)
  t.match(problems[1], /option 'minLevel' is "verbose": not a level of this logger \(trace, debug, info, warn, error, fatal\); using 'info' \(30\)/)
  t.match(problems[2], /option 'eventTypes' maps 'notice', which is not a level of this logger/)
  t.match(checkOptions('nope')[0], /must be a plain object/)
})

t.test('a __proto__ label in eventTypes is only an unknown label', async t => {
  const raw = JSON.parse('{"eventTypes": {"__proto__": "Warning", "warn": "Alert"}}')
  const { config, problems } = parseOptions(raw)
  t.same(problems, [])
  t.equal(Object.getPrototypeOf(config.eventTypes), Object.prototype)
  t.equal(config.eventTypes.warn, 'Alert')
  t.match(checkOptions(raw), [/option 'eventTypes' maps '__proto__', which is not a level of this logger/])
})
