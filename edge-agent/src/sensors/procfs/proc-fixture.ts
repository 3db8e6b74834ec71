import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A process to write into a {@link ProcFixture}. */
export interface FixtureProcess {
  pid: number;
  comm: string;
  ppid: number;
  startTimeTicks: number;
  flags?: number;
  threads?: number;
  session?: number;
  ttyNr?: number;
  uid?: number;
  gid?: number;
  /** argv; written NUL-separated. */
  args?: string[];
  /** Target of the exe symlink (a real file to be hashable); omitted for kernel threads. */
  exe?: string;
  cwd?: string;
  /** Stat fields 26-28 and 48-49 (start/end of code, start of stack, start/end of arguments); 0s when absent. */
  image?: [number, number, number, number, number];
}

/**
 * Test support: a crafted /proc tree in a temp directory (stat, status, cmdline, exe and cwd links, fd links,
 * /proc/stat, boot id, /proc/net files), so the readers and sensors can be tested against exact content.
 * Not used by the agent itself.
 */
export class ProcFixture {
  private constructor(readonly root: string) {}

  /** Creates an empty tree with /proc/stat and a boot id. */
  static async create(): Promise<ProcFixture> {
    const root = await mkdtemp(join(tmpdir(), 'inosec-proc-'));
    const fixture = new ProcFixture(root);
    await mkdir(join(root, 'sys/kernel/random'), { recursive: true });
    await mkdir(join(root, 'net'), { recursive: true });
    await fixture.setBootId('00000000-1111-2222-3333-444444444444');
    await fixture.setSystemStat(1_700_000_000, 1000);
    return fixture;
  }

  /** Writes /proc/stat with the given boot time (s) and fork counter. */
  async setSystemStat(btime: number, forks: number): Promise<void> {
    const text = `cpu  1 2 3 4 5 6 7 0 0 0\ncpu0 1 2 3 4 5 6 7 0 0 0\nintr 0\nctxt 5\nbtime ${btime}\nprocesses ${forks}\nprocs_running 1\nprocs_blocked 0\n`;
    await writeFile(join(this.root, 'stat'), text);
  }

  async setBootId(id: string): Promise<void> {
    await writeFile(join(this.root, 'sys/kernel/random/boot_id'), `${id}\n`);
  }

  /** The stat line of a process as the kernel prints it (52 fields). */
  static statLine(p: FixtureProcess): string {
    const fields: Array<number | string> = [
      `${p.pid} (${p.comm}) S`,
      p.ppid,
      p.pid,
      p.session ?? p.pid,
      p.ttyNr ?? 0,
      -1,
      p.flags ?? 0x400100,
      ...Array<number>(10).fill(0), // minflt .. nice (fields 10-19)
      p.threads ?? 1,
      0,
      p.startTimeTicks,
      ...Array<number>(30).fill(0),
    ];
    if (p.image) {
      // fields[i] is field i + 3 from field 4 on.
      [fields[23], fields[24], fields[25], fields[45], fields[46]] = p.image;
    }
    return `${fields.join(' ')}\n`;
  }

  /** Adds (or rewrites) a process directory. */
  async addProcess(p: FixtureProcess): Promise<void> {
    const dir = join(this.root, String(p.pid));
    await rm(dir, { recursive: true, force: true });
    await mkdir(join(dir, 'fd'), { recursive: true });
    await writeFile(join(dir, 'stat'), ProcFixture.statLine(p));
    const uid = p.uid ?? 0;
    const gid = p.gid ?? 0;
    await writeFile(
      join(dir, 'status'),
      `Name:\t${p.comm}\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t${p.pid}\nPid:\t${p.pid}\nPPid:\t${p.ppid}\n` +
        `Uid:\t${uid}\t${uid}\t${uid}\t${uid}\nGid:\t${gid}\t${gid}\t${gid}\t${gid}\nThreads:\t${p.threads ?? 1}\n`,
    );
    await writeFile(join(dir, 'cmdline'), p.args && p.args.length > 0 ? `${p.args.join('\0')}\0` : '');
    if (p.exe) await symlink(p.exe, join(dir, 'exe'));
    if (p.cwd) await symlink(p.cwd, join(dir, 'cwd'));
  }

  /** Removes a process directory (the process exited). */
  async removeProcess(pid: number): Promise<void> {
    await rm(join(this.root, String(pid)), { recursive: true, force: true });
  }

  /** Adds an fd symlink, e.g. `socket:[1234]` (dangling targets are fine: only readlink is used). */
  async addFd(pid: number, fd: number, target: string): Promise<void> {
    await symlink(target, join(this.root, String(pid), 'fd', String(fd)));
  }

  /** Writes /proc/net/<name> (tcp, tcp6, udp, udp6). */
  async setNet(name: string, text: string): Promise<void> {
    await writeFile(join(this.root, 'net', name), text);
  }

  async cleanup(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
