// A line that stands for several occurrences of what it says. The winston transport counts, on the application's
// thread, the lines that repeat the previous line about their object but for their time, and hands the worker one
// line for them all: `<count>,<time of the first> <the line at the time of the last>`. Only the winston worker reads
// lines so; no input of the pino transport or the command can claim to be more than one line.

export interface Occurrences {
  /** the line itself, at the time of the last occurrence */
  line: string
  count: number
  /** epoch milliseconds of the first occurrence */
  firstTime: number
}

const ZERO = 48
const NINE = 57

/** `line` (at the time of the last occurrence) standing for `count` occurrences; a single one is the line itself. */
export function withOccurrences (line: string, count: number, firstTime: number): string {
  return count === 1 ? line : `${count},${firstTime} ${line}`
}

/** The occurrences a line stands for, when it starts with them; undefined for a plain line. */
export function readOccurrences (text: string): Occurrences | undefined {
  const first = text.charCodeAt(0)
  if (first < ZERO || first > NINE) return undefined
  const comma = text.indexOf(',')
  const space = comma === -1 ? -1 : text.indexOf(' ', comma)
  if (space === -1) return undefined
  const count = Number(text.slice(0, comma))
  const firstTime = Number(text.slice(comma + 1, space))
  if (!Number.isSafeInteger(count) || count < 1 || !Number.isFinite(firstTime)) return undefined
  return { line: text.slice(space + 1), count, firstTime }
}
