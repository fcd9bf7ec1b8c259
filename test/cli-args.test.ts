import t from 'tap'
import { parseCliArgs, helpText, describeOptionProblem, DEFAULT_INPUT_KEYS } from '../lib/cli/args.js'
import { parseOptions } from '../lib/options.js'

const defaults = parseOptions({}).config

function run (argv: string[]): { options: Record<string, unknown>, keys: typeof DEFAULT_INPUT_KEYS, levels?: Record<string, number> } {
  const request = parseCliArgs(argv, defaults)
  if (request.kind !== 'run') throw new Error(`expected a run request, got ${JSON.stringify(request)}`)
  return request
}

function problemsOf (argv: string[]): string[] {
  const request = parseCliArgs(argv, defaults)
  if (request.kind !== 'invalid') throw new Error(`expected problems, got ${JSON.stringify(request)}`)
  return request.problems
}

t.test('no flags: no options, pino keys', async t => {
  const request = run([])
  t.same(request.options, {})
  t.same(request.keys, { levelKey: 'level', messageKey: 'msg', errorKey: 'err', timeKey: 'time' })
  t.equal(request.levels, undefined)
})

t.test('every option flag becomes the transport option, and the option parser accepts it', async t => {
  const argv = [
    '--component', 'example.com/my-operator',
    '--instance', 'pod-1',
    '--object-key', 'meta.object',
    '--min-level', 'warn',
    '--event-types', 'info=Normal,warn=Warning,error=Warning',
    '--reason', 'Logged',
    '--action', 'Reconcile',
    '--cluster-namespace', 'kube-system',
    '--api', 'events.k8s.io/v1',
    '--kubeconfig', '/tmp/kubeconfig',
    '--context', 'kind-lab',
    '--cache-size', '100',
    '--aggregate-max-events', '5',
    '--aggregate-interval', '60',
    '--rate-limit-burst', '10',
    '--rate-limit-qps', '1/60',
    '--qps', '5',
    '--burst', '10',
    '--queue-size', '50',
    '--flush-timeout', '3s',
    '--max-attempts', '3',
    '--max-retry-age', '1m',
    '--request-timeout', '2500',
    '--concurrency', '2'
  ]
  const { options } = run(argv)
  t.same(options, {
    component: 'example.com/my-operator',
    instance: 'pod-1',
    objectKey: 'meta.object',
    minLevel: 'warn',
    eventTypes: { info: 'Normal', warn: 'Warning', error: 'Warning' },
    reason: 'Logged',
    action: 'Reconcile',
    clusterNamespace: 'kube-system',
    api: 'events.k8s.io/v1',
    kubeconfig: '/tmp/kubeconfig',
    context: 'kind-lab',
    cacheSize: 100,
    aggregate: { maxEvents: 5, intervalSeconds: 60 },
    rateLimit: { burst: 10, qps: 1 / 60 },
    qps: 5,
    burst: 10,
    queueSize: 50,
    flushTimeout: 3000,
    maxAttempts: 3,
    maxRetryAge: 60_000,
    requestTimeout: 2500,
    concurrency: 2
  })
  const { config, problems } = parseOptions(options)
  t.same(problems, [])
  t.equal(config.component, 'example.com/my-operator')
  t.equal(config.objectKey, 'meta.object')
  t.equal(config.defaultReason, 'Logged')
  t.equal(config.defaultAction, 'Reconcile')
  t.equal(config.correlation.cacheSize, 100)
  t.same(config.correlation.aggregate, { maxEvents: 5, intervalSeconds: 60 })
  t.same(config.correlation.rateLimit, { burst: 10, qps: 1 / 60 })
  t.same(config.delivery, { qps: 5, burst: 10, queueSize: 50, flushTimeoutMs: 3000, maxAttempts: 3, maxRetryAgeMs: 60_000, requestTimeoutMs: 2500, concurrency: 2 })
})

t.test('input keys', async t => {
  const { keys, options } = run(['--level-key', 'severity', '--message-key=message', '--error-key', 'exc_info', '--time-key', 'ts'])
  t.same(keys, { levelKey: 'severity', messageKey: 'message', errorKey: 'exc_info', timeKey: 'ts' })
  t.same(options, {}, 'input keys are not transport options')
})

t.test('--flag=value and --flag value are the same; values may contain = and start with -', async t => {
  t.same(run(['--reason=A=B']).options, { reason: 'A=B' })
  t.same(run(['--min-level', '35']).options, { minLevel: 35 }, 'a numeric level is a number')
  t.same(run(['--context', '-dash']).options, { context: '-dash' })
})

