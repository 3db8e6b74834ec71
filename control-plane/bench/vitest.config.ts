import swc from 'unplugin-swc';
import { workspaceProject } from '../../vitest.shared.js';

// Benchmarks are drivers that print BENCH lines; they assert nothing about time.
export default workspaceProject('control-plane-bench', {
  root: new URL('..', import.meta.url).pathname,
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: { include: ['bench/**/*.bench.ts'], testTimeout: 300_000, fileParallelism: false },
});
