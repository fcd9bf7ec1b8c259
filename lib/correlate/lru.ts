// A size-bounded map that forgets the least recently used entry first. Entries are kept in a list from the least
// to the most recently used beside a Map that finds them: marking an entry as used moves it to the list's end, two
// pointers, where deleting and re-inserting it in the Map (which keeps insertion order too) costs two hash operations
// and leaves a hole the Map has to compact later, on every occurrence of every line about an object.

interface Entry<K, V> {
  key: K
  value: V
  older: Entry<K, V> | undefined
  newer: Entry<K, V> | undefined
}

export class LruCache<K, V> {
  readonly #entries = new Map<K, Entry<K, V>>()
  readonly #maxSize: number
  readonly #onEvict: ((key: K, value: V) => void) | undefined
  #oldest: Entry<K, V> | undefined
  #newest: Entry<K, V> | undefined

  constructor (maxSize: number, onEvict?: (key: K, value: V) => void) {
    this.#maxSize = Math.max(1, Math.floor(maxSize))
    this.#onEvict = onEvict
  }

  get size (): number { return this.#entries.size }

  /** the value, marked as just used */
  get (key: K): V | undefined {
    // A repeated occurrence asks for the entry it just used: not even a lookup is needed.
    const newest = this.#newest
    if (newest !== undefined && newest.key === key) return newest.value
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    this.#unlink(entry)
    this.#append(entry)
    return entry.value
  }

  set (key: K, value: V): void {
    const existing = this.#entries.get(key)
    if (existing !== undefined) {
      existing.value = value
      this.#unlink(existing)
      this.#append(existing)
      return
    }
    const entry: Entry<K, V> = { key, value, older: undefined, newer: undefined }
    this.#entries.set(key, entry)
    this.#append(entry)
    // The entry just set is never the oldest while there are others, so eviction leaves it the newest.
    while (this.#entries.size > this.#maxSize) {
      const oldest = this.#oldest as Entry<K, V>
      this.#unlink(oldest)
      this.#entries.delete(oldest.key)
      this.#onEvict?.(oldest.key, oldest.value)
    }
  }

  #unlink (entry: Entry<K, V>): void {
    if (entry.older === undefined) this.#oldest = entry.newer
    else entry.older.newer = entry.newer
    if (entry.newer === undefined) this.#newest = entry.older
    else entry.newer.older = entry.older
    entry.older = undefined
    entry.newer = undefined
  }

  #append (entry: Entry<K, V>): void {
    entry.older = this.#newest
    if (this.#newest === undefined) this.#oldest = entry
    else this.#newest.newer = entry
    this.#newest = entry
  }
}
