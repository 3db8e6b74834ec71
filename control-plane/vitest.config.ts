import swc from 'unplugin-swc';
import { workspaceProject } from '../vitest.shared.js';

// NestJS dependency injection reads `design:paramtypes` decorator metadata, which esbuild does not
// emit; SWC does.
export default workspaceProject('control-plane', {
  plugins: [swc.vite({ module: { type: 'es6' } })],
});
