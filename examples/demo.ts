// npm run demo: the example operator (examples/operator.ts) runs in its own process against the local API server,
// a KopfExample is created, the operator's handler runs and logs, the operator is stopped with SIGTERM, and the
// Events are shown as `kubectl describe` shows them.
//
//   npm run demo [-- --kubeconfig FILE]
//
// With --kubeconfig (or KUBECONFIG) it runs against that cluster instead: it applies the kopf.dev CRD and uses the
// namespace pino-k8s-events-demo.
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { Readable } from 'node:stream'
import { openDemoCluster } from './demo-cluster.js'
import { kubectl, kubectlOrFail } from '../test/apiserver/kubectl.js'

const NAMESPACE = 'pino-k8s-events-demo'
const EXAMPLE = 'kopf-example-1'
const HANDLER_TIMEOUT_MS = 60_000
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' }
const CRD_FILE = fileURLToPath(new URL('../../examples/kopfexample-crd.yaml', import.meta.url))

interface DemoArgs { kubeconfig?: string, logger: string }

function demoArgs (): DemoArgs {
  const { values } = parseArgs({ options: { kubeconfig: { type: 'string' }, logger: { type: 'string', default: 'pino' } } })
  return { kubeconfig: values.kubeconfig ?? process.env.KUBECONFIG, logger: values.logger }
}

/** The operator to run, as its own program. */
function operatorScript (): string {
  return fileURLToPath(new URL('./operator.js', import.meta.url))
}

/** Each JSON line the operator prints, shown briefly; resolves when `done` holds for a line. */
function followOperator (child: ChildProcessByStdio<null, Readable, Readable>, done: (line: any) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let rest = ''
    const timer = setTimeout(() => reject(new Error(`the operator did not finish its handler within ${HANDLER_TIMEOUT_MS / 1000} s`)), HANDLER_TIMEOUT_MS)
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      rest += chunk
      let newline
      while ((newline = rest.indexOf('\n')) !== -1) {
        const text = rest.slice(0, newline)
        rest = rest.slice(newline + 1)
        let line: any
        try { line = JSON.parse(text) } catch { console.log(`  operator | ${text}`); continue }
        const about = line.k8sObject !== undefined ? `  (${String(line.k8sObject.kind).toLowerCase()}/${String(line.k8sObject.name)})` : ''
        const error = line.err !== undefined ? ` ${String(line.err.message)}` : ''
        console.log(`  operator | ${(LEVELS[line.level] ?? String(line.level)).padEnd(5)} ${String(line.msg)}${error}${about}`)
        if (done(line)) {
          clearTimeout(timer)
          resolve()
        }
      }
    })
    child.once('exit', code => reject(new Error(`the operator ended early with code ${String(code)}`)))
  })
}

async function main (): Promise<void> {
  const args = demoArgs()
  // `npm run demo -- --logger winston`: the same example logged through winston.
  if (args.logger === 'winston') return await (await import('./winston-demo.js')).winstonDemo(args.kubeconfig)
  const { kubeconfig, server, useKubectl } = await openDemoCluster(args.kubeconfig)

  if (server === undefined) {
    await kubectlOrFail(['apply', '-f', CRD_FILE], kubeconfig)
    await kubectlOrFail(['wait', '--for=condition=Established', '--timeout=60s', 'crd/kopfexamples.kopf.dev'], kubeconfig)
  }
  if (useKubectl) {
    const { code, stderr } = await kubectl(['create', 'namespace', NAMESPACE], kubeconfig)
    if (code !== 0 && !stderr.includes('AlreadyExists')) throw new Error(`kubectl create namespace: ${stderr}`)
  } else {
    await server?.createNamespace(NAMESPACE)
  }

  console.log(`\n$ node ${operatorScript()} --namespace ${NAMESPACE}`)
  const operator = spawn(process.execPath, [operatorScript(), '--kubeconfig', kubeconfig, '--namespace', NAMESPACE], { stdio: ['ignore', 'pipe', 'pipe'] })
  operator.stderr.setEncoding('utf8').on('data', (chunk: string) => process.stderr.write(chunk))
  const handled = followOperator(operator, line => line.msg === 'All handlers succeeded.' && line.k8sObject?.name === EXAMPLE)

  const example = { apiVersion: 'kopf.dev/v1', kind: 'KopfExample', metadata: { name: EXAMPLE, namespace: NAMESPACE }, spec: { field: 'value' } }
  if (useKubectl) {
    console.log(`$ kubectl apply -f kopf-example-1.yaml -n ${NAMESPACE}`)
    console.log(`  ${(await kubectlOrFail(['apply', '-f', '-'], kubeconfig, JSON.stringify(example))).trim()}`)
  } else {
    console.log(`KopfExample ${EXAMPLE} created through the API (kubectl is not on PATH)`)
    await server?.createObject(example)
  }

  await handled
  console.log('$ kill -TERM <operator>')
  operator.kill('SIGTERM')
  const [code, signal] = await once(operator, 'exit') as [number | null, string | null]
  console.log(`  operator exited with code ${String(code ?? signal)}`)

  const targets: Array<[string, string]> = [['kopfexample', EXAMPLE], ['pod', `${EXAMPLE}-pod`]]
  for (const [kind, name] of targets) {
    if (useKubectl) {
      console.log(`\n$ kubectl describe ${kind} ${name} -n ${NAMESPACE}   (Events section)`)
      const out = await kubectlOrFail(['describe', kind, name, '-n', NAMESPACE], kubeconfig)
      console.log(out.slice(out.indexOf('Events:')).trimEnd())
    } else {
      console.log(`\nEvents of ${kind} ${name}, read through the API (kubectl is not on PATH):`)
      for (const event of server?.listEvents(NAMESPACE) ?? []) {
        if (event.involvedObject.name !== name) continue
        console.log(`  ${String(event.type)}\t${String(event.reason)}\tx${String(event.count)}\t${String(event.source?.component)}\t${String(event.message)}`)
      }
    }
  }
  if (server === undefined) console.log(`\nclean up with: kubectl delete namespace ${NAMESPACE}`)
  await server?.close()
  if (code !== 0) process.exitCode = 1
}

main().catch(err => {
  console.error(err)
  process.exit(1)
})
