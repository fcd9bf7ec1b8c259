// A logger the application no longer references: V8 collects it, and thread-stream stops the worker of a stream
// it collected. The winston transport holds its stream until it is closed; with pino, the application keeps the
// reference (see docs/troubleshooting.md). Run in processes of their own with --expose-gc.
import t from 'tap'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'
import { waitFor } from './helpers/wait.js'

const FIXTURE = fileURLToPath(new URL('fixtures/dropped-logger.mjs', import.meta.url)).replace('/dist/test/', '/test/')

let server: LocalApiServer
let kubeconfig: string
t.before(async () => {
  server = await startApiServer()
  kubeconfig = server.kubeconfig()
})
t.teardown(async () => await server.close())

function startDropping (scenario: { kind: 'pino' | 'winston', keep: boolean, namespace: string }): { output: () => string, exit: () => void, closed: Promise<unknown> } {
  const child = spawn(process.execPath, ['--expose-gc', FIXTURE], {
    env: { ...process.env, DROPPED_LOGGER_SCENARIO: JSON.stringify({ ...scenario, kubeconfig }) },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  child.stdin.on('error', () => {})
  const closed = new Promise(resolve => child.once('close', resolve))
  t.teardown(() => { child.kill('SIGKILL') })
  return { output: () => output, exit: () => { child.stdin.write('exit\n') }, closed }
}

const dropped = (namespace: string): any[] => server.listEvents(namespace).filter((event: any) => event.reason === 'Dropped')

for (const [kind, keep] of [['winston', false], ['pino', true]] as const) {
  t.test(`${kind}, ${keep ? 'logger kept by the application' : 'logger let go'}: the events are written after a garbage collection`, async t => {
    const namespace = `gc-${kind}-${keep ? 'kept' : 'dropped'}`
    await server.createNamespace(namespace)
    // Unreachable while the application logs and collects: the events wait in the worker.
    await server.stop()
    const app = startDropping({ kind, keep, namespace })
    t.ok(await waitFor(() => app.output().includes('gc-done')), `collected garbage: ${app.output()}`)
    t.notMatch(app.output(), /^collected$/m, 'the transport was not collected')
    await server.start()
    t.ok(await waitFor(() => dropped(namespace).length === 3), `all three events arrived: ${dropped(namespace).length}`)
    app.exit()
    await app.closed
  })
}

t.test('pino, logger let go: V8 collects the transport, which is why the application must keep its logger', async t => {
  const namespace = 'gc-pino-dropped'
  await server.createNamespace(namespace)
  await server.stop()
  const app = startDropping({ kind: 'pino', keep: false, namespace })
  t.ok(await waitFor(() => app.output().includes('gc-done')), `collected garbage: ${app.output()}`)
  // thread-stream terminates the worker of a collected stream: what it held is gone (docs/troubleshooting.md).
  t.match(app.output(), /^collected$/m, 'the transport was collected')
  await server.start()
  app.exit()
  await app.closed
})
