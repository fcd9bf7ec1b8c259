// The command end to end: real process, real pipes, the project's local API server.
import t from 'tap'
import { spawn } from 'node:child_process'
import { closed } from './helpers/wait.js'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'

const CLI = join(import.meta.dirname, '..', 'dist', 'lib', 'cli', 'main.js')
const NAMESPACE = 'cli-formats'
const home = mkdtempSync(join(tmpdir(), 'cli-home-'))

interface Outcome { code: number | null, signal: NodeJS.Signals | null, stdout: Buffer, stderr: string }

/** Runs the command with `input` on stdin (then end of input) and collects everything it writes. */
async function runCli (args: string[], input: string | Buffer): Promise<Outcome> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, HOME: home, POD_NAME: 'cli-test-pod' },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  const stdout: Buffer[] = []
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  child.stdin.on('error', () => {})
  child.stdin.end(input)
  const [code, signal] = await closed(child, `pino-k8s-events ${args.join(' ')}`, () => stderr)
  return { code, signal, stdout: Buffer.concat(stdout), stderr }
}

const line = (fields: object): string => JSON.stringify(fields) + '\n'

let server: LocalApiServer
let kubeconfig: string
let widget: any
let node: any

t.before(async () => {
  if (!existsSync(CLI)) throw new Error('dist/lib/cli/main.js is missing: run `npx tsc -p tsconfig.build.json` first')
  server = await startApiServer()
  kubeconfig = server.kubeconfig()
  await server.createNamespace(NAMESPACE)
  widget = await server.createObject({ apiVersion: 'kopf.dev/v1', kind: 'KopfExample', metadata: { name: 'widget-1', namespace: NAMESPACE } })
  node = await server.createObject({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } })
})
t.teardown(async () => { await server?.close() })

const eventsAbout = (name: string, namespace = NAMESPACE): any[] =>
  server.listEvents(namespace).filter((event: any) => event.involvedObject?.name === name)

const refOf = (obj: any): object => ({
  apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid
})

t.test('pino lines: every byte passes through, the bound lines become Events', async t => {
  const body = { apiVersion: widget.apiVersion, kind: widget.kind, metadata: widget.metadata, spec: { size: 3 } }
  const time = Date.parse('2024-11-26T12:00:00.000Z')
  const input = Buffer.concat([
    Buffer.from(line({ level: 30, time, pid: 1, hostname: 'h', msg: 'no object here' })),
    Buffer.from(line({ level: 30, time, k8sObject: body, reason: 'Scaled', msg: 'Scaled to 3 replicas' })),
    Buffer.from('plain text line, not JSON\r\n'),
    Buffer.from(line({ level: 40, time, k8sObject: refOf(widget), msg: 'Slow reconcile' })),
    Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x0a]),
    Buffer.from(line({ level: 50, time, k8sObject: refOf(widget), err: { type: 'TypeError', message: 'x is undefined', stack: 'TypeError: x is undefined\n    at f' }, msg: 'Reconcile failed:' })),
    Buffer.from('\n\n'),
    Buffer.from(line({ level: 20, time, k8sObject: refOf(widget), msg: 'debug detail' })),
    Buffer.from('{"k8sObject": broken json\n'),
    Buffer.from(line({ level: 30, time, k8sObject: refOf(widget), reason: 'Scaled', msg: 'Scaled to 3 replicas' })),
    Buffer.from(line({ level: 30, time, k8sObject: refOf(widget), reason: 'Scaled', msg: 'Scaled to 3 replicas' })),
    Buffer.from('{"level":30,"k8sObject":' + JSON.stringify(refOf(widget)) + ',"reason":"Last","msg":"no newline at the end"}')
  ])
  const result = await runCli(['--kubeconfig', kubeconfig, '--component', 'widget-operator'], input)
  t.equal(result.code, 0, result.stderr)
  t.ok(result.stdout.equals(input), 'stdout is stdin, byte for byte')
  t.match(result.stderr, /broken json|not valid JSON/, 'the broken line is reported on stderr')

  const events = eventsAbout('widget-1')
  const byReason = new Map(events.map((event: any) => [event.reason, event]))
  t.same([...byReason.keys()].sort(), ['Last', 'Logging', 'Scaled', 'TypeError'], 'the debug line posts nothing')
  const scaled = byReason.get('Scaled')
  t.equal(scaled.type, 'Normal')
  t.equal(scaled.message, 'Scaled to 3 replicas')
  t.equal(scaled.count, 3, 'three identical lines, one Event counting 3')
  t.same(scaled.involvedObject, { ...refOf(widget) }, 'involvedObject is the object, from a whole body too')
  t.equal(scaled.source?.component, 'widget-operator')
  t.equal(scaled.metadata.namespace, NAMESPACE)
  t.equal(byReason.get('Logging').type, 'Warning')
  t.equal(byReason.get('Logging').message, 'Slow reconcile')
  t.equal(byReason.get('TypeError').type, 'Error')
  t.equal(byReason.get('TypeError').message, 'Reconcile failed: x is undefined')
  t.equal(byReason.get('Last').message, 'no newline at the end', 'the last line is read without its newline')
})

