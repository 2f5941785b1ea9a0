/**
 * A growable ring buffer used as a double-ended queue: O(1) push at the tail, shift at the head and
 * unshift at the head (rolled-back takes go back to the front in their original order).
 */
export class RingQueue<T> {
  private items: (T | undefined)[];
  private head = 0;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity) capacity *= 2;
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.count;
  }

  pushAll(values: readonly T[]): void {
    this.ensureRoom(values.length);
    const mask = this.items.length - 1;
    let index = (this.head + this.count) & mask;
    for (let i = 0; i < values.length; i++) {
      this.items[index] = values[i];
      index = (index + 1) & mask;
    }
    this.count += values.length;
  }

  /**
   * Removes up to `max` items from the head and returns them as a new array. Copies with `slice` (one or
   * two block copies) rather than item by item: this is the take side of the memory channel's hot path.
   */
  shift(max: number): T[] {
    const n = Math.max(0, Math.min(max, this.count));
    const items = this.items;
    const head = this.head;
    const firstPart = Math.min(n, items.length - head);
    const out = items.slice(head, head + firstPart) as T[];
    items.fill(undefined, head, head + firstPart);
    if (firstPart < n) {
      const rest = n - firstPart;
      for (let i = 0; i < rest; i++) {
        out.push(items[i] as T);
        items[i] = undefined;
      }
    }
    this.head = (head + n) & (items.length - 1);
    this.count -= n;
    return out;
  }

  /** Moves up to `max` items from the head into `into`; returns how many moved. */
  shiftInto(into: T[], max: number): number {
    const n = Math.max(0, Math.min(max, this.count));
    const mask = this.items.length - 1;
    for (let i = 0; i < n; i++) {
      into.push(this.items[this.head] as T);
      this.items[this.head] = undefined;
      this.head = (this.head + 1) & mask;
    }
    this.count -= n;
    return n;
  }

  /** Puts `values` back at the head so that `values[0]` is the next item shifted. */
  unshiftAll(values: readonly T[]): void {
    this.ensureRoom(values.length);
    const mask = this.items.length - 1;
    for (let i = values.length - 1; i >= 0; i--) {
      this.head = (this.head - 1) & mask;
      this.items[this.head] = values[i];
    }
    this.count += values.length;
  }

  private ensureRoom(extra: number): void {
    const needed = this.count + extra;
    if (needed <= this.items.length) return;
    let capacity = this.items.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = new Array<T | undefined>(capacity);
    const mask = this.items.length - 1;
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) & mask];
    this.items = next;
    this.head = 0;
  }
}
