// The groups of one correlation, least recently updated first, with eviction at a bound. A Map alone is
// not enough: V8 leaves deleted entries in place until it rehashes, so taking the oldest key of a Map
// that keeps losing its oldest keys (`keys().next()`) walks over them each time, quadratic in practice.
// A linked list through the groups gives the oldest in O(1).
import type { GroupWindow } from './group-window.js';

interface Node {
  key: string;
  group: GroupWindow;
  older: Node | undefined;
  newer: Node | undefined;
}

/** Groups by key, ordered by last update, holding at most `max` (the oldest evicted first). */
export class LruGroups {
  private readonly nodes = new Map<string, Node>();
  private oldest: Node | undefined;
  private newest: Node | undefined;
  /** Groups evicted so far. */
  evictions = 0;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.nodes.size;
  }

  /** The group of `key` made the most recently updated, or undefined. */
  touch(key: string): GroupWindow | undefined {
    const node = this.nodes.get(key);
    if (!node) return undefined;
    if (node !== this.newest) {
      this.unlink(node);
      this.append(node);
    }
    return node.group;
  }

  /** Adds a group as the most recently updated (replacing one with the same key), evicting past the bound. */
  add(key: string, group: GroupWindow): void {
    this.delete(key);
    const node: Node = { key, group, older: undefined, newer: undefined };
    this.nodes.set(key, node);
    this.append(node);
    while (this.nodes.size > this.max && this.oldest) {
      this.delete(this.oldest.key);
      this.evictions++;
    }
  }

  /** Removes the group of `key`. */
  delete(key: string): void {
    const node = this.nodes.get(key);
    if (!node) return;
    this.unlink(node);
    this.nodes.delete(key);
  }

  /** Removes every group. */
  clear(): void {
    this.nodes.clear();
    this.oldest = this.newest = undefined;
  }

  /** The groups, least recently updated first; deleting the current one while iterating is safe. */
  *entries(): IterableIterator<[string, GroupWindow]> {
    let node = this.oldest;
    while (node) {
      const next = node.newer;
      yield [node.key, node.group];
      node = next;
    }
  }

  private append(node: Node): void {
    node.older = this.newest;
    node.newer = undefined;
    if (this.newest) this.newest.newer = node;
    else this.oldest = node;
    this.newest = node;
  }

  private unlink(node: Node): void {
    if (node.older) node.older.newer = node.newer;
    else this.oldest = node.newer;
    if (node.newer) node.newer.older = node.older;
    else this.newest = node.older;
    node.older = node.newer = undefined;
  }
}
