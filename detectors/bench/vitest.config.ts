import { workspaceProject } from '../../vitest.shared.js';

// Benchmarks are drivers that print BENCH lines; they assert nothing about time.
export default workspaceProject('detectors-bench', {
  root: new URL('..', import.meta.url).pathname,
  test: { include: ['bench/**/*.bench.ts'], testTimeout: 900_000, fileParallelism: false },
});
