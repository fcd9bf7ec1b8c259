// The two time types of the Kubernetes API as the real server stores them: metav1.Time at whole seconds and
// metav1.MicroTime at microseconds, both written back in UTC.

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i
const MICRO_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{6})(Z|[+-]\d{2}:\d{2})$/i

/** Whole seconds in UTC, fractions dropped; undefined when the text is not RFC 3339. */
export function toSecondPrecision (text: string): string | undefined {
  const match = RFC3339.exec(text)
  if (match === null) return undefined
  const ms = Date.parse(`${match[1]}${match[3].toUpperCase()}`)
  if (Number.isNaN(ms)) return undefined
  return new Date(ms).toISOString().slice(0, 19) + 'Z'
}

/** Microseconds in UTC; undefined unless the text has exactly six fractional digits. */
export function toMicroPrecision (text: string): string | undefined {
  const match = MICRO_TIME.exec(text)
  if (match === null) return undefined
  const ms = Date.parse(`${match[1]}${match[3].toUpperCase()}`)
  if (Number.isNaN(ms)) return undefined
  return `${new Date(ms).toISOString().slice(0, 19)}.${match[2]}Z`
}

/** The text Go's time package gives when a metav1.Time does not parse. */
export function timeParseMessage (text: string): string {
  return `parsing time ${JSON.stringify(text)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(text)} as "2006"`
}
