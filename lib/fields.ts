// Reading values that come from outside (log lines, bindings, kubeconfig files): only plain data is trusted,
// and only own properties are read, so nothing inherited can pass for a field.

export type Fields = Record<string, unknown>

/** an object that is not an array: something with fields to read */
export function isRecord (value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** the object's own `key`, never one it inherits */
export function ownField (object: object, key: string): unknown {
  return Object.hasOwn(object, key) ? (object as Fields)[key] : undefined
}

/** what went wrong, as text for a diagnostic: the error's message, else the thrown value itself */
export function describeError (err: unknown): string {
  return String((err as Error)?.message ?? err)
}
