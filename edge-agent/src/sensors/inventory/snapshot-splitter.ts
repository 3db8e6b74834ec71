import { InventorySnapshot, Package, type IInventorySnapshot, type IPackage } from '@inosec/protos';

/** Default bound of one encoded snapshot: well under the 4 MiB batch limit, leaving room for the envelope. */
export const DEFAULT_MAX_SNAPSHOT_BYTES = 3 * 1024 * 1024;

/** Encoded size of a snapshot in bytes. */
export function encodedSize(snapshot: IInventorySnapshot): number {
  return InventorySnapshot.encode(snapshot).finish().length;
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/**
 * Splits a snapshot whose encoding exceeds `maxBytes` into parts that each fit: the first part carries everything
 * but the packages that do not fit; the following parts carry `os`, `boot_time_unix_us` and further packages only.
 * The sensor emits all parts together with the same event time, which is how the collector knows they form one
 * snapshot. A snapshot that fits is returned as is. A first part that is too large even without packages (huge
 * user or service lists) is returned anyway: the caller counts it.
 */
export function splitSnapshot(snapshot: IInventorySnapshot, maxBytes: number): IInventorySnapshot[] {
  if (encodedSize(snapshot) <= maxBytes) return [snapshot];
  const packages = snapshot.packages ?? [];
  const partBase: IInventorySnapshot = { os: snapshot.os, bootTimeUnixUs: snapshot.bootTimeUnixUs };
  const parts: IInventorySnapshot[] = [];
  let list: IPackage[] = [];
  let current: IInventorySnapshot = { ...snapshot, packages: list };
  let size = encodedSize(current);
  for (const pkg of packages) {
    const len = Package.encode(pkg).finish().length;
    const cost = 1 + varintSize(len) + len;
    if (size + cost > maxBytes && list.length > 0) {
      parts.push(current);
      list = [];
      current = { ...partBase, packages: list };
      size = encodedSize(current);
    }
    list.push(pkg);
    size += cost;
  }
  parts.push(current);
  return parts;
}
