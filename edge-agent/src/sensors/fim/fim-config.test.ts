import { describe, expect, it } from 'vitest';
import { DEFAULT_FIM_PATHS, FimConfigError, normaliseRoots, resolveFimConfig } from './fim-config.js';

describe('resolveFimConfig', () => {
  it('applies the defaults', () => {
    const c = resolveFimConfig({});
    expect(c.roots).toEqual([...DEFAULT_FIM_PATHS].sort());
    expect(c.intervalSeconds).toBe(3600);
    expect(c.maxFileBytes).toBe(64 * 1024 * 1024);
    expect(c.crossFilesystems).toBe(false);
    expect(c.maxWatches).toBe(0);
    expect(c.debounceMs).toBe(200);
  });

  it('reads policy options and rejects malformed ones with a named error', () => {
    const c = resolveFimConfig({
      paths: ['/srv/app/'],
      intervalSeconds: 60,
      options: {
        max_file_bytes: '1024',
        cross_filesystems: 'yes',
        max_watches: '10',
        verify_hashes: 'always',
      },
    });
    expect(c).toMatchObject({
      roots: ['/srv/app'],
      intervalSeconds: 60,
      maxFileBytes: 1024,
      crossFilesystems: true,
    });
    expect(c.verifyHashes).toBe('always');
    expect(() => resolveFimConfig({ options: { max_depth: '-1' } })).toThrow(FimConfigError);
    expect(() => resolveFimConfig({ options: { realtime: 'maybe' } })).toThrow(/realtime/);
    expect(() => resolveFimConfig({ options: { verify_hashes: 'md5' } })).toThrow(FimConfigError);
  });

  it('drops duplicate and nested roots', () => {
    expect(normaliseRoots(['/etc', '/etc/ssh', 'usr/bin', '/usr/bin/', '/etcetera'])).toEqual([
      '/etc',
      '/etcetera',
      '/usr/bin',
    ]);
  });
});
