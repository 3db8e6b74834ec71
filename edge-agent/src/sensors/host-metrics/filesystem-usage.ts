import { promises as fsp } from 'node:fs';
import type { MountEntry } from './proc-parsers.js';

/** Kernel and virtual filesystems that hold no user data; skipped unless include_pseudo_fs. */
export const PSEUDO_FS_TYPES: ReadonlySet<string> = new Set([
  'autofs',
  'binfmt_misc',
  'bpf',
  'cgroup',
  'cgroup2',
  'configfs',
  'debugfs',
  'devpts',
  'devtmpfs',
  'efivarfs',
  'fuse.gvfsd-fuse',
  'fuse.lxcfs',
  'fuse.portal',
  'fusectl',
  'hugetlbfs',
  'mqueue',
  'nsfs',
  'overlay',
  'proc',
  'pstore',
  'ramfs',
  'rpc_pipefs',
  'securityfs',
  'selinuxfs',
  'squashfs',
  'sysfs',
  'tmpfs',
  'tracefs',
]);

/** Network filesystems: statfs may hang on a dead server, so they are skipped unless include_remote_fs. */
export const REMOTE_FS_TYPES: ReadonlySet<string> = new Set([
  'nfs',
  'nfs4',
  'cifs',
  'smb3',
  'smbfs',
  'ceph',
  'glusterfs',
  'fuse.sshfs',
  'fuse.glusterfs',
  '9p',
]);

/** Which mounts to measure. */
export interface MountFilter {
  includePseudo: boolean;
  includeRemote: boolean;
}

/**
 * Keeps the mounts worth measuring: real filesystems, one mount per device (bind mounts and repeated mounts of
 * the same device report the same usage; the first, usually shortest, mount point wins).
 */
export function selectMounts(mounts: readonly MountEntry[], filter: MountFilter): MountEntry[] {
  const seen = new Set<string>();
  const out: MountEntry[] = [];
  for (const m of mounts) {
    if (!filter.includePseudo && PSEUDO_FS_TYPES.has(m.fsType)) continue;
    if (!filter.includeRemote && REMOTE_FS_TYPES.has(m.fsType)) continue;
    const key = PSEUDO_FS_TYPES.has(m.fsType) ? `${m.deviceId}:${m.mountPoint}` : m.deviceId;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(m);
  }
  return out;
}

/** Usage of one filesystem, in bytes and inodes. */
export interface FsUsage {
  usedBytes: number;
  /** Available to unprivileged users (df "Avail"). */
  freeBytes: number;
  /** Free but reserved for root. */
  reservedBytes: number;
  usedInodes: number;
  freeInodes: number;
}

/** statfs(2) of a mount point (no process spawned), bounded by a timeout; null on error or timeout. */
export async function statFilesystem(mountPoint: string, timeoutMs: number): Promise<FsUsage | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
    timer.unref();
  });
  try {
    const st = await Promise.race([fsp.statfs(mountPoint), timeout]);
    if (st === null) return null;
    const bsize = Number(st.bsize);
    const blocks = Number(st.blocks);
    const bfree = Number(st.bfree);
    const bavail = Number(st.bavail);
    return {
      usedBytes: (blocks - bfree) * bsize,
      freeBytes: bavail * bsize,
      reservedBytes: Math.max(0, bfree - bavail) * bsize,
      usedInodes: Math.max(0, Number(st.files) - Number(st.ffree)),
      freeInodes: Number(st.ffree),
    };
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
