import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

/**
 * Project config shared by every workspace. Imports of `@inosec/*` resolve to the workspace's
 * TypeScript source (the `inosec-source` export condition), so unit tests never need a build.
 */
export function workspaceProject(name: string, extra: UserWorkspaceConfig = {}): UserWorkspaceConfig {
  return defineProject({
    ...extra,
    resolve: { conditions: ['inosec-source'], ...extra.resolve },
    ssr: { resolve: { conditions: ['inosec-source'] } },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 20_000,
      hookTimeout: 120_000,
      ...extra.test,
    },
  });
}
