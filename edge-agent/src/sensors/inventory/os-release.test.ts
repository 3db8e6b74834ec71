import { describe, expect, it } from 'vitest';
import { osFromLegacyRelease } from './os-release.js';

const kernel = '2.6.32-754.el6.x86_64';

describe('osFromLegacyRelease', () => {
  it('reads lsb-release', () => {
    const lsb =
      'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=12.04\nDISTRIB_CODENAME=precise\nDISTRIB_DESCRIPTION="Ubuntu 12.04.5 LTS"\n';
    expect(osFromLegacyRelease(new Map([['lsb-release', lsb]]), kernel)).toEqual({
      family: 'debian',
      name: 'Ubuntu',
      version: '12.04 (precise)',
      kernel,
      platform: 'ubuntu',
      type: 'linux',
    });
  });

  it('reads a Red Hat style release line', () => {
    const files = new Map([
      ['redhat-release', 'CentOS release 6.10 (Final)\n'],
      ['centos-release', 'CentOS release 6.10 (Final)\n'],
    ]);
    expect(osFromLegacyRelease(files, kernel)).toMatchObject({
      family: 'rhel',
      name: 'CentOS',
      version: '6.10 (Final)',
      platform: 'centos',
    });
    const rhel = new Map([['redhat-release', 'Red Hat Enterprise Linux Server release 5.11 (Tikanga)']]);
    expect(osFromLegacyRelease(rhel, kernel)).toMatchObject({
      family: 'rhel',
      platform: 'rhel',
      version: '5.11 (Tikanga)',
    });
  });

  it('reads SuSE-release and bare version files', () => {
    const suse = new Map([
      ['SuSE-release', 'SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\nPATCHLEVEL = 4\n'],
    ]);
    expect(osFromLegacyRelease(suse, kernel)).toMatchObject({
      family: 'suse',
      name: 'SUSE Linux Enterprise Server 11',
      version: '11 SP4',
      platform: 'sles',
    });
    expect(osFromLegacyRelease(new Map([['debian_version', '7.11\n']]), kernel)).toMatchObject({
      family: 'debian',
      name: 'Debian GNU/Linux',
      version: '7.11',
      platform: 'debian',
    });
    expect(osFromLegacyRelease(new Map([['alpine-release', '3.2.3\n']]), kernel)).toMatchObject({
      family: 'alpine',
      version: '3.2.3',
    });
  });

  it('is undefined without any release file', () => {
    expect(osFromLegacyRelease(new Map(), kernel)).toBeUndefined();
  });
});