t.test('zap JSON: epoch seconds in ts, string levels, string errors', async t => {
  const object = refOf(widget)
  const input = [
    line({ level: 'warn', ts: 1732659530.123, caller: 'controller/widget.go:42', msg: 'Slow dependency', object }),
    line({ level: 'error', ts: 1732659531.5, caller: 'controller/widget.go:57', msg: 'Reconciler error', error: 'dial tcp 10.0.0.1:443: connection refused', object }),
    line({ level: 'dpanic', ts: 1732659532.25, msg: 'Invariant broken', object }),
    line({ level: 'debug', ts: 1732659533, msg: 'Below the minimum', object }),
    line({ level: 'info', ts: 1732659534, msg: 'Not about an object' })
  ].join('')
  const result = await runCli(['--kubeconfig', kubeconfig, '--object-key', 'object', '--time-key', 'ts', '--error-key', 'error', '--reason', 'Reconcile'], input)
  t.equal(result.code, 0, result.stderr)
  t.equal(result.stdout.toString(), input)
  const events = eventsAbout('widget-1').filter((event: any) => event.reason === 'Reconcile')
  const byMessage = new Map(events.map((event: any) => [event.message, event]))
  t.same([...byMessage.keys()].sort(), ['Invariant broken', 'Reconciler error dial tcp 10.0.0.1:443: connection refused', 'Slow dependency'])
  const slow = byMessage.get('Slow dependency')
  t.equal(slow.type, 'Warning')
  t.match(slow.firstTimestamp, /^2024-11-26T22:18:50/, 'epoch seconds are read as seconds')
  t.equal(byMessage.get('Reconciler error dial tcp 10.0.0.1:443: connection refused').type, 'Error')
  t.equal(byMessage.get('Invariant broken').type, 'Error', 'dpanic counts as fatal')
})

t.test("Kopf's JSON log format: message, severity, timestamp and the reference under object", async t => {
  // As kopf's ObjectJsonFormatter writes it: the reference keeps namespace null for a cluster-scoped object.
  const widgetRef = { apiVersion: widget.apiVersion, kind: widget.kind, name: widget.metadata.name, uid: widget.metadata.uid, namespace: NAMESPACE }
  const nodeRef = { apiVersion: 'v1', kind: 'Node', name: 'node-1', uid: node.metadata.uid, namespace: null }
  const input = [
    line({ message: 'Handler \'create_fn\' succeeded.', timestamp: '2024-11-26T22:18:50.123456+00:00', object: widgetRef, severity: 'info' }),
    line({ message: 'Handler \'create_fn\' failed temporarily: not ready. Will retry.', timestamp: '2024-11-26T22:18:51.000001+00:00', object: widgetRef, severity: 'warn' }),
    line({ message: 'Handler \'drain_fn\' failed with an exception. Will retry.', exc_info: 'Traceback (most recent call last):\n  File "handlers.py", line 9, in drain_fn\nRuntimeError: Node is cordoned', timestamp: '2024-11-26T22:18:52.5+00:00', object: nodeRef, severity: 'error' }),
    line({ message: 'Resuming the operator.', timestamp: '2024-11-26T22:18:53+00:00', severity: 'info' }),
    'Kopf plain text output is passed through too\n'
  ].join('')
  const result = await runCli([
    '--kubeconfig', kubeconfig, '--object-key', 'object', '--level-key', 'severity', '--message-key', 'message',
    '--time-key', 'timestamp', '--error-key', 'exc_info', '--component', 'kopf', '--event-types', 'error=Error,fatal=Fatal'
  ], input)
  t.equal(result.code, 0, result.stderr)
  t.equal(result.stdout.toString(), input)

  const widgetEvents = eventsAbout('widget-1').filter((event: any) => event.source?.component === 'kopf')
  const succeeded = widgetEvents.find((event: any) => event.message === 'Handler \'create_fn\' succeeded.')
  t.ok(succeeded, 'the info line is an Event')
  t.equal(succeeded?.type, 'Normal')
  t.equal(succeeded?.reason, 'Logging')
  t.match(succeeded?.firstTimestamp, /^2024-11-26T22:18:50/)
  const retry = widgetEvents.find((event: any) => event.type === 'Warning')
  t.equal(retry?.message, 'Handler \'create_fn\' failed temporarily: not ready. Will retry.')

  const nodeEvents = eventsAbout('node-1', 'default')
  t.equal(nodeEvents.length, 1, 'the cluster-scoped object has its Event in the default namespace')
  t.equal(nodeEvents[0]?.type, 'Error')
  t.equal(nodeEvents[0]?.involvedObject.namespace ?? '', '', 'so that kubectl describe finds it')
  t.match(nodeEvents[0]?.involvedObject, { apiVersion: 'v1', kind: 'Node', name: 'node-1' })
  t.equal(nodeEvents[0]?.message, 'Handler \'drain_fn\' failed with an exception. Will retry. Node is cordoned',
    "the traceback's exception follows the message")
  t.equal(nodeEvents[0]?.reason, 'RuntimeError', "the reason is the exception's type")
})

