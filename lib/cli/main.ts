#!/usr/bin/env node
// The command for piped logs: stdin → stdout unchanged, and Events for the lines that carry an object reference.
import { existsSync, writeSync } from 'node:fs'
import { delimiter } from 'node:path'
import { createDiagnostics } from '../diagnostics.js'
import { describeError } from '../fields.js'
import { packageVersion } from '../connection/user-agent.js'
import { parseOptions } from '../options.js'
import { resolveLevels } from '../select/levels.js'
import { createEventRecorder, createLineCounters, createLineHandler } from '../pipeline.js'
import { parseCliArgs, helpText, describeOptionProblem, type InputKeys } from './args.js'
import type { Config, Diagnostics } from '../types.js'

const EXIT_USAGE = 2
/** A longer line still passes through to stdout, but is not read for events: the buffer stays bounded. */
const MAX_LINE_BYTES = 4 * 1024 * 1024
/** Beyond the flush timeout, the slack given to closing before the process leaves anyway. */
const EXIT_GRACE_MS = 2000
const NEWLINE = 0x0a

function writeFd (fd: 1 | 2, text: string): void {
  try {
    writeSync(fd, text)
  } catch {}
}

/** Cuts a byte stream into lines (at most `maxLineBytes` each) without holding more than one partial line. */
function createLineSplitter (maxLineBytes: number, onLine: (line: string) => void, onOversize: () => void): { push (chunk: Buffer): void, end (): void } {
  let pending: Buffer[] = []
  let pendingBytes = 0
  let skipping = false

  const keepPartial = (part: Buffer): void => {
    if (skipping || part.length === 0) return
    if (pendingBytes + part.length > maxLineBytes) {
      pending = []
      pendingBytes = 0
      skipping = true
      onOversize()
      return
    }
    // A copy, so the whole chunk it came from can be freed.
    pending.push(Buffer.from(part))
    pendingBytes += part.length
  }

  return {
    push (chunk) {
      const first = chunk.indexOf(NEWLINE)
      if (first === -1) {
        keepPartial(chunk)
        return
      }
      if (skipping) {
        skipping = false
      } else if (pendingBytes + first > maxLineBytes) {
        onOversize()
      } else {
        const head = chunk.subarray(0, first)
        onLine(pendingBytes === 0 ? head.toString('utf8') : Buffer.concat([...pending, head]).toString('utf8'))
      }
      pending = []
      pendingBytes = 0
      const last = chunk.lastIndexOf(NEWLINE)
      if (last > first) {
        // One decode for all the complete lines of the chunk: a newline byte never occurs inside a UTF-8 character.
        const lines = chunk.toString('utf8', first + 1, last).split('\n')
        const mayBeOversize = last - first > maxLineBytes
        for (const line of lines) {
          if (mayBeOversize && Buffer.byteLength(line) > maxLineBytes) onOversize()
          else onLine(line)
        }
      }
      keepPartial(chunk.subarray(last + 1))
    },
    end () {
      if (!skipping && pendingBytes > 0) onLine(Buffer.concat(pending).toString('utf8'))
      pending = []
      pendingBytes = 0
    }
  }
}

interface Pipeline {
  handleLine (line: string): void
  close (timeoutMs: number): Promise<void>
}

const PASS_THROUGH_ONLY: Pipeline = { handleLine () {}, async close () {} }

function createPipeline (config: Config, keys: InputKeys, levelValues: Record<string, number> | undefined, diagnostics: Diagnostics): { pipeline?: Pipeline, problems: string[] } {
  const problems: string[] = []
  const levels = resolveLevels(config, levelValues, problems)
  if (problems.length > 0) return { problems }
  const counters = createLineCounters()
  const recorder = createEventRecorder(config, diagnostics, counters)
  return {
    problems,
    pipeline: {
      handleLine: createLineHandler({ config, levels, keys, recorder, diagnostics, counters }),
      async close (timeoutMs) {
        try {
          await recorder.close(timeoutMs)
        } catch {}
      }
    }
  }
}

function usageError (problems: string[]): never {
  writeFd(2, problems.map(problem => `pino-k8s-events: ${problem}\n`).join('') + 'pino-k8s-events: see --help\n')
  process.exit(EXIT_USAGE)
}

