// An open-addressing hash map from int32 keys to positive int32 values, in two typed arrays: a million
// IPv4 indicators take 16 MiB instead of the ~50 MiB of a Map, and a lookup allocates nothing.

const MIN_CAPACITY = 16;

/** Hash map of int32 keys to positive int32 values (`0` means absent). Linear probing, load ≤ 1/2. */
export class Int32Map {
  private keys: Int32Array;
  private values: Int32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 0) {
    let capacity = MIN_CAPACITY;
    while (capacity < expected * 2) capacity *= 2;
    this.keys = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  /** Number of keys. */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the table's arrays. */
  get byteLength(): number {
    return this.keys.byteLength + this.values.byteLength;
  }

  /** The value of `key`, or 0 when absent. */
  get(key: number): number {
    const wanted = key | 0;
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    let slot = hash(wanted) & mask;
    for (;;) {
      const value = values[slot] as number;
      if (value === 0) return 0;
      if (keys[slot] === wanted) return value;
      slot = (slot + 1) & mask;
    }
  }

  /** Adds `key` with `value` (> 0) unless present; returns false when the key was already there. */
  setIfAbsent(key: number, value: number): boolean {
    if (!(value > 0) || (value | 0) !== value)
      throw new RangeError(`Int32Map value must be a positive int32: ${value}`);
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    const wanted = key | 0;
    let slot = hash(wanted) & mask;
    for (;;) {
      if (values[slot] === 0) {
        keys[slot] = wanted;
        values[slot] = value;
        this.count++;
        return true;
      }
      if (keys[slot] === wanted) return false;
      slot = (slot + 1) & mask;
    }
  }

  /** Calls `visit` for every entry, in no particular order. */
  forEach(visit: (key: number, value: number) => void): void {
    for (let slot = 0; slot < this.values.length; slot++) {
      const value = this.values[slot] as number;
      if (value !== 0) visit(this.keys[slot] as number, value);
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const capacity = oldKeys.length * 2;
    this.keys = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
    const mask = this.mask;
    for (let i = 0; i < oldKeys.length; i++) {
      const value = oldValues[i] as number;
      if (value === 0) continue;
      const key = oldKeys[i] as number;
      let slot = hash(key) & mask;
      while (this.values[slot] !== 0) slot = (slot + 1) & mask;
      this.keys[slot] = key;
      this.values[slot] = value;
    }
  }
}

/** Mixes the bits of a 32-bit key (murmur3's finaliser) so that sequential addresses spread. */
function hash(key: number): number {
  let h = key ^ (key >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
