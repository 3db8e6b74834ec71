import { workspaceProject } from '../vitest.shared.js';

// Repository-level checks: the lint rule, and that docs and examples match the code.
export default workspaceProject('tools', { test: { include: ['**/*.test.ts'] } });
