// The command's life: end of input, SIGTERM/SIGINT, a full or closed stdout, lines too long to read.
import t from 'tap'
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'
import { closed, waitFor } from './helpers/wait.js'

const CLI = join(import.meta.dirname, '..', 'dist', 'lib', 'cli', 'main.js')
const NAMESPACE = 'cli-lifecycle'
const home = mkdtempSync(join(tmpdir(), 'cli-home-'))

interface Running {
  child: ChildProcessWithoutNullStreams
  stdout: () => Buffer
  stderr: () => string
  /** resolves once stdout has echoed at least `bytes` bytes: the command has read that much */
  echoed: (bytes: number) => Promise<void>
  exit: Promise<{ code: number | null, signal: NodeJS.Signals | null, ms: number }>
}

function startCli (args: string[]): Running {
  const started = Date.now()
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, HOME: home, POD_NAME: 'cli-test-pod' },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  const out: Buffer[] = []
  let outBytes = 0
  let err = ''
  const waiters: Array<{ bytes: number, resolve: () => void }> = []
  child.stdout.on('data', (chunk: Buffer) => {
    out.push(chunk)
    outBytes += chunk.length
    for (const waiter of waiters.filter(w => w.bytes <= outBytes)) {
      waiters.splice(waiters.indexOf(waiter), 1)
      waiter.resolve()
    }
  })
  child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString() })
  child.stdin.on('error', () => {})
  return {
    child,
    stdout: () => Buffer.concat(out),
    stderr: () => err,
    echoed: async (bytes) => { if (outBytes < bytes) await new Promise<void>(resolve => waiters.push({ bytes, resolve })) },
    exit: closed(child, `pino-k8s-events ${args.join(' ')}`, () => err).then(([code, signal]) => ({ code, signal, ms: Date.now() - started }))
  }
}

const line = (fields: object): string => JSON.stringify(fields) + '\n'

let server: LocalApiServer
let kubeconfig: string
let widget: any

t.before(async () => {
  if (!existsSync(CLI)) throw new Error('dist/lib/cli/main.js is missing: run `npx tsc -p tsconfig.build.json` first')
  server = await startApiServer()
  kubeconfig = server.kubeconfig()
  await server.createNamespace(NAMESPACE)
  widget = await server.createObject({ apiVersion: 'kopf.dev/v1', kind: 'KopfExample', metadata: { name: 'widget-1', namespace: NAMESPACE } })
})
t.teardown(async () => { await server?.close() })

const refOf = (obj: any): object => ({ apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid })
const eventWithReason = (reason: string): any => server.listEvents(NAMESPACE).find((event: any) => event.reason === reason)

// A per-object budget of one write: the first line posts at once, the rest wait for a token that comes only at flush.
const THROTTLED = ['--rate-limit-burst', '1', '--rate-limit-qps', '1/3600']

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  t.test(`${signal} delivers pending counts, then exits 0`, async t => {
    const reason = `Pending${signal}`
    const cli = startCli(['--kubeconfig', kubeconfig, ...THROTTLED])
    const one = line({ level: 30, k8sObject: refOf(widget), reason, msg: 'repeated' })
    cli.child.stdin.write(one)
    // The first occurrence takes the only token; the four after it wait for the flush.
    await waitFor(() => eventWithReason(reason) !== undefined)
    t.equal(eventWithReason(reason)?.count, 1, 'the first occurrence is on the server')
    cli.child.stdin.write(one.repeat(4))
    await cli.echoed(Buffer.byteLength(one) * 5)
    await new Promise(resolve => setTimeout(resolve, 300))
    t.equal(eventWithReason(reason)?.count, 1, 'the next four are held back by the rate limit')
    cli.child.kill(signal)
    const { code, signal: killedBy, ms } = await cli.exit
    t.equal(code, 0, cli.stderr())
    t.equal(killedBy, null)
    t.ok(ms < 60_000, `ended after ${ms} ms, not held by the throttled counts`)
    t.equal(eventWithReason(reason)?.count, 5, 'the count on the server is exact')
    t.equal(cli.stdout().toString(), one.repeat(5))
  })
}

t.test('end of input delivers pending counts, then exits 0', async t => {
  const reason = 'PendingAtEnd'
  const cli = startCli(['--kubeconfig', kubeconfig, ...THROTTLED])
  const one = line({ level: 40, k8sObject: refOf(widget), reason, msg: 'repeated' })
  cli.child.stdin.write(one)
  await waitFor(() => eventWithReason(reason) !== undefined)
  t.equal(eventWithReason(reason)?.count, 1, 'the first occurrence is on the server, the rest will be held back')
  cli.child.stdin.end(one.repeat(6))
  const { code } = await cli.exit
  t.equal(code, 0, cli.stderr())
  t.equal(eventWithReason(reason)?.count, 7)
  t.equal(eventWithReason(reason)?.type, 'Warning')
})

