// fieldSelector and labelSelector query parameters, parsed and matched the way kube-apiserver reads them.

export interface FieldRequirement { field: string, operator: '=' | '!=', value: string }

export class SelectorError extends Error {}

/** Splits on separators that are not escaped with a backslash. */
function splitUnescaped (text: string, separator: string): string[] {
  const parts: string[] = []
  let current = ''
  for (let i = 0; i < text.length; i++) {
    const char = text[i]
    if (char === '\\' && i + 1 < text.length) {
      current += char + text[i + 1]
      i++
    } else if (char === separator) {
      parts.push(current)
      current = ''
    } else {
      current += char
    }
  }
  parts.push(current)
  return parts
}

function unescape (text: string): string {
  let out = ''
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && i + 1 < text.length) {
      out += text[i + 1]
      i++
    } else {
      out += text[i]
    }
  }
  return out
}

export function parseFieldSelector (selector: string): FieldRequirement[] {
  if (selector.trim() === '') return []
  return splitUnescaped(selector, ',').map(term => {
    for (let i = 0; i < term.length; i++) {
      if (term[i] === '\\') { i++; continue }
      for (const op of ['!=', '==', '='] as const) {
        if (term.startsWith(op, i)) {
          return { field: unescape(term.slice(0, i)).trim(), operator: op === '!=' ? '!=' : '=', value: unescape(term.slice(i + op.length)) }
        }
      }
    }
    throw new SelectorError(`invalid selector: '${selector}'; can't understand '${term}'`)
  })
}

export function matchesFields (requirements: FieldRequirement[], valueOf: (field: string) => string): boolean {
  return requirements.every(r => (valueOf(r.field) === r.value) === (r.operator === '='))
}

type LabelRequirement =
  | { key: string, operator: 'in' | 'notin', values: string[] }
  | { key: string, operator: 'exists' | '!exists' }

export function parseLabelSelector (selector: string): LabelRequirement[] {
  if (selector.trim() === '') return []
  const terms: string[] = []
  let depth = 0
  let current = ''
  for (const char of selector) {
    if (char === '(') depth++
    if (char === ')') depth--
    if (char === ',' && depth === 0) {
      terms.push(current)
      current = ''
    } else {
      current += char
    }
  }
  terms.push(current)
  return terms.map(raw => {
    const term = raw.trim()
    let match = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term)
    if (match !== null) return { key: match[1], operator: match[2] as 'in' | 'notin', values: match[3].split(',').map(v => v.trim()) }
    match = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term)
    if (match !== null) return { key: match[1], operator: match[2] === '!=' ? 'notin' : 'in', values: [match[3]] }
    match = /^(!?)([^=!\s()]+)$/.exec(term)
    if (match !== null) return { key: match[2], operator: match[1] === '!' ? '!exists' : 'exists' }
    throw new SelectorError(`unable to parse requirement: ${term}`)
  })
}

export function matchesLabels (requirements: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const all = labels ?? {}
  return requirements.every(r => {
    const has = Object.hasOwn(all, r.key)
    switch (r.operator) {
      case 'exists': return has
      case '!exists': return !has
      case 'in': return has && r.values.includes(all[r.key])
      case 'notin': return !has || !r.values.includes(all[r.key])
      default: return false
    }
  })
}
