// What the application's thread takes from a winston `info` bound to an object: only what an Event needs, as one
// compact JSON line for the worker. Everything here runs on the application's thread, for bound lines only.
import { k8sObjectSerializer } from '../serializer.js'
import { isRecord } from '../fields.js'
import type { SerializedError } from '../types.js'
import { pipelineLevel } from './levels.js'
import { errorFromText } from '../shape/error-text.js'
import { MAX_CAUSE_DEPTH } from '../shape/message.js'

// triple-beam's symbols: what winston's formats leave alone (colorize rewrites info.level, not info[LEVEL]).
const LEVEL = Symbol.for('level')
const SPLAT = Symbol.for('splat')

const MAX_AGGREGATED = 10
// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\u001b\[[0-9;]*m/g

type Info = Record<string | symbol, unknown>

function withoutColours (text: string): string {
  return text.includes('\u001b[') ? text.replace(ANSI_ESCAPE, '') : text
}

function errorType (err: Error): string {
  const name = err.constructor?.name
  return typeof name === 'string' && name !== '' && name !== 'Object' ? name : String(err.name)
}

function serializeError (err: Error, depth = 0): SerializedError {
  const out: SerializedError = { type: errorType(err), message: typeof err.message === 'string' ? err.message : '' }
  if (depth === 0 && typeof err.stack === 'string') out.stack = err.stack
  const cause = (err as { cause?: unknown }).cause
  if (cause instanceof Error && depth < MAX_CAUSE_DEPTH) out.cause = serializeError(cause, depth + 1)
  const errors = (err as { errors?: unknown }).errors
  if (Array.isArray(errors) && depth === 0) {
    out.aggregateErrors = errors.slice(0, MAX_AGGREGATED).map(item => item instanceof Error ? serializeError(item, MAX_CAUSE_DEPTH) : { message: String(item) })
  }
  return out
}

/** An error value the user put in a field: an Error, an already serialized one, or text. */
function asError (value: unknown): SerializedError | string | undefined {
  if (value instanceof Error) return serializeError(value)
  if (typeof value === 'string') return value.trim() === '' ? undefined : value
  if (isRecord(value) && (typeof value.message === 'string' || typeof value.type === 'string')) {
    const out: SerializedError = {}
    for (const key of ['type', 'message', 'stack'] as const) if (typeof value[key] === 'string') out[key] = value[key]
    return out
  }
  return undefined
}

/**
 * The error of a winston line, wherever winston left it: `{ err }` / `{ error }` meta, an Error as the message
 * (`logger.log({ level, message: err })`), the info itself (`logger.error(err)`), the meta argument
 * (`logger.error('Some exception:', err)`), else the stack text that winston and `format.errors({ stack: true })`
 * copy onto the info when they drop the Error object.
 */
export function errorOf (info: Info): SerializedError | string | undefined {
  const named = asError(info.err) ?? asError(info.error)
  if (named !== undefined) return named
  if (info.message instanceof Error) return serializeError(info.message)
  if (info instanceof Error) return serializeError(info)
  const splat = info[SPLAT]
  if (Array.isArray(splat)) {
    for (const item of splat) if (item instanceof Error) return serializeError(item)
  }
  if (typeof info.stack !== 'string' || info.stack === '') return undefined
  // A child logger keeps the cause beside the stack: the text alone would lose it.
  if (info.cause instanceof Error) return { ...errorFromText(info.stack), cause: serializeError(info.cause, 1) }
  return info.stack
}

/** The line's message as text, without colours. */
export function messageOf (info: Info): string {
  const message = info.message
  if (typeof message === 'string') return withoutColours(message)
  if (typeof message === 'number' || typeof message === 'boolean') return String(message)
  return ''
}

/** The line's level as the pipeline reads it; a label the logger lacks stays text. */
export function levelOf (info: Info, levels: Record<string, number> | undefined): number | string {
  const label = typeof info[LEVEL] === 'string' ? info[LEVEL] as string : withoutColours(String(info.level))
  const value = levels !== undefined && Object.hasOwn(levels, label) ? levels[label] : undefined
  // A label the logger lacks goes on as text: the worker says once that it is unknown.
  return typeof value === 'number' ? pipelineLevel(value) : label
}

/** The binding at `path` in `info`, or undefined; the first key is read directly, as most lines do not have it. */
export function bindingOf (info: Info, path: readonly string[]): unknown {
  let current: unknown = info[path[0]]
  for (let i = 1; i < path.length && current !== undefined; i++) {
    current = isRecord(current) ? current[path[i]] : undefined
  }
  return current
}

/** `"a":{"b":value}` for the path a.b: the binding where the worker looks for it, as JSON text. */
function bindingText (path: readonly string[], binding: unknown): string {
  let text: string
  try {
    text = JSON.stringify(k8sObjectSerializer(binding)) ?? 'null'
  } catch {
    // The worker reports a binding that names no object; this one could not even be written.
    text = JSON.stringify(`[${typeof binding} that is not JSON]`)
  }
  for (let i = path.length - 1; i > 0; i--) text = `{${JSON.stringify(path[i])}:${text}}`
  return `${JSON.stringify(path[0])}:${text}`
}

