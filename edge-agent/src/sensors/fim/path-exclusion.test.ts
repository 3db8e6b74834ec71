import { describe, expect, it } from 'vitest';
import { compileExclusions, depthBelow, isSameOrBelow } from './path-exclusion.js';

describe('compileExclusions', () => {
  it('matches path prefixes at a segment boundary', () => {
    const ex = compileExclusions(['/etc/ssl/certs', '/var/log/']);
    expect(ex('/etc/ssl/certs')).toBe(true);
    expect(ex('/etc/ssl/certs/ca.pem')).toBe(true);
    expect(ex('/etc/ssl/certsX')).toBe(false);
    expect(ex('/etc/ssl')).toBe(false);
    expect(ex('/var/log/syslog')).toBe(true);
  });

  it('matches base-name globs anywhere and path globs within segments', () => {
    const ex = compileExclusions(['*.swp', '.#*', '/etc/*.d/README', '/opt/**/cache']);
    expect(ex('/etc/.passwd.swp')).toBe(true);
    expect(ex('/etc/.#lock')).toBe(true);
    expect(ex('/etc/swp')).toBe(false);
    expect(ex('/etc/cron.d/README')).toBe(true);
    expect(ex('/etc/cron.d/sub/README')).toBe(false);
    expect(ex('/opt/a/b/cache/x')).toBe(true);
    expect(ex('/opt/cachex')).toBe(false);
  });

  it('treats regex metacharacters literally and ignores blanks', () => {
    const ex = compileExclusions(['/etc/a+b(1)', '  ']);
    expect(ex('/etc/a+b(1)')).toBe(true);
    expect(ex('/etc/aab1')).toBe(false);
    expect(compileExclusions([])('/anything')).toBe(false);
  });
});

describe('path helpers', () => {
  it('computes containment and depth', () => {
    expect(isSameOrBelow('/etc/ssh/sshd_config', '/etc')).toBe(true);
    expect(isSameOrBelow('/etcetera', '/etc')).toBe(false);
    expect(isSameOrBelow('/x', '/')).toBe(true);
    expect(depthBelow('/etc', '/etc')).toBe(0);
    expect(depthBelow('/etc/ssh/sshd_config', '/etc')).toBe(2);
    expect(depthBelow('/etc/ssh', '/')).toBe(2);
  });
});
