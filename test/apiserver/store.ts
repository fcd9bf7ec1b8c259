// Objects kept in memory by kind, namespace and name, with one resourceVersion counter for all writes, and the
// log of recent changes that watches read.
import { ChangeLog, DEFAULT_HISTORY } from './change-log.js'

export interface StoredObject {
  metadata: { name: string, namespace?: string, resourceVersion?: string, uid?: string, [key: string]: unknown }
  [key: string]: unknown
}

/** A limit far above any test's needs, so that a runaway producer fails loudly instead of eating the machine. */
export const MAX_OBJECTS_PER_KIND = 2_000_000

export class StoreFullError extends Error {}

function keyOf (namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`
}

export class ObjectStore {
  private readonly kinds = new Map<string, Map<string, StoredObject>>()
  private revision = 1000
  readonly changes: ChangeLog

  constructor (history = DEFAULT_HISTORY) {
    this.changes = new ChangeLog(this.revision, history)
  }

  get resourceVersion (): string {
    return String(this.revision)
  }

  get (kind: string, namespace: string | undefined, name: string): StoredObject | undefined {
    const found = this.kinds.get(kind)?.get(keyOf(namespace, name))
    return found === undefined ? undefined : structuredClone(found)
  }

  has (kind: string, namespace: string | undefined, name: string): boolean {
    return this.kinds.get(kind)?.has(keyOf(namespace, name)) ?? false
  }

  /** Stores a copy with a new resourceVersion and returns that copy. */
  put (kind: string, obj: StoredObject): StoredObject {
    let objects = this.kinds.get(kind)
    if (objects === undefined) {
      objects = new Map()
      this.kinds.set(kind, objects)
    }
    const key = keyOf(obj.metadata.namespace, obj.metadata.name)
    if (!objects.has(key) && objects.size >= MAX_OBJECTS_PER_KIND) throw new StoreFullError(`more than ${MAX_OBJECTS_PER_KIND} objects of one kind`)
    const stored = structuredClone(obj)
    this.revision += 1
    stored.metadata.resourceVersion = String(this.revision)
    const previous = objects.get(key)
    objects.set(key, stored)
    this.changes.record({ revision: this.revision, storeKey: kind, type: previous === undefined ? 'ADDED' : 'MODIFIED', object: stored, previous })
    return structuredClone(stored)
  }

  delete (kind: string, namespace: string | undefined, name: string): StoredObject | undefined {
    const objects = this.kinds.get(kind)
    const key = keyOf(namespace, name)
    const found = objects?.get(key)
    if (found === undefined) return undefined
    objects?.delete(key)
    this.revision += 1
    // A watch sees the deleted object at the deletion's resourceVersion, so that it resumes after it.
    const last = { ...found, metadata: { ...found.metadata, resourceVersion: String(this.revision) } }
    this.changes.record({ revision: this.revision, storeKey: kind, type: 'DELETED', object: last })
    return found
  }

  /**
   * Objects in key order (namespace, then name), as etcd returns them. Returned objects are the stored ones:
   * callers copy what they hand out.
   */
  list (kind: string, namespace?: string): Array<{ key: string, object: StoredObject }> {
    const objects = this.kinds.get(kind)
    if (objects === undefined) return []
    const prefix = namespace === undefined ? undefined : `${namespace}/`
    const items: Array<{ key: string, object: StoredObject }> = []
    for (const [key, object] of objects) {
      if (prefix === undefined || key.startsWith(prefix)) items.push({ key, object })
    }
    items.sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
    return items
  }
}
