// The stages every entry point shares, the transport and the command line: lines are selected and shaped into
// Event occurrences, which the recorder correlates and delivers.
import { createDeferredApiClient } from './connection/deferred.js'
import { createScopeDiscovery } from './connection/discovery.js'
import { watchConnection } from './connection/health.js'
import { createReferenceAdvice } from './shape/reference-advice.js'
import type { resolveLevels } from './select/levels.js'
import { connectionsFor } from './deliver/scheduler.js'
import { createRecorder, type LineStats, type Recorder } from './recorder.js'
import { createSelector, type Selector } from './select/index.js'
import { createLineReader, type LineReader } from './select/lines.js'
import { readOccurrences, type Occurrences } from './select/occurrences.js'
import { createRepeatedLines, timed } from './select/repeats.js'
import { relatedBindingOf, shapeEvents } from './shape/index.js'
import type { Config, Diagnostics, EventShape } from './types.js'
import { describeError } from './fields.js'

/** Where the fields of a JSON line are found; other loggers name them differently than pino. */
export interface InputKeys {
  levelKey: string
  messageKey: string
  errorKey: string
  timeKey: string
}

/** pino's own keys; messageKey and errorKey may be configured on the logger. */
export const PINO_INPUT_KEYS: Readonly<InputKeys> = { levelKey: 'level', messageKey: 'msg', errorKey: 'err', timeKey: 'time' }

export function createLineCounters (): LineStats {
  return { linesRead: 0, linesSelected: 0, invalidLines: 0, invalidBindings: 0 }
}

/** Correlation and delivery over a connection to the API server. Never waits on the network. */
export function createEventRecorder (config: Config, diagnostics: Diagnostics, counters: LineStats): Recorder {
  const client = watchConnection(createDeferredApiClient({
    kubeconfig: config.kubeconfig,
    context: config.context,
    requestTimeoutMs: config.delivery.requestTimeoutMs,
    // a flush may have more requests out than `concurrency`
    maxSockets: connectionsFor(config.delivery.concurrency),
    diagnostics
  }), { diagnostics, retryForMs: config.delivery.maxRetryAgeMs })
  const recorder = createRecorder({
    config,
    source: { component: config.component, instance: config.instance },
    client,
    diagnostics,
    lineStats: () => ({ ...counters })
  })
  const discovery = createScopeDiscovery(client)
  const advice = createReferenceAdvice({ diagnostics, objectKey: config.objectKey, discoverScope: discovery.scopeOf })
  return {
    ...recorder,
    record (shape) {
      advice.note(shape)
      recorder.record(shape)
    }
  }
}

export interface LineHandlerOptions {
  config: Config
  levels: ReturnType<typeof resolveLevels>
  keys: InputKeys
  recorder: Recorder
  diagnostics: Diagnostics
  counters: LineStats
  /** whether a line may stand for several occurrences (lib/select/occurrences.ts): the winston worker's lines do */
  readsOccurrences?: boolean
}

/** Selects and shapes one line, and records each Event it asks for. Never throws. */
export function createLineHandler (opts: LineHandlerOptions): (line: string) => void {
  return createStages(opts).handleLine
}

/**
 * The same for text of many lines, as the worker receives it: only the lines that mention the binding are cut out
 * and handled, the others are counted. Never throws.
 */
export function createTextHandler (opts: LineHandlerOptions): LineReader {
  const { handleLine, findMention } = createStages(opts)
  const { counters } = opts
  return createLineReader({
    findMention,
    onLine: handleLine,
    onOtherLines: count => { counters.linesRead += count }
  })
}

function createStages (opts: LineHandlerOptions): { handleLine: (line: string) => void, findMention: Selector['findMention'] } {
  const { config, levels, keys, recorder, counters } = opts
  // A line that warned is never remembered: each of its repeats must warn and count again.
  let warnings = 0
  const diagnostics: Diagnostics = {
    warn (key, message, everyMs) {
      warnings++
      opts.diagnostics.warn(key, message, everyMs)
    },
    emit: (name, payload) => opts.diagnostics.emit(name, payload)
  }
  const selector = createSelector({
    objectKey: config.objectKey,
    minLevel: levels.minLevel,
    ...keys,
    levelValues: levels.levelValues,
    diagnostics
  })
  const repeats = createRepeatedLines(keys.timeKey)
  const shapeContext = {
    typeFor: levels.typeFor,
    defaultReason: config.defaultReason,
    defaultAction: config.defaultAction,
    clusterNamespace: config.clusterNamespace,
    api: config.api,
    diagnostics,
    objectKey: config.objectKey,
    related: relatedBindingOf(config),
    stats: counters
  }

  function shapesOf (line: string): EventShape[] | undefined {
    if (!selector.mentionsBinding(line)) return undefined
    const repeated = repeats.shapesOf(line)
    if (repeated !== undefined) return repeated
    const warningsBefore = warnings
    const selected = selector.select(line)
    if (selected === undefined) {
      // Only lines that mention the binding get here. (An accessor on the counters would make every count slow.)
      counters.invalidLines = selector.invalidLines
      return undefined
    }
    const shapes = shapeEvents(selected, shapeContext)
    if (warnings === warningsBefore) repeats.learn(line, shapes)
    return shapes
  }

  function handleLine (line: string): void {
    const occurrences = opts.readsOccurrences === true ? readOccurrences(line) : undefined
    if (occurrences !== undefined) {
      handleOccurrences(occurrences)
      return
    }
    counters.linesRead++
    try {
      const shapes = shapesOf(line)
      if (shapes === undefined) return
      counters.linesSelected++
      for (const shape of shapes) recorder.record(shape)
    } catch (err) {
      diagnostics.warn('line', `could not handle a log line: ${describeError(err)}`)
    }
  }

  /**
   * A line standing for several occurrences is read once and recorded for each, the first at its own time. One that
   * warns, or is not selected, is read again for each occurrence, so that its warnings and counts stay exact.
   */
  function handleOccurrences ({ line, count, firstTime }: Occurrences): void {
    counters.linesRead += count
    try {
      const warningsBefore = warnings
      const shapes = shapesOf(line)
      const readOnce = shapes !== undefined && warnings === warningsBefore
      if (shapes !== undefined) {
        counters.linesSelected++
        for (const shape of shapes) recorder.record(timed(shape, firstTime))
      }
      for (let i = 1; i < count; i++) {
        const again = readOnce ? shapes : shapesOf(line)
        if (again === undefined) continue
        counters.linesSelected++
        for (const shape of again) recorder.record(shape)
      }
    } catch (err) {
      diagnostics.warn('line', `could not handle a log line: ${describeError(err)}`)
    }
  }

  return { handleLine, findMention: selector.findMention }
}
