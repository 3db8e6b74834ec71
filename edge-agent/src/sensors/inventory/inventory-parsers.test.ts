import { inosec } from '@inosec/protos';
import { describe, expect, it } from 'vitest';
import { buildLocalUsers, parseGroup, parsePasswd } from './account-parsers.js';
import { ecsMac, interfaceType } from './network-interfaces.js';
import { osFromRelease, parseOsRelease } from './os-release.js';
import { parseDpkgStatus, parseRpmQuery } from './package-parsers.js';
import { parseListUnitFiles, parseListUnits, parseShowMainPids, serviceState } from './systemd-services.js';

const State = inosec.v1.SystemService.State;

describe('os-release', () => {
  it('parses quoting and maps families', () => {
    const f = parseOsRelease(
      'NAME="Rocky Linux"\nVERSION="9.3 (Blue \\"Onyx\\")"\nID="rocky"\nID_LIKE="rhel centos fedora"\n# c\nbad line\n',
    );
    expect(f.get('VERSION')).toBe('9.3 (Blue "Onyx")');
    expect(osFromRelease(f, '5.14.0')).toEqual({
      family: 'rhel',
      name: 'Rocky Linux',
      version: '9.3 (Blue "Onyx")',
      kernel: '5.14.0',
      platform: 'rocky',
      type: 'linux',
    });
    expect(osFromRelease(parseOsRelease("ID=ubuntu\nID_LIKE=debian\nVERSION_ID='22.04'"), 'k').family).toBe(
      'debian',
    );
    expect(osFromRelease(parseOsRelease('ID=nixos'), 'k').family).toBe('nixos');
  });
});

describe('package parsers', () => {
  it('keeps installed dpkg stanzas only and counts broken ones', () => {
    const status = [
      'Package: bash',
      'Status: install ok installed',
      'Architecture: amd64',
      'Version: 5.2.15-2+b2',
      'Description: shell',
      ' Package: not-a-field',
      '',
      'Package: removed',
      'Status: deinstall ok config-files',
      'Version: 1.0',
      '',
      'Package: pinned',
      'Status: hold ok installed',
      'Version: 1:2.0-1',
      'Architecture: all',
      '',
      'Package: noversion',
      'Status: install ok installed',
      '',
      '',
      'Package: last',
      'Version: 3',
      'Status: install ok installed',
    ].join('\n');
    const { packages, bad } = parseDpkgStatus(status);
    expect(packages).toEqual([
      { name: 'bash', version: '5.2.15-2+b2', architecture: 'amd64', source: 'deb' },
      { name: 'pinned', version: '1:2.0-1', architecture: 'all', source: 'deb' },
      { name: 'last', version: '3', architecture: '', source: 'deb' },
    ]);
    expect(bad).toBe(1);
  });

  it('parses rpm query output', () => {
    const r = parseRpmQuery('bash\t5.1.8-6.el9\tx86_64\ngpg-pubkey\tabc-def\t(none)\ngarbage\n\n');
    expect(r.packages).toEqual([
      { name: 'bash', version: '5.1.8-6.el9', architecture: 'x86_64', source: 'rpm' },
      { name: 'gpg-pubkey', version: 'abc-def', architecture: '', source: 'rpm' },
    ]);
    expect(r.bad).toBe(1);
  });
});

describe('accounts', () => {
  it('builds users with supplementary groups', () => {
    const p = parsePasswd(
      'root:x:0:0:root:/root:/bin/bash\n+nis::::::\nbroken\nalice:x:1000:1000::/home/alice:/bin/zsh\n',
    );
    expect(p.bad).toBe(2);
    const g = parseGroup('root:x:0:\nsudo:x:27:alice\nadm:x:4:syslog,alice\nalice:x:1000:\nbad:x:y:\n');
    expect(g.bad).toBe(1);
    const users = buildLocalUsers(p.entries, g.entries);
    expect(users).toEqual([
      { name: 'root', id: '0', groupId: '0', groups: [], homeDirectory: '/root', shell: '/bin/bash' },
      {
        name: 'alice',
        id: '1000',
        groupId: '1000',
        groups: ['adm', 'sudo'],
        homeDirectory: '/home/alice',
        shell: '/bin/zsh',
      },
    ]);
  });
});

describe('systemd output', () => {
  it('parses list-units, list-unit-files and show', () => {
    const units = parseListUnits(
      'ssh.service loaded active running OpenBSD Secure Shell server\n● foo.service not-found inactive dead foo.service\n' +
        'cron.service loaded failed failed Regular background program\n\n',
    );
    expect(units.map((u) => [u.unit, u.load, u.active, u.sub])).toEqual([
      ['ssh.service', 'loaded', 'active', 'running'],
      ['foo.service', 'not-found', 'inactive', 'dead'],
      ['cron.service', 'loaded', 'failed', 'failed'],
    ]);
    expect(
      parseListUnitFiles('ssh.service enabled enabled\ncron.service disabled enabled\n').get('ssh.service'),
    ).toBe('enabled');
    expect(parseShowMainPids('MainPID=812\nId=ssh.service\n\nMainPID=0\nId=cron.service\n')).toEqual(
      new Map([
        ['ssh.service', 812],
        ['cron.service', 0],
      ]),
    );
    expect(serviceState('activating')).toBe(State.STATE_TRANSITIONING);
    expect(serviceState('failed')).toBe(State.STATE_FAILED);
  });
});

describe('interfaces', () => {
  it('formats MACs and classifies interface types', () => {
    expect(ecsMac('02:fc:00:0a:bb:01\n')).toBe('02-FC-00-0A-BB-01');
    expect(ecsMac('00:00:00:00:00:00')).toBe('');
    expect(interfaceType(772, '', false, false)).toBe('loopback');
    expect(interfaceType(1, 'bridge', true, false)).toBe('bridge');
    expect(interfaceType(1, '', false, true)).toBe('wireless');
    expect(interfaceType(65534, '', false, false)).toBe('tunnel');
    expect(interfaceType(1, '', false, false)).toBe('ethernet');
  });
});
