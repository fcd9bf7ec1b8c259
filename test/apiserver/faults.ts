// Injected trouble for tests: error answers, delays, requests left hanging, dropped connections, watch streams cut.

export type FaultAction =
  | { status: number, retryAfter?: number, body?: unknown }
  | { delayMs: number }
  | { hang: true }
  | { drop: true }
  /** a watch is cut after this many events (0: right after its headers); any other request is dropped */
  | { dropAfter: number }
  /** the request waits until the promise settles, then is answered as usual */
  | { hold: Promise<unknown> }

export interface FaultRule {
  /** any method when omitted */
  method?: string
  /** a string matches paths (with query) that start with it; a RegExp is tested against the path with query */
  path?: string | RegExp
  /** how many requests this rule affects; 1 when omitted, Infinity allowed */
  times?: number
  /** the share (0..1) of matching requests affected, drawn from the seeded generator; all when omitted */
  share?: number
  action: FaultAction
}

interface ActiveRule { rule: FaultRule, remaining: number }

/** The rules are few and short-lived; this bound only guards against a runaway test. */
const MAX_RULES = 10_000

export class Faults {
  private rules: ActiveRule[] = []
  private readonly random: () => number

  constructor (seed: number) {
    this.random = mulberry32(seed)
  }

  add (rule: FaultRule): void {
    if (this.rules.length >= MAX_RULES) throw new Error(`at most ${MAX_RULES} fault rules at once`)
    const times = rule.times ?? 1
    if (!(times > 0)) return
    this.rules.push({ rule, remaining: times })
  }

  clear (): void {
    this.rules = []
  }

  /** The action for this request, if a rule takes it; each taken request counts against the rule's times. */
  take (method: string, pathWithQuery: string): FaultAction | undefined {
    for (const active of this.rules) {
      if (!matches(active.rule, method, pathWithQuery)) continue
      const share = active.rule.share
      if (share !== undefined && !(this.random() < share)) continue
      active.remaining -= 1
      if (active.remaining <= 0) this.rules = this.rules.filter(r => r !== active)
      return active.rule.action
    }
    return undefined
  }
}

function matches (rule: FaultRule, method: string, pathWithQuery: string): boolean {
  if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) return false
  if (rule.path === undefined) return true
  if (typeof rule.path === 'string') return pathWithQuery.startsWith(rule.path)
  rule.path.lastIndex = 0
  return rule.path.test(pathWithQuery)
}

/** A small seeded generator, so that a share of faults hits the same requests on every run. */
export function mulberry32 (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6D2B79F5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
