// Lines of one child logger repeat the same text but for their time: pino writes the child's bindings, and a warning
// logged again and again, as the same characters each time. Such a line asks for the same events as the line it
// repeats, at its own time, so it need not be parsed, checked and shaped again. A few lines are remembered as the
// text before their time's digits and the text after them; a line that is one of them with other digits in between
// takes the remembered events.
import type { EventShape, ObjectReference } from '../types.js'
import { epochMilliseconds } from './index.js'

/** enough for a line per object of an operator watching a thousand or two, each of a few hundred characters */
export const REMEMBERED_LINES = 2048
/** longer lines are rare and always parsed: the remembered text stays small (at most 8 MB) */
const MAX_LINE_LENGTH = 4096
/** integers of up to 15 digits are exact in a double, as JSON.parse reads them */
const MAX_DIGITS = 15
/**
 * characters compared before the whole text: spread over it, so that lines about other objects (another name or
 * uid) or with other messages are told apart for a few character reads, not a compare of every character
 */
const PROBES = 8
/**
 * After this many unknown lines in a row only one line in SPARSE_EVERY is looked up and learnt: a flood of distinct
 * lines then costs next to nothing here, and a line that starts to repeat is still found within a few lines.
 */
const SPARSE_AFTER = 256
const SPARSE_EVERY = 16
const ZERO = 48
const NINE = 57

interface Template {
  prefix: string
  suffix: string
  /** offsets into the suffix, and the characters found there */
  probeAt: number[]
  probeCode: number[]
  /** the digits of the line it was learnt from, as a number */
  digits: number
  /**
   * whether the digits are known to be the time and nothing else: two lines of this template with different
   * digits each had events at the time their digits say. Until then only the very same line takes its events.
   */
  verified: boolean
  shapes: EventShape[]
  /**
   * the template matched right after this one last time: an application logging about several objects in turn
   * repeats its order, and this one is tried before any lookup
   */
  followedBy: Template | undefined
  /** false once forgotten: no template points at it from then on, so that it is not kept alive */
  remembered: boolean
}

export interface RepeatedLines {
  /** the events of a line that repeats a remembered one but for its time, at its time; undefined for any other */
  shapesOf (line: string): EventShape[] | undefined
  /**
   * remembers the events of a line that shapesOf did not know and that was parsed, checked and shaped without a
   * single diagnostic (a line that warned must be read again each time, so that its diagnostics and counts stay
   * exact)
   */
  learn (line: string, shapes: EventShape[]): void
}

/** A run of 1 to 15 digits without a leading zero (JSON's integers) at [start, end) → its value, else -1. */
function integerAt (line: string, start: number, end: number): number {
  const count = end - start
  if (!(count >= 1 && count <= MAX_DIGITS)) return -1
  if (count > 1 && line.charCodeAt(start) === ZERO) return -1
  let value = 0
  for (let i = start; i < end; i++) {
    const code = line.charCodeAt(i)
    if (code < ZERO || code > NINE) return -1
    value = value * 10 + (code - ZERO)
  }
  return value
}

function digitsEnd (line: string, start: number): number {
  let end = start
  while (end < line.length && line.charCodeAt(end) >= ZERO && line.charCodeAt(end) <= NINE) end++
  return end
}

/**
 * The shapes a template hands out again and again, their references frozen: correlation remembers the keys of
 * frozen references by identity (see correlate/keys.ts), which is only worth it for references that come back.
 */
function shared (shapes: EventShape[]): EventShape[] {
  return shapes.map(shape => ({
    ...shape,
    regarding: frozenReference(shape.regarding),
    related: shape.related === undefined ? undefined : frozenReference(shape.related)
  }))
}

/**
 * Written out field by field: V8 reads a frozen copy made by spreading several times slower (about 1 µs for the
 * fields correlation compares on every line, measured), which lines about a thousand objects pay on each.
 */
function frozenReference (ref: ObjectReference): ObjectReference {
  const copy: ObjectReference = { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, namespace: ref.namespace }
  if (ref.uid !== undefined) copy.uid = ref.uid
  if (ref.fieldPath !== undefined) copy.fieldPath = ref.fieldPath
  return Object.freeze(copy)
}

function templateOf (prefix: string, suffix: string, digits: number, shapes: EventShape[]): Template {
  const probeAt: number[] = []
  const probeCode: number[] = []
  for (let i = 1; i <= PROBES; i++) {
    const at = Math.floor((i * suffix.length) / (PROBES + 1))
    probeAt.push(at)
    probeCode.push(suffix.charCodeAt(at))
  }
  return { prefix, suffix, probeAt, probeCode, digits, verified: false, shapes: shared(shapes), followedBy: undefined, remembered: true }
}

/**
 * A string of its own: a slice of a line keeps alive the whole chunk the line was split from, which may be
 * megabytes.
 */
function copyOf (text: string): string {
  return JSON.parse(JSON.stringify(text)) as string
}

/** The same events at another time. */
export function timed ({ type, reason, message, action, regarding, related, namespace }: EventShape, time: number): EventShape {
  return { type, reason, message, action, regarding, related, namespace, time }
}

const NO_MATCH = -1
/** the same text around other digits, which an unverified template does not take yet */
const OTHER_DIGITS = -2