t.test('python-json-logger levelname and logrus levels, any case', async t => {
  const object = refOf(widget)
  const python = [
    line({ asctime: '2024-11-26 22:18:50,123', levelname: 'WARNING', message: 'python warning', object }),
    line({ levelname: 'CRITICAL', message: 'python critical', object }),
    line({ levelname: 'DEBUG', message: 'python debug', object })
  ].join('')
  const pythonResult = await runCli(['--kubeconfig', kubeconfig, '--object-key', 'object', '--level-key', 'levelname', '--message-key', 'message', '--time-key', 'asctime', '--reason', 'PythonLog'], python)
  t.equal(pythonResult.code, 0, pythonResult.stderr)
  t.equal(pythonResult.stdout.toString(), python)
  const pythonEvents = eventsAbout('widget-1').filter((event: any) => event.reason === 'PythonLog')
  t.same(pythonEvents.map((event: any) => `${event.type} ${event.message}`).sort(), ['Error python critical', 'Warning python warning'])

  const logrus = [
    line({ level: 'warning', msg: 'logrus warning', time: '2024-11-26T22:18:50Z', object }),
    line({ level: 'Error', msg: 'logrus error', error: 'boom', time: '2024-11-26T22:18:51Z', object }),
    line({ level: 'panic', msg: 'logrus panic', time: '2024-11-26T22:18:52Z', object }),
    line({ level: 'trace', msg: 'logrus trace', time: '2024-11-26T22:18:53Z', object })
  ].join('')
  const logrusResult = await runCli(['--kubeconfig', kubeconfig, '--object-key', 'object', '--error-key', 'error', '--reason', 'GoLog'], logrus)
  t.equal(logrusResult.code, 0, logrusResult.stderr)
  t.equal(logrusResult.stdout.toString(), logrus)
  const logrusEvents = eventsAbout('widget-1').filter((event: any) => event.reason === 'GoLog')
  t.same(logrusEvents.map((event: any) => `${event.type} ${event.message}`).sort(), ['Error logrus error boom', 'Error logrus panic', 'Warning logrus warning'])
  const warning = logrusEvents.find((event: any) => event.type === 'Warning')
  t.match(warning?.firstTimestamp, /^2024-11-26T22:18:50/, 'ISO times are read')
})

t.test('a nested object key and --min-level', async t => {
  const input = [
    line({ level: 30, meta: { object: refOf(widget) }, reason: 'NestedInfo', msg: 'below warn' }),
    line({ level: 40, meta: { object: refOf(widget) }, reason: 'NestedWarn', msg: 'at warn' }),
    line({ level: 50, object: refOf(widget), reason: 'NotNested', msg: 'wrong place' })
  ].join('')
  const result = await runCli(['--kubeconfig', kubeconfig, '--object-key', 'meta.object', '--min-level', 'warning'], input)
  t.equal(result.code, 0, result.stderr)
  const reasons = eventsAbout('widget-1').map((event: any) => event.reason)
  t.ok(reasons.includes('NestedWarn'))
  t.notOk(reasons.includes('NestedInfo'), 'below --min-level')
  t.notOk(reasons.includes('NotNested'), 'the binding is read only at the dotted path')
})