t.test('the last of a repeated flag wins; repeated --event-types and --levels merge', async t => {
  t.same(run(['--reason', 'A', '--reason', 'B']).options, { reason: 'B' })
  t.same(run(['--event-types', 'info=Normal', '--event-types', 'error=Failure,warn=Warning']).options,
    { eventTypes: { info: 'Normal', error: 'Failure', warn: 'Warning' } })
  t.same(run(['--levels', 'audit=35', '--levels', 'notice=33,alert=55']).levels, { audit: 35, notice: 33, alert: 55 })
})

t.test('durations', async t => {
  t.equal(run(['--flush-timeout', '1500']).options.flushTimeout, 1500, 'bare number is milliseconds')
  t.equal(run(['--flush-timeout', '250ms']).options.flushTimeout, 250)
  t.equal(run(['--flush-timeout', '2.5s']).options.flushTimeout, 2500)
  t.equal(run(['--max-retry-age', '2h']).options.maxRetryAge, 7_200_000)
  t.same(run(['--aggregate-interval', '90']).options.aggregate, { maxEvents: 10, intervalSeconds: 90 }, 'bare number is seconds')
  t.same(run(['--aggregate-interval', '10m']).options.aggregate, { maxEvents: 10, intervalSeconds: 600 })
  t.same(run(['--aggregate-interval', '1500ms']).options.aggregate, { maxEvents: 10, intervalSeconds: 1.5 })
})

t.test('rates', async t => {
  t.equal(run(['--qps', '0.5']).options.qps, 0.5)
  t.equal(run(['--qps', '1/4']).options.qps, 0.25)
  t.same(run(['--rate-limit-qps', '1/300']).options.rateLimit, { burst: 25, qps: 1 / 300 }, 'the other half keeps its default')
})

t.test('switches', async t => {
  t.same(run(['--no-aggregate']).options, { aggregate: false })
  t.same(run(['--no-rate-limit']).options, { rateLimit: false })
  t.same(parseOptions(run(['--no-aggregate', '--no-rate-limit']).options).config.correlation,
    { cacheSize: defaults.correlation.cacheSize, aggregate: false, rateLimit: false })
  t.match(problemsOf(['--no-aggregate', '--aggregate-max-events', '3']), [/--no-aggregate contradicts --aggregate-max-events/])
  t.match(problemsOf(['--rate-limit-burst', '3', '--no-rate-limit']), [/--no-rate-limit contradicts --rate-limit-burst/])
  t.match(problemsOf(['--no-aggregate=yes']), [/--no-aggregate takes no value/])
})

t.test('unknown flags, stray arguments and bad values are problems, one each', async t => {
  t.match(problemsOf(['--colour', 'red']), [/unknown flag "--colour"/, /unexpected argument "red"/])
  t.match(problemsOf(['-x']), [/unexpected argument "-x"/])
  t.match(problemsOf(['--reason']), [/--reason needs a value/])
  t.match(problemsOf(['--reason', '--action', 'Do']), [/--reason needs a value/], 'a flag is not taken as a value')
  t.match(problemsOf(['--reason=']), [/--reason "": needs a value/])
  t.match(problemsOf(['--cache-size', 'many']), [/--cache-size "many": expects a whole number/])
  t.match(problemsOf(['--cache-size', '0']), [/--cache-size "0": expects a whole number of at least 1/])
  t.match(problemsOf(['--concurrency', '2.5']), [/--concurrency "2.5": expects a whole number/])
  t.match(problemsOf(['--queue-size', '-1']), [/--queue-size "-1": expects a whole number/])
  t.match(problemsOf(['--qps', '0']), [/--qps "0": expects a rate above 0/])
  t.match(problemsOf(['--rate-limit-qps', '1/0']), [/--rate-limit-qps "1\/0": expects a rate above 0/])
  t.match(problemsOf(['--flush-timeout', '5 seconds']), [/--flush-timeout "5 seconds": expects a duration/])
  t.match(problemsOf(['--flush-timeout', '5d']), [/expects a duration/])
  t.match(problemsOf(['--api', 'v2']), [/--api "v2": expects one of v1, events.k8s.io\/v1/])
  t.match(problemsOf(['--event-types', 'info']), [/--event-types "info": expects level=Type pairs/])
  t.match(problemsOf(['--event-types', 'info=,warn=Warning']), [/expects level=Type pairs/])
  t.match(problemsOf(['--levels', 'audit=high']), [/--levels "audit=high": expects label=number pairs/])
  t.match(problemsOf(['--cache-size', 'x'.repeat(500)]), [/"x{60}\.\.\."/], 'long values are shortened')
  t.equal(problemsOf(['--a', '--b', '--cache-size', 'x']).length, 3)
})

