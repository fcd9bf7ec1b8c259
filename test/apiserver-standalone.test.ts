import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { kubectl, kubectlAvailable } from './apiserver/kubectl.js'

// Runs the built program, as `npm run apiserver` does; `npm test` builds first.
const MAIN = fileURLToPath(new URL('../dist/test/apiserver/main.js', import.meta.url))
const skip = kubectlAvailable() ? false : 'kubectl is not on PATH'

const dir = mkdtempSync(join(tmpdir(), 'pino-k8s-events-standalone-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

interface Running { url: string, exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>, kill: (signal: NodeJS.Signals) => void, stdout: () => string }

async function launch (args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>(resolve => child.on('exit', (code, signal) => resolve({ code, signal })))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in 20 s; stderr: ${stderr}`)), 20_000)
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const match = /^listening on (\S+)\n/.exec(stdout)
      if (match !== null) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    void exited.then(({ code }) => reject(new Error(`exited with ${String(code)} before listening; stderr: ${stderr}`)))
  })
  return { url, exited, kill: signal => child.kill(signal), stdout: () => stdout }
}

t.test('the program prints one listening line, writes a kubeconfig, serves kubectl and exits 0 on SIGTERM', { skip }, async t => {
  const file = join(dir, 'kubeconfig.yaml')
  const running = await launch(['--port', '0', '--kubeconfig', file])
  t.match(running.url, /^https:\/\/127\.0\.0\.1:\d+$/)

  const config = parse(readFileSync(file, 'utf8'))
  t.equal(config['current-context'], 'admin')
  t.same(config.contexts.map((c: any) => c.name), ['admin', 'nobody', 'creator'])
  t.equal(config.clusters[0].cluster.server, running.url)
  t.match(Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), /BEGIN CERTIFICATE/)

  const namespaces = await kubectl(['get', 'namespaces', '-o', 'name'], file)
  t.equal(namespaces.code, 0, namespaces.stderr)
  t.equal(namespaces.stdout, 'namespace/default\nnamespace/kube-system\n')
  const denied = await kubectl(['get', 'events', '--context', 'nobody'], file)
  t.not(denied.code, 0)
  t.match(denied.stderr, 'events is forbidden: User "nobody" cannot list resource "events" in API group "" in the namespace "default"')

  running.kill('SIGTERM')
  t.same(await running.exited, { code: 0, signal: null })
  t.equal(running.stdout(), `listening on ${running.url}\n`, 'exactly one line on stdout')
})

t.test('a fixed port, plain HTTP, and SIGINT', async t => {
  const probe = await launch(['--port', '0', '--no-tls'])
  const port = Number(new URL(probe.url).port)
  probe.kill('SIGINT')
  t.same(await probe.exited, { code: 0, signal: null })

  const running = await launch(['--port', String(port), '--no-tls'])
  t.equal(running.url, `http://127.0.0.1:${port}`)
  const res = await fetch(`${running.url}/version`, { headers: { Authorization: 'Bearer admin-token' } })
  t.equal(res.status, 200)
  t.match(await res.json(), { gitVersion: /^v1\.32\./ })
  running.kill('SIGINT')
  t.same(await running.exited, { code: 0, signal: null })
})

t.test('bad arguments end the program with an error', async t => {
  const child = spawn(process.execPath, [MAIN, '--port', 'eighty'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const code = await new Promise(resolve => child.on('exit', resolve))
  t.equal(code, 1)
  t.match(stderr, /--port must be 0\.\.65535/)
})