/**
 * A child logger puts the same binding object on every line: its text is made once, as pino serializes a child's
 * bindings once. An application may change a reused object in place, so a text is kept with the values its
 * reference was made from and made again when one of them differs. Single objects only; lists are rare.
 */
export interface BindingText {
  text: string
  /** the transport's objectKey path: two transports may find the same object under different keys */
  path: readonly string[]
  /** apiVersion, kind, metadata, then name, namespace, uid, fieldPath of the metadata (or of the reference) */
  source: unknown[]
}

const bindingTexts = new WeakMap<object, BindingText>()

function namesOf (binding: Record<string, unknown>): Record<string, unknown> {
  return isRecord(binding.metadata) ? binding.metadata : binding
}

function referenceSource (binding: Record<string, unknown>): unknown[] {
  const names = namesOf(binding)
  return [binding.apiVersion, binding.kind, binding.metadata, names.name, names.namespace, names.uid, names.fieldPath]
}

/** Whether the binding still holds the values `source` was read from; field by field: this runs for every bound line. */
export function madeFrom (binding: Record<string, unknown>, source: unknown[]): boolean {
  if (source[0] !== binding.apiVersion || source[1] !== binding.kind || source[2] !== binding.metadata) return false
  const names = namesOf(binding)
  return source[3] === names.name && source[4] === names.namespace && source[5] === names.uid && source[6] === names.fieldPath
}

/**
 * The text of an object binding, made once while the object stays as it was: the same entry for every line until a
 * value its reference is made from changes.
 */
export function bindingEntry (path: readonly string[], binding: Record<string, unknown>): BindingText {
  const cached = bindingTexts.get(binding)
  if (cached !== undefined && cached.path === path && madeFrom(binding, cached.source)) return cached
  const entry = { text: bindingText(path, binding), path, source: referenceSource(binding) }
  bindingTexts.set(binding, entry)
  return entry
}

function cachedBindingText (path: readonly string[], binding: unknown): string {
  return isRecord(binding) ? bindingEntry(path, binding).text : bindingText(path, binding)
}

/**
 * Both bindings under one first key, as one object: JSON with a key twice keeps only the last. The options make
 * sure neither path lies inside the other, so every object on the way is made here.
 */
function sharedRootText (path: readonly string[], binding: unknown, related: Related): string {
  const root: Record<string, unknown> = {}
  for (const [at, value] of [[path, binding], [related.path, related.binding]] as const) {
    let node = root
    for (let i = 0; i < at.length - 1; i++) {
      const next = node[at[i]]
      node = (node[at[i]] = isRecord(next) ? next : {}) as Record<string, unknown>
    }
    node[at[at.length - 1]] = k8sObjectSerializer(value)
  }
  let text: string
  try {
    text = JSON.stringify(root[path[0]]) ?? 'null'
  } catch {
    text = JSON.stringify(`[${typeof binding} that is not JSON]`)
  }
  return `${JSON.stringify(path[0])}:${text}`
}

/** The bindings of a line as JSON members: the object's, and the related object's when there is one. */
function bindingsText (path: readonly string[], binding: unknown, related: Related | undefined): string {
  if (related === undefined) return cachedBindingText(path, binding)
  if (related.path[0] !== path[0]) return cachedBindingText(path, binding) + ',' + cachedBindingText(related.path, related.binding)
  return sharedRootText(path, binding, related)
}

/** the related object's binding of a line, and where the worker looks for it */
export interface Related {
  path: readonly string[]
  binding: unknown
}

/**
 * JSON text of a string, remembering the latest one: a call site logs the same message and reason line after line,
 * and JSON.stringify would escape them again every time.
 */
class LastText {
  private value = ''
  private text = '""'

  of (value: string): string {
    if (value !== this.value) {
      this.value = value
      this.text = JSON.stringify(value)
    }
    return this.text
  }
}

const messageTexts = new LastText()
const reasonTexts = new LastText()

/** A bound line's text before its time's digits: the bindings and the level. */
export function lineStart (bindings: string, level: number | string): string {
  return `{${bindings},"level":${typeof level === 'number' ? level : JSON.stringify(level)},"time":`
}

/** A bound line's text after its time's digits: the message, the error, and reason, eventType and action when they are text. */
export function lineEnd (info: Info, message: string, err: SerializedError | string | undefined): string {
  let end = `,"msg":${messageTexts.of(message)}`
  if (err !== undefined) end += `,"err":${JSON.stringify(err)}`
  const { reason, eventType, action } = info
  if (typeof reason === 'string') end += `,"reason":${reasonTexts.of(reason)}`
  if (typeof eventType === 'string') end += `,"eventType":${JSON.stringify(eventType)}`
  if (typeof action === 'string') end += `,"action":${JSON.stringify(action)}`
  return end + '}'
}

/**
 * One JSON line for the worker, under pino's keys (PINO_INPUT_KEYS): the binding (and the related one), level, time, msg, err, and
 * reason/eventType/action when they are text. Written as text directly: this runs on the application's thread.
 */
export function eventLine (
  info: Info, binding: unknown, path: readonly string[], level: number | string, related?: Related,
  time = Date.now(), err = errorOf(info)
): string {
  return lineStart(bindingsText(path, binding, related), level) + time + lineEnd(info, messageOf(info), err)
}
