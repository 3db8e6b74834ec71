import { describe, expect, it } from 'vitest';
import { LOGSOURCE_TABLE } from './logsource-table.js';
import { isResolved, logSourceKey, resolveLogSource, unmappedFields } from './resolve-logsource.js';
import { isUnsupportedReason } from './unsupported-reasons.js';

describe('logSourceKey', () => {
  it('is product/category, else product/service, lower case, * for what is missing', () => {
    expect(logSourceKey({ product: 'linux', category: 'process_creation' })).toBe('linux/process_creation');
    expect(logSourceKey({ product: 'Linux', service: 'Auditd' })).toBe('linux/auditd');
    expect(logSourceKey({ category: 'webserver' })).toBe('*/webserver');
    expect(logSourceKey({ product: 'linux' })).toBe('linux/*');
    expect(logSourceKey({})).toBe('*/*');
    // category wins over service when both are given
    expect(logSourceKey({ product: 'paloalto', category: 'file_event', service: 'globalprotect' })).toBe(
      'paloalto/file_event',
    );
  });
});

describe('resolveLogSource', () => {
  it('resolves the fed Linux log sources with their event kinds', () => {
    const result = resolveLogSource({ product: 'linux', category: 'process_creation' });
    expect(result).toEqual({
      key: 'linux/process_creation',
      kinds: [expect.stringContaining('ProcessEvent')],
    });
    for (const service of [
      'auditd',
      'auth',
      'sshd',
      'sudo',
      'syslog',
      'cron',
      'vsftpd',
      'clamav',
      'guacamole',
    ]) {
      const resolved = resolveLogSource({ product: 'linux', service });
      expect(isResolved(resolved), service).toBe(true);
    }
    expect(resolveLogSource({ product: 'linux' })).toMatchObject({ key: 'linux/*' });
    expect(resolveLogSource({ product: 'linux', category: 'file_delete' })).toMatchObject({
      key: 'linux/file_delete',
    });
  });

  it('gives the documented reason for what nothing feeds', () => {
    expect(resolveLogSource({ category: 'webserver' })).toMatchObject({ unsupported: 'needs_log_collector' });
    expect(resolveLogSource({ category: 'proxy' })).toMatchObject({ unsupported: 'needs_log_collector' });
    expect(resolveLogSource({ category: 'dns' })).toMatchObject({ unsupported: 'needs_network_sensor' });
    expect(resolveLogSource({ product: 'zeek', service: 'conn' })).toMatchObject({
      unsupported: 'needs_network_sensor',
    });
    // a zeek service the table does not list still gets the network-sensor reason
    expect(resolveLogSource({ product: 'zeek', service: 'ssl' })).toMatchObject({
      unsupported: 'needs_network_sensor',
    });
    expect(resolveLogSource({ product: 'windows', category: 'process_creation' })).toMatchObject({
      unsupported: 'product_not_collected',
      detail: expect.stringContaining('windows'),
    });
    expect(resolveLogSource({ product: 'aws', service: 'cloudtrail' })).toMatchObject({
      unsupported: 'product_not_collected',
    });
    // near misses: a Linux source the table does not have, and no log source at all
    expect(resolveLogSource({ product: 'linux', category: 'process_access' })).toMatchObject({
      unsupported: 'unknown_logsource',
    });
    expect(resolveLogSource({})).toMatchObject({ unsupported: 'unknown_logsource' });
  });

  it('has unique keys, documented reasons, and kinds exactly for the fed entries', () => {
    const keys = LOGSOURCE_TABLE.map((entry) => entry.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const entry of LOGSOURCE_TABLE) {
      expect(entry.key, entry.key).toBe(logSourceKey(entry));
      if (entry.unsupported) {
        expect(isUnsupportedReason(entry.unsupported)).toBe(true);
        expect(entry.kinds).toEqual([]);
      } else {
        expect(entry.kinds.length, entry.key).toBeGreaterThan(0);
      }
    }
  });
});

describe('unmappedFields', () => {
  it('returns the fields a fed source does not carry, as written', () => {
    expect(unmappedFields('linux/process_creation', ['Image', 'CommandLine', 'ParentImage', 'User'])).toEqual(
      [],
    );
    expect(unmappedFields('linux/process_creation', ['Image', 'LogonId', 'IntegrityLevel'])).toEqual([
      'LogonId',
      'IntegrityLevel',
    ]);
    // field names are case-sensitive: `image` is not `Image`
    expect(unmappedFields('linux/process_creation', ['image'])).toEqual(['image']);
    expect(unmappedFields('linux/sudo', ['USER', 'PWD'])).toEqual(['PWD']);
  });

  it('accepts any auditd record key (they pass through), and nothing of an unknown or unfed source', () => {
    expect(unmappedFields('linux/auditd', ['type', 'a0', 'a17', 'nametype', 'unit'])).toEqual([]);
    expect(unmappedFields('*/webserver', ['cs-method'])).toEqual(['cs-method']);
    expect(unmappedFields('linux/nope', ['Image'])).toEqual(['Image']);
  });
});
