// Errors written as text by other loggers, through the real command against the local API server, read back
// with the real kubectl: Kopf's JSON logs with Python tracebacks made by python3, and pino lines carrying
// JavaScript stacks, JVM stack traces made by java and Go crash output.
import t from 'tap'
import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'
import { kubectl, kubectlAvailable } from './apiserver/kubectl.js'
import { installed } from './helpers/runtime.js'

const CLI = join(import.meta.dirname, '..', 'dist', 'lib', 'cli', 'main.js')
const FIXTURES = join(import.meta.dirname, 'fixtures', 'error-text')
const NAMESPACE = 'errors'
const home = mkdtempSync(join(tmpdir(), 'cli-error-text-'))

async function runCli (args: string[], input: string): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, HOME: home, POD_NAME: 'errors-pod' } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  child.stdin.on('error', () => {})
  child.stdin.end(input)
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  return { code, stdout, stderr }
}

/** The output of a sample program; '' when its runtime is not installed. */
async function outputOf (command: string, args: string[]): Promise<{ stdout: string, stderr: string }> {
  return await new Promise(resolve => {
    execFile(command, args, { cwd: FIXTURES, timeout: 120_000 }, (_err, stdout, stderr) => resolve({ stdout: stdout ?? '', stderr: stderr ?? '' }))
  })
}

/** The rows of `kubectl describe`'s Events section as [type, reason, from, message]. */
async function describedEvents (kind: string, name: string): Promise<string[][]> {
  const { code, stdout, stderr } = await kubectl(['describe', kind, name, '-n', NAMESPACE], server.kubeconfig())
  if (code !== 0) throw new Error(`kubectl describe ${kind} ${name}: ${stderr}`)
  const section = stdout.slice(stdout.indexOf('Events:'))
  return section.split('\n').slice(3).filter(line => line.trim() !== '')
    .map(line => line.trim().split(/\s{2,}/)).map(([type, reason, , from, message]) => [type, reason, from, message])
}

/** What was stored, as [type, reason, from, message], for machines without kubectl. */
function storedEvents (name: string): string[][] {
  return server.listEvents(NAMESPACE).filter((event: any) => event.involvedObject.name === name)
    .map((event: any) => [event.type, event.reason, event.source.component, event.message])
}

async function shownEvents (kind: string, name: string): Promise<string[][]> {
  return (kubectlAvailable() ? await describedEvents(kind, name) : storedEvents(name)).sort()
}

let server: LocalApiServer

t.before(async () => {
  if (!existsSync(CLI)) throw new Error('dist/lib/cli/main.js is missing: run `npm run build` first')
  server = await startApiServer()
  await server.createNamespace(NAMESPACE)
})
t.teardown(async () => { await server?.close() })

t.test("a Kopf operator's logger.exception(): the exception's message after the text, its type as the reason", { skip: installed('python3', '--version') ? false : 'python3 is not installed' }, async t => {
  const example = await server.createObject({ apiVersion: 'kopf.dev/v1', kind: 'KopfExample', metadata: { name: 'kopf-example-1', namespace: NAMESPACE } })
  const ref = { apiVersion: 'kopf.dev/v1', kind: 'KopfExample', name: 'kopf-example-1', namespace: NAMESPACE, uid: example.metadata.uid }
  const { stdout: input, stderr } = await outputOf('python3', ['python_samples.py', 'kopf', JSON.stringify(ref)])
  t.not(input, '', stderr)
  t.match(input, /"exc_info": "Traceback \(most recent call last\):\\n {2}File /, 'python3 wrote real tracebacks')

  const result = await runCli(['--kubeconfig', server.kubeconfig(), '--component', 'kopf', '--object-key', 'object', '--level-key', 'severity',
    '--message-key', 'message', '--time-key', 'timestamp', '--error-key', 'exc_info'], input)
  t.equal(result.code, 0, result.stderr)
  t.equal(result.stdout, input, 'the log lines, frames and all, pass through unchanged')
  t.same(await shownEvents('kopfexample', 'kopf-example-1'), [
    ['Error', 'ExceptionGroup', 'kopf', 'Some exception: 2 handlers failed (2 sub-exceptions): ValueError: bad size; TypeError: no image'],
    ['Error', 'HandlerFailed', 'kopf', "Handler 'create_fn' failed. Exception text."],
    ['Error', 'ReconcileError', 'kopf', "Some exception: could not read replicas: invalid literal for int() with base 10: 'three'"],
    ['Error', 'ValueError', 'kopf', 'Some exception: Exception text.'],
    ['Normal', 'Logging', 'kopf', "Handler 'create_fn' is invoked."]
  ])
})

t.test('pino lines whose err is text: JavaScript stacks, JVM stack traces, Go panics, and text of no known shape', async t => {
  const pod = await server.createObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'worker', namespace: NAMESPACE }, spec: { containers: [{ name: 'c', image: 'x' }] } })
  const k8sObject = { apiVersion: 'v1', kind: 'Pod', name: 'worker', namespace: NAMESPACE, uid: pod.metadata.uid }
  const line = (msg: string, err: string): string => JSON.stringify({ level: 50, time: Date.now(), k8sObject, msg, err }) + '\n'
  const java = await outputOf('java', ['ErrorSamples.java'])
  const jvmSamples = java.stdout.split('=====\n').filter(sample => sample.trim() !== '')
  const input = [
    line('Reconcile failed:', new TypeError("Cannot read properties of undefined (reading 'spec')").stack ?? ''),
    line('Reconcile failed:', readFileSync(join(FIXTURES, 'go-nil-pointer.txt'), 'utf8')),
    line('Watch failed:', 'dial tcp 10.0.0.1:443: connect: connection refused'),
    ...jvmSamples.slice(0, 2).map(sample => line('Handler failed:', sample))
  ].join('')

  const result = await runCli(['--kubeconfig', server.kubeconfig(), '--component', 'worker-operator'], input)
  t.equal(result.code, 0, result.stderr)
  t.equal(result.stdout, input)
  const expected = [
    ['Error', 'Logging', 'worker-operator', 'Watch failed: dial tcp 10.0.0.1:443: connect: connection refused'],
    ['Error', 'Panic', 'worker-operator', 'Reconcile failed: runtime error: invalid memory address or nil pointer dereference'],
    ['Error', 'TypeError', 'worker-operator', "Reconcile failed: Cannot read properties of undefined (reading 'spec')"]
  ]
  if (jvmSamples.length > 0) {
    expected.push(
      ['Error', 'IllegalStateException', 'worker-operator', 'Handler failed: Exception text.'],
      ['Error', 'ReconcileException', 'worker-operator', 'Handler failed: could not reconcile demo-pod: disk full'])
  } else {
    t.comment('java is not installed: no JVM samples')
  }
  t.same(await shownEvents('pod', 'worker'), expected.sort())
})
