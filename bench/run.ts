// npm run bench [-- --case N ...] [--cpu-prof]: runs each case in a process of its own, prints the results table and
// writes bench/results.md. KUBECONFIG=... with --case points the chosen cases at that cluster instead of the local
// server. --cpu-prof writes CPU profiles of every measured process (all threads) to bench/.work/profiles/.
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PROFILE_DIR_ENV } from './child.js'
import { benchFile, clusterCommand, parseResultLine, scale, sized, type CaseResult } from './harness.js'
import { describeMachine, machineLine } from './machine.js'
import { resultsMarkdown, resultsTable, type CaseOutcome } from './report.js'
import { CLUSTER_KUBECONFIG_ENV } from './target.js'

const CASES = [
  { id: 1, title: 'Main-thread cost', file: 'cases/1-main-thread.js' },
  { id: 2, title: 'Worker throughput', file: 'cases/2-worker-throughput.js' },
  { id: 3, title: 'Start-up and footprint', file: 'cases/3-startup.js' },
  { id: 4, title: 'Flood', file: 'cases/4-flood.js' },
  { id: 5, title: 'Storm', file: 'cases/5-storm.js' },
  { id: 6, title: 'Latency', file: 'cases/6-latency.js' },
  { id: 7, title: 'Memory under distinct floods', file: 'cases/7-distinct-flood.js' },
  { id: 8, title: 'Shutdown', file: 'cases/8-shutdown.js' },
  { id: 9, title: 'winston main-thread cost', file: 'cases/9-winston-main-thread.js' },
  { id: 10, title: 'Overload', file: 'cases/10-overload.js' }
]

const RESULTS_FILE = fileURLToPath(new URL('../../bench/results.md', import.meta.url))
const PROFILES_DIR = fileURLToPath(new URL('../../bench/.work/profiles', import.meta.url))
const USAGE = 'usage: npm run bench [-- --case N[,N...]] [--cpu-prof]   (BENCH_SCALE=tiny for a quick smoke run)'

function parseArgs (argv: string[]): { chosen?: number[], profile: boolean } {
  let chosen: number[] | undefined
  let profile = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`)
      process.exit(0)
    }
    if (arg === '--cpu-prof') {
      profile = true
      continue
    }
    const value = arg === '--case' ? argv[++i] : arg.startsWith('--case=') ? arg.slice('--case='.length) : undefined
    if (value === undefined) throw new Error(`unknown argument ${arg}; ${USAGE}`)
    for (const part of value.split(',')) {
      const id = Number(part)
      if (!CASES.some(c => c.id === id)) throw new Error(`no case ${part}: cases are ${CASES.map(c => c.id).join(', ')}`)
      chosen = [...(chosen ?? []), id]
    }
  }
  return { chosen, profile }
}

/** A case that hangs (a worker that never becomes ready, say) must not hang CI with it. */
const CASE_TIMEOUT_MS = sized(15 * 60_000, 60_000)

/** The process group of the running case: the case, its API server and its measured processes. */
let runningGroup: number | undefined

function stopRunningCase (): void {
  if (runningGroup === undefined) return
  try {
    process.kill(-runningGroup, 'SIGKILL')
  } catch {}
}

async function runCase (file: string, env: NodeJS.ProcessEnv): Promise<{ result?: CaseResult, failure?: string }> {
  // Cases 4 and 6 measure in the case's own process; the others in processes they start, which profile themselves.
  const profileDir = env[PROFILE_DIR_ENV]
  const profiling = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]
  const child = spawn(process.execPath, [...profiling, benchFile(file)], { env, stdio: ['ignore', 'pipe', 'inherit'], detached: true })
  runningGroup = child.pid
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    stopRunningCase()
  }, CASE_TIMEOUT_MS)
  let result: CaseResult | undefined
  let pending = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk
    let newline
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline)
      pending = pending.slice(newline + 1)
      result = parseResultLine(line) ?? result
      if (parseResultLine(line) === undefined && line !== '') process.stdout.write(`  ${line}\n`)
    }
  })
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  clearTimeout(timer)
  runningGroup = undefined
  if (timedOut) return { failure: `did not finish within ${CASE_TIMEOUT_MS / 1000} s` }
  if (code !== 0) return { failure: `exited with code ${String(code)}` }
  if (result === undefined) return { failure: 'printed no result' }
  return { result }
}

async function main (): Promise<void> {
  const { chosen, profile } = parseArgs(process.argv.slice(2))
  // Cases run in a process group of their own, which Ctrl-C on the terminal does not reach.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      stopRunningCase()
      process.exit(130)
    })
  }
  const kubeconfig = process.env.KUBECONFIG
  // A full run never goes to a cluster: a million warnings are not something to send to one by accident.
  const useCluster = chosen !== undefined && kubeconfig !== undefined && kubeconfig !== ''
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env[CLUSTER_KUBECONFIG_ENV]
  if (useCluster) env[CLUSTER_KUBECONFIG_ENV] = kubeconfig
  delete env[PROFILE_DIR_ENV]
  if (profile) {
    mkdirSync(PROFILES_DIR, { recursive: true })
    env[PROFILE_DIR_ENV] = PROFILES_DIR
  }
  const machine = describeMachine()
  const selected = CASES.filter(c => chosen === undefined || chosen.includes(c.id))

  process.stdout.write(`pino-k8s-events benchmarks, scale ${scale}\n${machineLine(machine)}\n`)
  if (profile) process.stdout.write(`CPU profiles go to ${PROFILES_DIR}; read one with node dist/bench/profile-summary.js FILE\n`)
  if (useCluster) process.stdout.write(`Events go to the cluster of KUBECONFIG=${kubeconfig}, in a namespace made for the run and deleted after it.\n`)
  else if (kubeconfig !== undefined && kubeconfig !== '') process.stdout.write('KUBECONFIG is ignored without --case: a full run always uses the local API server.\n')

  const outcomes: CaseOutcome[] = []
  for (const c of selected) {
    process.stdout.write(`\n== case ${c.id}: ${c.title}  (against a real cluster: ${clusterCommand(c.id)})\n`)
    const started = performance.now()
    const { result, failure } = await runCase(c.file, env)
    outcomes.push({ id: c.id, title: c.title, result, failure, seconds: (performance.now() - started) / 1000 })
    if (failure !== undefined) process.stdout.write(`  case ${c.id} failed: ${failure}\n`)
  }

  process.stdout.write(`\n${resultsTable(outcomes)}\n\n`)
  const markdown = resultsMarkdown(outcomes, machine, scale)
  // Only a full-size run of every case against the local server is the project's record; anything else goes to a
  // temporary file, so that smoke runs in CI leave the tree clean.
  const isRecord = scale === 'full' && chosen === undefined && !useCluster && !profile
  const file = isRecord ? RESULTS_FILE : join(tmpdir(), `pino-k8s-events-bench-${scale}.md`)
  writeFileSync(file, markdown)
  process.stdout.write(`results written to ${file}\n`)
  if (outcomes.some(outcome => outcome.result === undefined)) process.exitCode = 1
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error)?.message ?? String(err)}\n`)
  process.exitCode = 1
})