t.test('help and version', async t => {
  t.same(parseCliArgs(['--help'], defaults), { kind: 'help' })
  t.same(parseCliArgs(['-h', '--reason', 'X'], defaults), { kind: 'help' })
  t.same(parseCliArgs(['--version'], defaults), { kind: 'version' })
  t.equal(parseCliArgs(['--help', '--bogus'], defaults).kind, 'invalid', 'a bad flag is reported even with --help')
})

t.test('help lists every flag with its default', async t => {
  const text = helpText(defaults, '9.9.9')
  t.match(text, /^pino-k8s-events 9\.9\.9\n/)
  const flags = ['--component', '--instance', '--object-key', '--min-level', '--event-types', '--reason', '--action',
    '--cluster-namespace', '--api', '--levels', '--level-key', '--message-key', '--error-key', '--time-key', '--kubeconfig',
    '--context', '--request-timeout', '--cache-size', '--no-aggregate', '--aggregate-max-events', '--aggregate-interval',
    '--no-rate-limit', '--rate-limit-burst', '--rate-limit-qps', '--qps', '--burst', '--queue-size', '--flush-timeout',
    '--max-attempts', '--max-retry-age', '--concurrency', '--help', '--version']
  for (const flag of flags) t.match(text, new RegExp(`^  ${flag}\\b.*`, 'm'), flag)
  const lineOf = (flag: string): string => text.split('\n').find(line => line.startsWith(`  ${flag} `)) ?? ''
  t.match(lineOf('--component'), /\(default: pino-k8s-events\)$/)
  t.match(lineOf('--object-key'), /\(default: k8sObject\)$/)
  t.match(lineOf('--min-level'), /\(default: info\)$/)
  t.match(lineOf('--event-types'), /\(default: info=Normal,warn=Warning,error=Error,fatal=Error\)$/)
  t.match(lineOf('--reason'), /\(default: Logging\)$/)
  t.match(lineOf('--action'), /\(default: Log\)$/)
  t.match(lineOf('--cluster-namespace'), /\(default: default\)$/)
  t.match(lineOf('--api'), /\(default: v1\)$/)
  t.match(lineOf('--level-key'), /\(default: level\)$/)
  t.match(lineOf('--message-key'), /\(default: msg\)$/)
  t.match(lineOf('--error-key'), /\(default: err\)$/)
  t.match(lineOf('--time-key'), /\(default: time\)$/)
  t.match(lineOf('--cache-size'), /\(default: 4096\)$/)
  t.match(lineOf('--aggregate-max-events'), /\(default: 10\)$/)
  t.match(lineOf('--aggregate-interval'), /\(default: 10m\)$/)
  t.match(lineOf('--rate-limit-burst'), /\(default: 25\)$/)
  t.match(lineOf('--rate-limit-qps'), /\(default: 1\/300\)$/)
  t.match(lineOf('--qps'), /\(default: 20\)$/)
  t.match(lineOf('--burst'), /\(default: 100\)$/)
  t.match(lineOf('--queue-size'), /\(default: 1000\)$/)
  t.match(lineOf('--flush-timeout'), /\(default: 8s\)$/)
  t.match(lineOf('--max-attempts'), /\(default: 12\)$/)
  t.match(lineOf('--max-retry-age'), /\(default: 5m\)$/)
  t.match(lineOf('--request-timeout'), /\(default: 10s\)$/)
  t.match(lineOf('--concurrency'), /\(default: 8\)$/)
})

t.test('option problems are told with the flag that set the option', async t => {
  const { problems } = parseOptions(run(['--component', 'not valid!', '--aggregate-max-events', '1000000000']).options)
  t.equal(problems.length, 2)
  const told = problems.map(describeOptionProblem)
  t.match(told[0], /^--component /)
  t.match(told[1], /^--aggregate-max-events /)
  t.equal(describeOptionProblem("unknown option 'foo'"), "unknown option 'foo'", 'options without a flag stay as they are')
  t.equal(describeOptionProblem("option 'minLevel' is \"loud\": not a level of this logger (trace, info); using 'info' (30)"),
    '--min-level is "loud": not a level of this logger (trace, info)', 'the command exits, so no fallback is told')
  t.equal(describeOptionProblem("option 'eventTypes' maps 'shout', which is not a level of this logger (info); ignoring it"),
    "--event-types maps 'shout', which is not a level of this logger (info)")
})