t.test('garbage never crashes the command and never reaches stdout changed', async t => {
  const random = Buffer.alloc(256 * 1024)
  let seed = 42
  for (let i = 0; i < random.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    random[i] = seed & 0xff
  }
  const input = Buffer.concat([
    Buffer.from(line({ k8sObject: null, msg: 'null binding' })),
    Buffer.from('{"k8sObject": 5}\n["k8sObject"]\n"k8sObject"\nnull\n'),
    Buffer.from('{"__proto__":{"polluted":1},"k8sObject":{"__proto__":{"kind":"Pod"}}}\n'),
    Buffer.from('{"k8sObject":' + '['.repeat(200_000) + ']'.repeat(200_000) + '}\n'),
    Buffer.from('{"k8sObject":{"apiVersion":"v1","kind":"Pod","name":"' + 'n'.repeat(5000) + '"}}\n'),
    Buffer.from('{"level":"','utf8'), random, Buffer.from('\n'),
    Buffer.from(line({ level: 'nonsense', k8sObject: refOf(widget), reason: 'AfterGarbage', msg: 'still working' }))
  ])
  const result = await runCli(['--kubeconfig', kubeconfig], input)
  t.equal(result.code, 0, result.stderr)
  t.ok(result.stdout.equals(input), 'stdout is stdin, byte for byte')
  const after = eventsAbout('widget-1').find((event: any) => event.reason === 'AfterGarbage')
  t.equal(after?.type, 'Normal', 'a line with an unknown level counts as info, after all that garbage')
})

t.test('--help and --version', async t => {
  const help = await runCli(['--help'], '')
  t.equal(help.code, 0)
  const text = help.stdout.toString()
  for (const flag of ['--component', '--object-key', '--level-key', '--message-key', '--error-key', '--time-key', '--no-rate-limit', '--flush-timeout', '--concurrency']) {
    t.match(text, new RegExp(`^  ${flag}\\b.*\\(default: [^)]+\\)$`, 'm'), `${flag} with its default`)
  }
  t.equal(help.stderr, '')
  const version = await runCli(['--version'], '')
  t.equal(version.code, 0)
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8'))
  t.equal(version.stdout.toString(), `${pkg.version}\n`)
})

t.test('bad flags and bad values exit 2 with a message on stderr, before reading stdin', async t => {
  const cases: Array<[string[], RegExp]> = [
    [['--colour', 'red'], /unknown flag "--colour"/],
    [['--cache-size', 'lots'], /--cache-size "lots": expects a whole number/],
    [['--component', 'not a name!'], /--component .*not a name!/],
    [['--min-level', 'loud'], /--min-level .*loud/],
    [['--event-types', 'shout=Warning'], /--event-types .*shout/],
    [['--cluster-namespace', 'Not_A_Label'], /--cluster-namespace .*Not_A_Label/],
    [['stray'], /unexpected argument "stray"/],
    [['--kubeconfig', join(home, 'no-such-kubeconfig')], /--kubeconfig ".*no-such-kubeconfig": no such file/]
  ]
  for (const [args, message] of cases) {
    const child = spawn(process.execPath, [CLI, '--kubeconfig', kubeconfig, ...args], { env: { PATH: process.env.PATH, HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    child.stdin.on('error', () => {})
    // stdin stays open: the command must not wait for it.
    child.stdin.write(line({ level: 30, k8sObject: refOf(widget), reason: 'MustNotPost', msg: 'x' }))
    const [code] = await closed(child, `pino-k8s-events ${args.join(' ')}`, () => stderr)
    child.stdin.destroy()
    t.equal(code, 2, args.join(' '))
    t.match(stderr, message, args.join(' '))
    // The command exits: a fallback the transport would use ("using 'info' (30)", "ignoring it") does not happen.
    t.notMatch(stderr, /; using |; ignoring it/, `${args.join(' ')}: no fallback is promised`)
    t.match(stderr, /see --help\n$/)
    t.equal(stdout, '', 'nothing on stdout')
  }
  t.notOk(server.listEvents(NAMESPACE).some((event: any) => event.reason === 'MustNotPost'))
})
