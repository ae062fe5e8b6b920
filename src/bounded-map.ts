/**
 * A Map that keeps at most `max` entries: setting a key makes it the newest, and past the limit
 * the oldest goes. For what is kept per identity or per key, whose number nothing else bounds.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super()
  }

  override set(key: K, value: V): this {
    this.delete(key)
    super.set(key, value)
    if (this.size > this.max) this.delete(this.keys().next().value as K)
    return this
  }
}
