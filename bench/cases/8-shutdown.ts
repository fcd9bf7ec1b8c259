// Case 8: shutdown at the API server's speed. An application logs 1,000 distinct warnings and calls
// process.exit(0) at once; pino ends the transport, which must write them all before the process is gone. The
// baseline is the same 1,000 POSTs sent straight at the same server over 8 keep-alive connections, in the same run.
import { spawn } from 'node:child_process'
import { runChild } from '../child.js'
import { atMost, benchFile, count, emitResult, fixed, median, progress, ratio, sized } from '../harness.js'
import { openTarget, type Target } from '../target.js'
import type { ShutdownInput, ShutdownStart } from './shutdown-app.js'
import type { StraightAnswer, StraightInput } from './straight-posts.js'

const EVENTS = sized(1000, 100)
const OBJECTS = 10
/** rounds of a baseline then the application, back to back, so that each pair sees the same machine */
const ROUNDS = sized(5, 1)
const BASELINE_CONNECTIONS = 8
const BAR_RATIO = 1.5

interface ShutdownRun {
  /** from the first warning until the process had exited */
  ms: number
  code: number | null
  /** the transport's shutdown summary, when anything was dropped */
  droppedLine?: string
}

/** Runs the application; its clock and ours are the machine's, so its start and our 'exit' time one span. */
async function runApplication (input: ShutdownInput): Promise<ShutdownRun> {
  const child = spawn(process.execPath, [benchFile('cases/shutdown-app.js')], {
    env: { ...process.env, BENCH_INPUT: JSON.stringify(input) },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  let exitedAt = 0
  child.on('exit', () => { exitedAt = Date.now() })
  // 'close' comes after 'exit', once everything the process printed has been read.
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
  const start = JSON.parse(stdout.split('\n')[0]) as ShutdownStart
  if (stderr.trim() !== '') process.stderr.write(stderr.replace(/^/gm, '  app: '))
  const droppedLine = stderr.split('\n').find(line => line.includes('pino-k8s-events: dropped '))
  return { ms: exitedAt - start.startedAt, code, droppedLine }
}

async function storedFor (target: Target, prefix: string): Promise<number> {
  return (await target.events()).filter(event => event.object.startsWith(prefix)).length
}

async function main (): Promise<void> {
  const target = await openTarget({ namespace: 'bench-shutdown' })
  const ours: ShutdownRun[] = []
  const straight: StraightAnswer[] = []
  let missing = 0
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const base = { kubeconfig: target.kubeconfig, namespace: target.namespace, events: EVENTS, objects: OBJECTS }
      const baseline = await runChild<StraightAnswer>(benchFile('cases/straight-posts.js'),
        { ...base, prefix: `straight-${round}-`, connections: BASELINE_CONNECTIONS } satisfies StraightInput)
      straight.push(baseline)
      const prefix = `exiting-${round}-`
      const run = await runApplication({ ...base, prefix })
      ours.push(run)
      const stored = await storedFor(target, prefix)
      missing += EVENTS - stored
      progress(`round ${round + 1}: straight POSTs ${fixed(baseline.ms, 0)} ms (${baseline.created} created, ${baseline.failed} failed); ` +
        `logged then exit ${fixed(run.ms, 0)} ms, exit code ${String(run.code)}, ${stored} of ${EVENTS} on the server${run.droppedLine !== undefined ? `; ${run.droppedLine}` : ''}`)
    }
  } finally {
    await target.close()
  }

  const oursMs = median(ours.map(run => run.ms))
  const straightMs = median(straight.map(run => run.ms))
  const roundRatios = ours.map((run, i) => run.ms / straight[i].ms)
  const shutdownRatio = median(roundRatios)
  const dropped = ours.filter(run => run.droppedLine !== undefined).map(run => run.droppedLine as string)
  const baselineFailures = straight.reduce((sum, run) => sum + run.failed, 0)
  emitResult({
    id: 8,
    title: 'Shutdown',
    target: target.description,
    rows: [
      {
        measure: `${count(EVENTS)} distinct warnings, then process.exit(0): time from the first log call until the process ended ÷ ` +
          `the same ${count(EVENTS)} POSTs sent straight at the server over ${BASELINE_CONNECTIONS} keep-alive connections`,
        value: ratio(shutdownRatio),
        bar: `≤ ${ratio(BAR_RATIO, 1)}`,
        met: atMost(shutdownRatio, BAR_RATIO),
        context: `median of ${ROUNDS} rounds' ratios (${roundRatios.map(r => fixed(r, 2)).join(', ')}); medians ${fixed(oursMs, 0)} ms against ${fixed(straightMs, 0)} ms ` +
          `(each round: ${ours.map(run => fixed(run.ms, 0)).join(', ')} ms against ${straight.map(run => fixed(run.ms, 0)).join(', ')} ms)` +
          (baselineFailures > 0 ? `; ${baselineFailures} straight POSTs failed` : '')
      },
      {
        measure: 'Events missing on the server after the exits (none may be dropped)',
        value: count(missing),
        bar: '= 0',
        met: missing === 0 && dropped.length === 0 && ours.every(run => run.code === 0),
        context: dropped.length === 0 ? `${count(EVENTS * ROUNDS)} written in ${ROUNDS} run(s), nothing dropped` : dropped.join('; ')
      }
    ],
    notes: [
      `Each run is a fresh process that logs ${count(EVENTS)} warnings with distinct reasons about ${OBJECTS} objects, every option ` +
      'at its default, then calls process.exit(0) at once: the Events are written while pino ends the transport, ' +
      'when the rate limits no longer hold them back and a flush may have more requests out than `concurrency`. ' +
      'The time runs from the first log call until the process had exited, so it includes loading the connection code. ' +
      `The baseline, also a fresh process, sends the same ${count(EVENTS)} POST bodies with the package's HTTP client over ` +
      `${BASELINE_CONNECTIONS} connections, ${BASELINE_CONNECTIONS} requests out at once; it starts cold as the transport does, its ` +
      'time running from loading the HTTP client and reading the kubeconfig until the last answer. ' +
      'Each round runs the baseline and then the application back to back; the result is the median of the rounds\' ratios, ' +
      'which a machine shared with other work moves less than a ratio of separate medians.'
    ]
  })
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`)
  process.exitCode = 1
})
