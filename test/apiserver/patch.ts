// JSON Merge Patch (RFC 7386) and JSON Patch (RFC 6902), on plain parsed JSON values.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

function isObject (value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function applyMergePatch (target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch)
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key]
    else result[key] = applyMergePatch(result[key], value)
  }
  return result
}

/** Why a JSON Patch could not be used: malformed operations (400) or operations that do not apply (422). */
export class JsonPatchError extends Error {
  constructor (readonly kind: 'malformed' | 'failed', message: string) {
    super(message)
  }
}

interface Operation { op: string, path: string, value?: unknown, from?: string }

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test'])

export function decodeJsonPatch (patch: unknown): Operation[] {
  if (!Array.isArray(patch)) throw new JsonPatchError('malformed', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch')
  return patch.map((raw: unknown) => {
    if (!isObject(raw)) throw new JsonPatchError('malformed', 'json: cannot unmarshal into Go value of type jsonpatch.Operation')
    const op = raw.op
    if (typeof op !== 'string' || !OPS.has(op)) throw new JsonPatchError('malformed', `Unexpected kind: ${String(op)}`)
    if (typeof raw.path !== 'string') throw new JsonPatchError('malformed', `operation missing path: ${op}`)
    if ((op === 'move' || op === 'copy') && typeof raw.from !== 'string') throw new JsonPatchError('malformed', `operation missing from: ${op}`)
    if ((op === 'add' || op === 'replace' || op === 'test') && !('value' in raw)) throw new JsonPatchError('malformed', `operation missing value: ${op}`)
    return { op, path: raw.path, value: raw.value, from: typeof raw.from === 'string' ? raw.from : undefined }
  })
}

export function applyJsonPatch (document: unknown, patch: unknown): unknown {
  const ops = decodeJsonPatch(patch)
  let doc = structuredClone(document)
  for (const operation of ops) doc = applyOne(doc, operation)
  return doc
}

function parsePointer (pointer: string): string[] {
  if (pointer === '') return []
  if (!pointer.startsWith('/')) throw new JsonPatchError('failed', `invalid JSON pointer: ${pointer}`)
  return pointer.slice(1).split('/').map(token => token.replace(/~1/g, '/').replace(/~0/g, '~'))
}

interface Location { parent: unknown, key: string }

function locate (doc: unknown, tokens: string[], pointer: string): Location {
  let current = doc
  for (const token of tokens.slice(0, -1)) {
    current = childOf(current, token)
    if (current === undefined) throw new JsonPatchError('failed', `missing path: ${pointer}`)
  }
  return { parent: current, key: tokens[tokens.length - 1] }
}

function childOf (container: unknown, key: string): unknown {
  if (Array.isArray(container)) {
    const index = arrayIndex(key, container.length - 1)
    return index === undefined ? undefined : container[index]
  }
  if (isObject(container)) return Object.hasOwn(container, key) ? container[key] : undefined
  return undefined
}

function arrayIndex (token: string, max: number): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined
  const index = Number(token)
  return index <= max ? index : undefined
}

function get (doc: unknown, pointer: string): unknown {
  let current = doc
  for (const token of parsePointer(pointer)) {
    current = childOf(current, token)
    if (current === undefined) throw new JsonPatchError('failed', `missing path: ${pointer}`)
  }
  return current
}

function add (doc: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer)
  if (tokens.length === 0) return structuredClone(value)
  const { parent, key } = locate(doc, tokens, pointer)
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : arrayIndex(key, parent.length)
    if (index === undefined) throw new JsonPatchError('failed', `add operation does not apply: index out of bounds: ${pointer}`)
    parent.splice(index, 0, structuredClone(value))
  } else if (isObject(parent)) {
    parent[key] = structuredClone(value) as Json
  } else {
    throw new JsonPatchError('failed', `add operation does not apply: doc is missing path: ${pointer}`)
  }
  return doc
}

function remove (doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer)
  if (tokens.length === 0) throw new JsonPatchError('failed', 'unable to remove the whole document')
  const { parent, key } = locate(doc, tokens, pointer)
  if (Array.isArray(parent)) {
    const index = arrayIndex(key, parent.length - 1)
    if (index === undefined) throw new JsonPatchError('failed', `remove operation does not apply: doc is missing path: ${pointer}`)
    parent.splice(index, 1)
  } else if (isObject(parent) && Object.hasOwn(parent, key)) {
    delete parent[key]
  } else {
    throw new JsonPatchError('failed', `remove operation does not apply: doc is missing path: ${pointer}`)
  }
  return doc
}

function replace (doc: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer)
  if (tokens.length === 0) return structuredClone(value)
  const { parent, key } = locate(doc, tokens, pointer)
  if (Array.isArray(parent)) {
    const index = arrayIndex(key, parent.length - 1)
    if (index === undefined) throw new JsonPatchError('failed', `replace operation does not apply: doc is missing key: ${pointer}`)
    parent[index] = structuredClone(value)
  } else if (isObject(parent) && Object.hasOwn(parent, key)) {
    parent[key] = structuredClone(value) as Json
  } else {
    throw new JsonPatchError('failed', `replace operation does not apply: doc is missing key: ${pointer}`)
  }
  return doc
}

function applyOne (doc: unknown, operation: Operation): unknown {
  switch (operation.op) {
    case 'add': return add(doc, operation.path, operation.value)
    case 'remove': return remove(doc, operation.path)
    case 'replace': return replace(doc, operation.path, operation.value)
    case 'copy': return add(doc, operation.path, get(doc, operation.from as string))
    case 'move': {
      const from = operation.from as string
      if (operation.path.startsWith(from + '/')) throw new JsonPatchError('failed', `move operation does not apply: ${from} is a prefix of ${operation.path}`)
      const value = get(doc, from)
      return add(remove(doc, from), operation.path, value)
    }
    case 'test': {
      if (!deepEqual(get(doc, operation.path), operation.value)) throw new JsonPatchError('failed', `testing value ${operation.path} failed: test failed`)
      return doc
    }
    default: throw new JsonPatchError('malformed', `Unexpected kind: ${operation.op}`)
  }
}

function deepEqual (a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]))
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a)
    return keys.length === Object.keys(b).length && keys.every(key => Object.hasOwn(b, key) && deepEqual(a[key], b[key]))
  }
  return false
}