export function createRepeatedLines (timeKey: string): RepeatedLines {
  // How the time key starts its value in pino's JSON, which writes no space after the colon.
  const timeNeedle = `${JSON.stringify(timeKey)}:`
  /** oldest first once full, in a ring: the next to be forgotten is at `oldest` */
  const templates: Template[] = []
  /** the latest templates by the text after their time's digits, and by the text before them */
  const bySuffix = new Map<string, Template>()
  const byPrefix = new Map<string, Template>()
  let oldest = 0
  let lastMatched: Template | undefined
  let unknownInRow = 0
  /** the latest line looked up and not known, and the unverified template it matched but for its digits */
  let unknown: { line: string, template?: Template } | undefined

  /** the line's digits when it is the template's text around them, else NO_MATCH or OTHER_DIGITS */
  function match (template: Template, line: string): number {
    const start = template.prefix.length
    const end = line.length - template.suffix.length
    if (!(end > start && end - start <= MAX_DIGITS)) return NO_MATCH
    // A few characters first: a line about another object or with another message is told for a few reads.
    for (let i = 0; i < PROBES; i++) {
      if (line.charCodeAt(end + template.probeAt[i]) !== template.probeCode[i]) return NO_MATCH
    }
    const value = integerAt(line, start, end)
    // Measured: lastIndexOf at 0 and a slice's equality beat startsWith and endsWith, which compare char by char.
    if (value < 0 || line.lastIndexOf(template.prefix, 0) !== 0 || line.slice(end) !== template.suffix) return NO_MATCH
    // Without a leading zero, equal values are equal digits: the very same line.
    return template.verified || value === template.digits ? value : OTHER_DIGITS
  }

  function atTime (shapes: EventShape[], digits: number): EventShape[] {
    const time = epochMilliseconds(digits)
    // Nearly every line names one object.
    if (shapes.length === 1) return [timed(shapes[0], time)]
    return shapes.map(shape => timed(shape, time))
  }

  /** the template found by lookUp */
  let lookedUp: Template | undefined

  /**
   * The line's digits when a template has the text around its time, else NO_MATCH or OTHER_DIGITS; the template goes
   * to `lookedUp`. Lines about different objects differ after the time when pino writes them (the bindings come
   * after it) and before it when the binding comes first (the winston transport's lines): a template is found by
   * the text on either side, whose equality the map has checked, and only the other side is left to compare.
   */
  function lookUp (line: string): number {
    lookedUp = undefined
    if (bySuffix.size === 0) return NO_MATCH
    const found = line.indexOf(timeNeedle)
    if (found < 0) return NO_MATCH
    const start = found + timeNeedle.length
    const end = digitsEnd(line, start)
    let template = bySuffix.get(line.slice(end))
    if (template === undefined || template.prefix.length !== start || line.lastIndexOf(template.prefix, 0) !== 0) {
      template = byPrefix.get(line.slice(0, start))
      if (template === undefined || template.suffix.length !== line.length - end || line.slice(end) !== template.suffix) return NO_MATCH
    }
    const value = integerAt(line, start, end)
    if (value < 0) return NO_MATCH
    lookedUp = template
    return template.verified || value === template.digits ? value : OTHER_DIGITS
  }

  function shapesOf (line: string): EventShape[] | undefined {
    unknown = undefined
    if (unknownInRow >= SPARSE_AFTER && ++unknownInRow % SPARSE_EVERY !== 0) return undefined
    // Most lines repeat the template the line before them matched, or the one that followed it last time; the others
    // are looked up by their text.
    const previous = lastMatched
    let template = previous
    let digits = template === undefined ? NO_MATCH : match(template, line)
    const next = previous?.followedBy
    if (digits === NO_MATCH && next !== undefined && next.remembered) {
      template = next
      digits = match(template, line)
    }
    if (digits === NO_MATCH) {
      digits = lookUp(line)
      template = lookedUp
    }
    if (template !== undefined && digits >= 0) {
      if (previous !== undefined && previous !== template && template.remembered) previous.followedBy = template
      lastMatched = template
      unknownInRow = 0
      return atTime(template.shapes, digits)
    }
    if (unknownInRow < SPARSE_AFTER) unknownInRow++
    unknown = { line, template: digits === OTHER_DIGITS ? template : undefined }
    return undefined
  }

  function learn (line: string, shapes: EventShape[]): void {
    const known = unknown?.line === line ? unknown.template : undefined
    const lookedUp = unknown?.line === line
    unknown = undefined
    if (!lookedUp || shapes.length === 0 || line.length > MAX_LINE_LENGTH) return
    const found = line.indexOf(timeNeedle)
    if (found < 0) return
    const start = found + timeNeedle.length
    const end = digitsEnd(line, start)
    const digits = integerAt(line, start, end)
    // Events at another time than the digits say: the time is written some other way (or twice), so the digits
    // cannot stand for it.
    if (digits < 0 || shapes.some(shape => shape.time !== epochMilliseconds(digits))) return
    if (known !== undefined) {
      // The same text around other digits, and each line's events at the time of its own digits: the digits are the
      // time and nothing else (a time read from anywhere else would be the same for both).
      if (known.prefix.length === start && epochMilliseconds(known.digits) !== epochMilliseconds(digits)) known.verified = true
      return
    }
    const template = templateOf(copyOf(line.slice(0, start)), copyOf(line.slice(end)), digits, shapes)
    bySuffix.set(template.suffix, template)
    byPrefix.set(template.prefix, template)
    if (templates.length < REMEMBERED_LINES) {
      templates.push(template)
      return
    }
    const forgotten = templates[oldest]
    if (bySuffix.get(forgotten.suffix) === forgotten) bySuffix.delete(forgotten.suffix)
    if (byPrefix.get(forgotten.prefix) === forgotten) byPrefix.delete(forgotten.prefix)
    if (lastMatched === forgotten) lastMatched = undefined
    // Templates that it followed may still point at it until they are followed by another: it keeps nothing alive.
    forgotten.followedBy = undefined
    forgotten.remembered = false
    templates[oldest] = template
    oldest = (oldest + 1) % REMEMBERED_LINES
  }

  return { shapesOf, learn }
}
