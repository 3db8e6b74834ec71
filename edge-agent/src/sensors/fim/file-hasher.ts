import { createHash } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';

const CHUNK_BYTES = 256 * 1024;

/** Result of hashing one file. */
export interface HashResult {
  sha256: string;
  bytes: number;
}

/**
 * SHA-256 of a regular file, read in 256 KiB chunks (each chunk is one thread-pool read, so the event loop is free
 * between chunks). Opens with O_NOFOLLOW | O_NONBLOCK so a path swapped for a symlink or FIFO after lstat neither
 * follows nor blocks; returns null when the path is no longer a regular file. Throws on I/O errors.
 */
export async function sha256File(filePath: string, buffer?: Buffer): Promise<HashResult | null> {
  const handle = await fsp.open(filePath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const st = await handle.stat();
    if (!st.isFile()) return null;
    const buf = buffer ?? Buffer.allocUnsafe(CHUNK_BYTES);
    const hash = createHash('sha256');
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      total += bytesRead;
    }
    return { sha256: hash.digest('hex'), bytes: total };
  } finally {
    await handle.close();
  }
}

/** Runs async jobs with at most `limit` in flight; each slot keeps its own read buffer. */
export class HashPool {
  private readonly free: Buffer[] = [];
  private readonly waiters: ((buf: Buffer) => void)[] = [];

  constructor(limit: number) {
    for (let i = 0; i < Math.max(1, limit); i++) this.free.push(Buffer.allocUnsafe(CHUNK_BYTES));
  }

  /** Hashes `filePath` once a slot is free. */
  async hash(filePath: string): Promise<HashResult | null> {
    const buf = await this.acquire();
    try {
      return await sha256File(filePath, buf);
    } finally {
      this.release(buf);
    }
  }

  private acquire(): Promise<Buffer> {
    const buf = this.free.pop();
    if (buf) return Promise.resolve(buf);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(buf: Buffer): void {
    const next = this.waiters.shift();
    if (next) next(buf);
    else this.free.push(buf);
  }
}
