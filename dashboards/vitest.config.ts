import { workspaceProject } from '../vitest.shared.js';

export default workspaceProject('dashboards', {
  test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'electron/src/**/*.test.ts'] },
});
