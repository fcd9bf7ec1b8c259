// A size-bounded map that forgets the least recently used entry first. Map keeps insertion order, so
// re-inserting on every use makes its first key the least recently used one.

export class LruCache<K, V> {
  readonly #entries = new Map<K, V>()
  readonly #maxSize: number
  readonly #onEvict: ((key: K, value: V) => void) | undefined
  // A repeated occurrence asks for the entry it just used: re-inserting the newest entry would move nothing, and
  // the delete leaves a hole the map has to compact later. Its value is kept beside it, so that not even a lookup is
  // needed (the newest entry is never evicted, and set() replaces it).
  #newestKey: K | undefined
  #newestValue: V | undefined
  #newestKnown = false

  constructor (maxSize: number, onEvict?: (key: K, value: V) => void) {
    this.#maxSize = Math.max(1, Math.floor(maxSize))
    this.#onEvict = onEvict
  }

  get size (): number { return this.#entries.size }

  /** the value, marked as just used */
  get (key: K): V | undefined {
    if (this.#newestKnown && key === this.#newestKey) return this.#newestValue
    const value = this.#entries.get(key)
    if (value === undefined) return undefined
    this.#entries.delete(key)
    this.#entries.set(key, value)
    this.#markNewest(key, value)
    return value
  }

  set (key: K, value: V): void {
    this.#entries.delete(key)
    this.#entries.set(key, value)
    this.#markNewest(key, value)
    // The entry just set is never the oldest while there are others, so eviction leaves it the newest.
    while (this.#entries.size > this.#maxSize) {
      const oldest = this.#entries.keys().next().value as K
      const evicted = this.#entries.get(oldest) as V
      this.#entries.delete(oldest)
      this.#onEvict?.(oldest, evicted)
    }
  }

  #markNewest (key: K, value: V): void {
    this.#newestKey = key
    this.#newestValue = value
    this.#newestKnown = true
  }
}
