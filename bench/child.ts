// Fresh processes for measurements, so that one measurement's heap, JIT state and worker never touch the next.
import { spawn } from 'node:child_process'
import { lastJsonLine } from './harness.js'

const INPUT_ENV = 'BENCH_INPUT'
/** set by `npm run bench -- --cpu-prof`: every measured process writes CPU profiles of all its threads there */
export const PROFILE_DIR_ENV = 'BENCH_CPU_PROF_DIR'

/** Runs `node file` with `input`, and returns the JSON the child answered with. */
export async function runChild<T> (file: string, input: unknown, opts: { nodeFlags?: string[], env?: NodeJS.ProcessEnv } = {}): Promise<T> {
  const profileDir = process.env[PROFILE_DIR_ENV]
  const profiling = profileDir === undefined || profileDir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]
  const child = spawn(process.execPath, [...profiling, ...(opts.nodeFlags ?? []), file], {
    env: { ...process.env, ...opts.env, [INPUT_ENV]: JSON.stringify(input) },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  let stdout = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
  if (code !== 0) throw new Error(`${file} exited with ${String(code)}: ${stdout.slice(-500)}`)
  return lastJsonLine<T>(stdout)
}

export function readInput<T> (): T {
  const text = process.env[INPUT_ENV]
  if (text === undefined) throw new Error(`${INPUT_ENV} is not set: this file is run by the benchmark, not by hand`)
  return JSON.parse(text) as T
}

export function answer (value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`)
}

/** Runs a child's body; a failure prints its cause and sets a non-zero exit code. */
export function runMain (body: () => Promise<void>): void {
  body().catch((err: unknown) => {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`)
    process.exitCode = 1
  })
}
