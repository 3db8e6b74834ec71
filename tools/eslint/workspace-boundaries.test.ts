import { RuleTester } from 'eslint';
import { describe, it } from 'vitest';
import tseslint from 'typescript-eslint';
import {
  WORKSPACE_DEPENDENCIES,
  WORKSPACE_IMPORT_FOLDERS,
  workspaceBoundaries,
} from './workspace-boundaries.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const root = '/repo';
const options = [{ root, workspaces: WORKSPACE_DEPENDENCIES, only: WORKSPACE_IMPORT_FOLDERS }];
const tester = new RuleTester({
  languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' },
});

tester.run('workspace-boundaries', workspaceBoundaries, {
  valid: [
    { filename: '/repo/collector/src/writer.ts', code: "import { Event } from '@inosec/protos';", options },
    { filename: '/repo/collector/src/writer.ts', code: "export * from '@inosec/detectors';", options },
    {
      filename: '/repo/control-plane/src/appliance/main.ts',
      code: "import { x } from '@inosec/collector';",
      options,
    },
    {
      filename: '/repo/control-plane/test/database.test.ts',
      code: "import { x } from '@inosec/collector';",
      options,
    },
    { filename: '/repo/collector/src/a/b/c.ts', code: "import { y } from '../../d.js';", options },
    {
      filename: '/repo/edge-agent/vitest.config.ts',
      code: "import { p } from '../vitest.shared.js';",
      options,
    },
    { filename: '/repo/tools/x.ts', code: "import { z } from '@inosec/control-plane';", options },
    { filename: '/repo/protos/src/index.ts', code: "import pg from 'pg';", options },
  ],
  invalid: [
    {
      filename: '/repo/control-plane/src/alerts/alert.service.ts',
      code: "import { x } from '@inosec/collector';",
      options,
      errors: [
        {
          messageId: 'onlyFrom',
          data: {
            from: 'control-plane',
            to: 'collector',
            folder: 'control-plane/src/appliance/ or control-plane/test/',
          },
        },
      ],
    },
    {
      filename: '/repo/collector/src/a.ts',
      code: "type T = import('@inosec/control-plane').Api;",
      options,
      errors: [{ messageId: 'forbidden' }],
    },
    {
      filename: '/repo/collector/src/a.ts',
      code: "import cp = require('@inosec/control-plane');",
      options,
      errors: [{ messageId: 'forbidden' }],
    },
    {
      filename: '/repo/edge-agent/src/a.ts',
      code: 'const m = await import(`@inosec/collector`);',
      options,
      errors: [{ messageId: 'forbidden' }],
    },
    {
      filename: '/repo/protos/src/index.ts',
      code: "import { a } from '@inosec/detectors';",
      options,
      errors: [{ messageId: 'forbidden', data: { from: 'protos', to: 'detectors', allowed: 'none' } }],
    },
    {
      filename: '/repo/collector/src/writer.ts',
      code: "import { a } from '@inosec/control-plane';",
      options,
      errors: [{ messageId: 'forbidden' }],
    },
    {
      filename: '/repo/edge-agent/src/main.ts',
      code: "const m = await import('@inosec/collector');",
      options,
      errors: [{ messageId: 'forbidden' }],
    },
    {
      filename: '/repo/collector/src/writer.ts',
      code: "import { Event } from '@inosec/protos/src/gen/inosec.js';",
      options,
      errors: [
        { messageId: 'deep', data: { source: '@inosec/protos/src/gen/inosec.js', entry: '@inosec/protos' } },
      ],
    },
    {
      filename: '/repo/collector/src/writer.ts',
      code: "import { Event } from '../../protos/src/index.js';",
      options,
      errors: [
        {
          messageId: 'relative',
          data: { source: '../../protos/src/index.js', to: 'protos', entry: '@inosec/protos' },
        },
      ],
    },
    {
      filename: '/repo/dashboards/src/app.ts',
      code: "export { Api } from '../../control-plane/src/index.js';",
      options,
      errors: [{ messageId: 'relative' }],
    },
    {
      filename: '/repo/detectors/src/sigma.ts',
      code: "import { x } from '@inosec/detectors';",
      options,
      errors: [{ messageId: 'self' }],
    },
  ],
});