/** Copies stdin to stdout as raw chunks, pausing stdin while stdout is full; a dead stdout doesn't stop the events. */
function pumpInput (onChunk: (chunk: Buffer) => void, onEnd: () => void, diagnostics: Diagnostics): { stop (): void, drained (timeoutMs?: number): Promise<void> } {
  const stdin = process.stdin
  const stdout = process.stdout
  let stdoutDead = false
  let waitingForDrain = false

  const resume = (): void => {
    if (!waitingForDrain) return
    waitingForDrain = false
    stdin.resume()
  }
  stdout.on('drain', resume)
  stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (!stdoutDead) diagnostics.warn('stdout', `stdout is closed (${err.code ?? describeError(err)}): the input is no longer copied, events are still posted`, Infinity)
    stdoutDead = true
    resume()
  })
  stdin.on('data', (chunk: Buffer) => {
    if (!stdoutDead) {
      try {
        if (!stdout.write(chunk) && !waitingForDrain) {
          waitingForDrain = true
          stdin.pause()
        }
      } catch (err) {
        stdoutDead = true
        diagnostics.warn('stdout', `could not write to stdout (${describeError(err)}): the input is no longer copied, events are still posted`, Infinity)
      }
    }
    onChunk(chunk)
  })
  let ended = false
  const end = (): void => {
    if (ended) return
    ended = true
    onEnd()
  }
  stdin.on('end', end)
  stdin.on('error', (err) => {
    diagnostics.warn('stdin', `could not read stdin: ${describeError(err)}`, Infinity)
    end()
  })

  return {
    stop () {
      ended = true
      stdin.pause()
      stdin.removeAllListeners('data')
    },
    async drained (timeoutMs) {
      if (stdoutDead || stdout.writableLength === 0) return
      await new Promise<void>(resolve => {
        const timer = timeoutMs === undefined ? undefined : setTimeout(resolve, timeoutMs)
        const done = (): void => { clearTimeout(timer); resolve() }
        stdout.once('drain', done)
        stdout.once('error', done)
      })
    }
  }
}

function main (): void {
  const diagnostics = createDiagnostics()
  // The command sits in front of the application's output: dying would break the pipe the application writes to.
  process.on('uncaughtException', (err) => { diagnostics.warn('uncaught', `unexpected error, carrying on: ${describeError(err)}`) })
  process.on('unhandledRejection', (err) => { diagnostics.warn('uncaught', `unexpected error, carrying on: ${describeError(err)}`) })

  const defaults = parseOptions({}).config
  const request = parseCliArgs(process.argv.slice(2), defaults)
  if (request.kind === 'invalid') usageError(request.problems)
  if (request.kind === 'help') {
    writeFd(1, helpText(defaults, packageVersion()))
    process.exit(0)
  }
  if (request.kind === 'version') {
    writeFd(1, packageVersion() + '\n')
    process.exit(0)
  }

  const { config, problems } = parseOptions(request.options)
  if (problems.length > 0) usageError(problems.map(describeOptionProblem))
  // The transport would carry on without events; a command line with a wrong path is better told at once.
  const missingKubeconfigs = (config.kubeconfig ?? '').split(delimiter).filter(path => path !== '' && !existsSync(path))
  if (missingKubeconfigs.length > 0) usageError(missingKubeconfigs.map(path => `--kubeconfig ${JSON.stringify(path)}: no such file`))
  let created: ReturnType<typeof createPipeline>
  try {
    created = createPipeline(config, request.keys, request.levels, diagnostics)
  } catch (err) {
    // Like the transport: without a working pipeline the input still flows, only no events are posted.
    diagnostics.warn('start', `could not start, no events will be posted: ${describeError(err)}`, Infinity)
    created = { problems: [], pipeline: PASS_THROUGH_ONLY }
  }
  const { pipeline, problems: levelProblems } = created
  if (pipeline === undefined) usageError(levelProblems.map(describeOptionProblem))

  const splitter = createLineSplitter(MAX_LINE_BYTES, line => { pipeline.handleLine(line) }, () => {
    diagnostics.warn('long-line', `a line longer than ${MAX_LINE_BYTES} bytes was passed through but not read for events`)
  })

  let closing = false
  /**
   * At end of input everything read is still copied out, however slow the reader of stdout (a pager, say); on a
   * signal, stdout gets the flush timeout too. Events get the flush timeout either way.
   */
  const shutdown = async (cause: 'end' | 'signal'): Promise<void> => {
    if (closing) return
    closing = true
    input.stop()
    if (cause === 'end') splitter.end()
    const timeoutMs = config.delivery.flushTimeoutMs
    let deadline: NodeJS.Timeout | undefined
    // A timer, not unref()ed: it also keeps the process alive while delivery waits on its own unref()ed timers.
    const eventsDone = Promise.race([
      pipeline.close(timeoutMs),
      new Promise<void>(resolve => { deadline = setTimeout(resolve, timeoutMs + EXIT_GRACE_MS) })
    ]).finally(() => { clearTimeout(deadline) })
    await Promise.all([eventsDone, input.drained(cause === 'end' ? undefined : timeoutMs)])
    process.exit(0)
  }

  const input = pumpInput(chunk => { splitter.push(chunk) }, () => { void shutdown('end') }, diagnostics)

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (closing) {
        diagnostics.warn('signal', `${signal} again: leaving without waiting for pending events`, 0)
        process.exit(0)
      }
      void shutdown('signal')
    })
  }
}

main()
