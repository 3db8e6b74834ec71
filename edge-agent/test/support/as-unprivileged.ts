// Runs a test step without root's power to read every file: when the test process is root (CI, containers),
// it switches its effective uid and gid to `nobody` for the step and back after. Vitest runs each test file
// in its own process (forks pool) and the tests of a file one after the other, so nothing else runs with
// the lowered ids; root can come back because only the effective ids change.
const NOBODY = 65_534;

export async function asUnprivileged<T>(step: () => Promise<T>): Promise<T> {
  if (process.getuid?.() !== 0 || !process.seteuid || !process.setegid) return step();
  process.setegid(NOBODY);
  process.seteuid(NOBODY);
  try {
    return await step();
  } finally {
    process.seteuid(0);
    process.setegid(0);
  }
}
