import type { ESLint, Rule } from 'eslint';

export declare const workspaceBoundaries: Rule.RuleModule;
export declare const WORKSPACE_DEPENDENCIES: Readonly<Record<string, readonly string[]>>;
export declare const WORKSPACE_IMPORT_FOLDERS: Readonly<
  Record<string, Readonly<Record<string, readonly string[]>>>
>;
export declare const plugin: ESLint.Plugin;