t.test('an unreachable API server does not hold the exit beyond the flush timeout', async t => {
  server.faults.add({ path: /events/, action: { hang: true } })
  t.teardown(() => server.faults.clear())
  const cli = startCli(['--kubeconfig', kubeconfig, '--flush-timeout', '1s'])
  const ended = Date.now()
  cli.child.stdin.end(line({ level: 40, k8sObject: refOf(widget), reason: 'NeverArrives', msg: 'x' }))
  const { code } = await cli.exit
  t.equal(code, 0, cli.stderr())
  // Held by the hanging write, it would wait for the request's own timeout (10 s); with the default flush timeout, 8 s.
  const ms = Date.now() - ended
  t.ok(ms < 8000, `left ${ms} ms after the end of its input, by the 1 s flush timeout`)
})

t.test('a full stdout pauses reading stdin; nothing is lost', async t => {
  const cli = startCli(['--kubeconfig', kubeconfig])
  cli.child.stdout.pause()
  const chunk = Buffer.from(line({ level: 30, pid: 1, msg: 'x'.repeat(1000) }).repeat(1024))
  let written = 0
  const writtenChunks: Buffer[] = []
  // Write until stdin stays full: a command that buffered everything would keep taking input.
  const limit = 64 * 1024 * 1024
  let stalled = false
  while (written < limit) {
    writtenChunks.push(chunk)
    written += chunk.length
    if (!cli.child.stdin.write(chunk)) {
      const drained = await Promise.race([
        once(cli.child.stdin, 'drain').then(() => true),
        new Promise(resolve => setTimeout(resolve, 500)).then(() => false)
      ])
      if (!drained) { stalled = true; break }
    }
  }
  t.ok(stalled, `stdin stopped being read after ${written} bytes while stdout was not read`)
  t.comment(`stalled after ${written} bytes`)
  t.ok(written < 16 * 1024 * 1024, 'the command did not buffer the input in memory')
  cli.child.stdin.end()
  cli.child.stdout.resume()
  const { code } = await cli.exit
  t.equal(code, 0, cli.stderr())
  t.ok(cli.stdout().equals(Buffer.concat(writtenChunks)), 'stdout is stdin, byte for byte')
})

t.test('a closed stdout: input is still read, events still posted, exit 0', async t => {
  const cli = startCli(['--kubeconfig', kubeconfig])
  cli.child.stdout.destroy()
  const filler = line({ level: 30, msg: 'filler '.repeat(100) }).repeat(2000)
  cli.child.stdin.write(filler)
  cli.child.stdin.end(line({ level: 50, k8sObject: refOf(widget), reason: 'AfterStdoutClosed', msg: 'still posted' }))
  const { code, signal } = await cli.exit
  t.equal(code, 0, cli.stderr())
  t.equal(signal, null)
  t.equal(eventWithReason('AfterStdoutClosed')?.type, 'Error')
  t.match(cli.stderr(), /stdout is closed|could not write to stdout/, 'one diagnostic says so')
})

t.test('a line longer than the limit passes through but is not read for events', async t => {
  const cli = startCli(['--kubeconfig', kubeconfig])
  const long = '{"level":50,"k8sObject":' + JSON.stringify(refOf(widget)) + ',"reason":"TooLong","msg":"' + 'y'.repeat(5 * 1024 * 1024) + '"}\n'
  const input = long + line({ level: 40, k8sObject: refOf(widget), reason: 'AfterLongLine', msg: 'read again' })
  // Small writes, so that the long line arrives in many chunks.
  for (let at = 0; at < input.length; at += 100_000) cli.child.stdin.write(input.slice(at, at + 100_000))
  cli.child.stdin.end()
  const { code } = await cli.exit
  t.equal(code, 0, cli.stderr())
  t.equal(cli.stdout().toString(), input)
  t.equal(eventWithReason('TooLong'), undefined)
  t.equal(eventWithReason('AfterLongLine')?.type, 'Warning', 'the next line is read')
  t.match(cli.stderr(), /longer than \d+ bytes/)
})

t.test('at end of input a slow reader of stdout still gets every byte, however long it takes', async t => {
  const cli = startCli(['--kubeconfig', kubeconfig, '--flush-timeout', '200ms'])
  cli.child.stdout.pause()
  const input = Buffer.from(line({ level: 30, msg: 'z'.repeat(500) }).repeat(4000))
  cli.child.stdin.end(input)
  await new Promise(resolve => setTimeout(resolve, 1500))
  cli.child.stdout.resume()
  const { code } = await cli.exit
  t.equal(code, 0, cli.stderr())
  t.ok(cli.stdout().equals(input), `all ${input.length} bytes, long after the flush timeout`)
})
