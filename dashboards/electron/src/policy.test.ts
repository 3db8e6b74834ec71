import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import {
  OVERRIDABLE_CERTIFICATE_ERROR,
  VERIFY_ACCEPT,
  VERIFY_REJECT,
  VERIFY_USE_CHROMIUM,
  certificateSha256,
} from './certificate-pin.js';
import { APPLIANCE_HOST, chain, makeCertificates, type CertificateFixture } from './certificates.fixture.js';
import { parseSha256 } from './config.js';
import {
  certificateVerifier,
  externalLinkTarget,
  isAllowedNavigation,
  normalizeOrigin,
  permissionHandler,
  webPreferences,
  windowOpenHandler,
} from './policy.js';

const ORIGIN = 'https://appliance.example:8443';

describe('webPreferences', () => {
  it('locks the renderer down, developer tools off by default', () => {
    expect(webPreferences()).toStrictEqual({
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: false,
    });
  });

  it('enables developer tools only when asked, nothing else changes', () => {
    expect(webPreferences(true)).toStrictEqual({ ...webPreferences(false), devTools: true });
  });

  it('sets no preload script and no Blink feature switches', () => {
    const preferences: Record<string, unknown> = webPreferences();
    for (const key of ['preload', 'enableBlinkFeatures', 'additionalArguments', 'partition']) {
      expect(preferences).not.toHaveProperty(key);
    }
  });
});

describe('isAllowedNavigation', () => {
  it.each([
    'https://appliance.example:8443/',
    'https://appliance.example:8443/alerts?severity=high#top',
    'https://APPLIANCE.Example:8443/incidents/42',
    'blob:https://appliance.example:8443/4b1a0e2c-0000-4000-8000-000000000000',
  ])('allows %s', (url) => {
    expect(isAllowedNavigation(url, ORIGIN)).toBe(true);
  });

  it.each([
    ['another port', 'https://appliance.example:9443/'],
    ['the default port', 'https://appliance.example/'],
    ['http instead of https', 'http://appliance.example:8443/'],
    ['a subdomain', 'https://evil.appliance.example:8443/'],
    ['a parent domain', 'https://example:8443/'],
    ['a look-alike suffix', 'https://appliance.example.evil.test:8443/'],
    ['a trailing dot', 'https://appliance.example.:8443/'],
    ['userinfo pointing elsewhere', 'https://appliance.example@evil.test/'],
    ['userinfo with the port', 'https://appliance.example:8443@evil.test/'],
    ['userinfo on the console itself', 'https://admin:secret@appliance.example:8443/'],
    ['a backslash trick', 'https://evil.test\\@appliance.example:8443/'],
    ['javascript:', 'javascript:alert(1)'],
    ['javascript: with the origin in it', 'javascript://appliance.example:8443/%0aalert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['file:', 'file:///etc/passwd'],
    ['about:blank', 'about:blank'],
    ['a blob of another origin', 'blob:https://evil.test/4b1a0e2c-0000-4000-8000-000000000000'],
    ['a relative URL', '/alerts'],
    ['a scheme-relative URL', '//appliance.example:8443/alerts'],
    ['an empty string', ''],
    ['garbage', 'https://[not a host'],
    ['ws: to the console host', 'wss://appliance.example:8443/'],
    ['a custom scheme', 'inosec://appliance.example:8443/'],
  ])('refuses %s', (_case, url) => {
    expect(isAllowedNavigation(url, ORIGIN)).toBe(false);
  });

  it('normalises the expected origin: case, default port, path', () => {
    expect(isAllowedNavigation('https://appliance.example/x', 'HTTPS://Appliance.Example:443/console/')).toBe(
      true,
    );
    expect(isAllowedNavigation('https://appliance.example:443/x', 'https://appliance.example')).toBe(true);
  });

  it('compares internationalised hosts in their punycode form', () => {
    const idn = 'https://bücher.example:8443';
    expect(normalizeOrigin(idn)).toBe('https://xn--bcher-kva.example:8443');
    expect(isAllowedNavigation('https://xn--bcher-kva.example:8443/a', idn)).toBe(true);
    expect(isAllowedNavigation('https://BÜCHER.example:8443/a', idn)).toBe(true);
    expect(isAllowedNavigation('https://bucher.example:8443/a', idn)).toBe(false);
  });

  it('allows loopback http consoles on their exact origin only', () => {
    expect(isAllowedNavigation('http://localhost:3000/a', 'http://localhost:3000')).toBe(true);
    expect(isAllowedNavigation('http://[::1]:3000/', 'http://[::1]:3000')).toBe(true);
    expect(isAllowedNavigation('http://127.0.0.1:3000/', 'http://localhost:3000')).toBe(false);
    expect(isAllowedNavigation('https://localhost:3000/', 'http://localhost:3000')).toBe(false);
  });

  it('refuses everything when the expected origin is not one', () => {
    expect(isAllowedNavigation('about:blank', 'about:blank')).toBe(false);
    expect(isAllowedNavigation('data:text/plain,x', 'data:text/plain,x')).toBe(false);
    expect(isAllowedNavigation('https://appliance.example/', 'garbage')).toBe(false);
    expect(() => normalizeOrigin('null')).toThrow();
    expect(() => normalizeOrigin('file:///tmp')).toThrow(/not an origin/);
  });
});

describe('windowOpenHandler', () => {
  const open = windowOpenHandler(ORIGIN);

  it('denies every new window', () => {
    for (const url of [
      'https://appliance.example:8443/alerts',
      'https://docs.inosec.example/agents',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'about:blank',
      '',
    ]) {
      expect(open({ url }).response).toStrictEqual({ action: 'deny' });
    }
  });

  it('shows a console page in the console window instead', () => {
    expect(open({ url: 'https://appliance.example:8443/alerts/7' })).toStrictEqual({
      response: { action: 'deny' },
      sameWindow: 'https://appliance.example:8443/alerts/7',
    });
  });

  it('hands http(s) links leaving the console to the OS browser', () => {
    expect(open({ url: 'https://attack.mitre.org/techniques/T1059/' })).toStrictEqual({
      response: { action: 'deny' },
      openExternal: 'https://attack.mitre.org/techniques/T1059/',
    });
    expect(open({ url: 'http://plc-vendor.example/manual' }).openExternal).toBe(
      'http://plc-vendor.example/manual',
    );
    // Same host, other port: another origin, so not the console.
    expect(open({ url: 'https://appliance.example:9443/' })).toStrictEqual({
      response: { action: 'deny' },
      openExternal: 'https://appliance.example:9443/',
    });
  });

  it.each([
    'file:///C:/Windows/System32/calc.exe',
    'smb://fileserver/share',
    'ms-settings:privacy',
    'vscode://file/etc/passwd',
    'mailto:soc@example.com',
    'javascript:alert(1)',
    'data:text/html,x',
    'blob:https://appliance.example:8443/4b1a0e2c-0000-4000-8000-000000000000',
    'https://user:pass@evil.test/',
    '/relative',
    'not a url',
  ])('opens nothing for %s', (url) => {
    expect(open({ url })).toStrictEqual({ response: { action: 'deny' } });
  });

  it('externalLinkTarget normalises what it hands out', () => {
    expect(externalLinkTarget('HTTPS://Example.COM/a b')).toBe('https://example.com/a%20b');
    expect(externalLinkTarget('https://appliance.example@evil.test/')).toBeUndefined();
  });
});

describe('permissionHandler', () => {
  const allows = permissionHandler(ORIGIN);
  const page = 'https://appliance.example:8443/agents/install';

  it.each([
    'media',
    'geolocation',
    'notifications',
    'midi',
    'midiSysex',
    'pointerLock',
    'keyboardLock',
    'fullscreen',
    'openExternal',
    'clipboard-read',
    'display-capture',
    'mediaKeySystem',
    'idle-detection',
    'window-management',
    'storage-access',
    'top-level-storage-access',
    'fileSystem',
    'hid',
    'serial',
    'usb',
    'speaker-selection',
    'deprecated-sync-clipboard-read',
    'unknown',
    '',
  ])('denies %s even to the console', (permission) => {
    expect(allows(permission, { requesting: page })).toBe(false);
    expect(allows(permission, { requesting: ORIGIN })).toBe(false);
  });

  it('lets the console (page URL or origin) write sanitised text to the clipboard', () => {
    expect(allows('clipboard-sanitized-write', { requesting: page })).toBe(true);
    expect(allows('clipboard-sanitized-write', { requesting: ORIGIN })).toBe(true);
    expect(allows('clipboard-sanitized-write', { requesting: page, embeddingOrigin: ORIGIN })).toBe(true);
  });

  it.each([
    ['another origin', { requesting: 'https://evil.test/' }],
    ['another port', { requesting: 'https://appliance.example:9443/' }],
    ['no requester', { requesting: undefined }],
    ['an opaque requester', { requesting: 'null' }],
    ['a data: frame', { requesting: 'data:text/html,x' }],
    ['userinfo tricks', { requesting: 'https://appliance.example:8443@evil.test/' }],
    ['a console frame embedded elsewhere', { requesting: page, embeddingOrigin: 'https://evil.test' }],
  ])('refuses the clipboard to %s', (_case, context) => {
    expect(allows('clipboard-sanitized-write', context)).toBe(false);
  });
});

describe('certificateVerifier', () => {
  let certs: CertificateFixture;
  beforeAll(() => {
    certs = makeCertificates();
  }, 60_000);

  const pinnedTo = (sha256: string) => certificateVerifier(ORIGIN, sha256);

  it('computes the same SHA-256 fingerprint as openssl', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'inosec-fp-'));
    try {
      writeFileSync(path.join(dir, 'ca.pem'), certs.ca);
      const out = execFileSync('openssl', ['x509', '-in', 'ca.pem', '-noout', '-fingerprint', '-sha256'], {
        cwd: dir,
        encoding: 'utf8',
      });
      const printed = out.trim().split('=')[1] ?? '';
      expect(printed).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      expect(parseSha256(printed, '--ca-sha256')).toBe(certificateSha256(certs.ca));
      expect(certificateVerifier(ORIGIN, printed).pinnedSha256).toBe(certs.sha256.ca);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('pinning the appliance CA', () => {
    it('accepts a server certificate the CA signed, presented with the CA', () => {
      const verifier = pinnedTo(certs.sha256.ca);
      expect(verifier.matchesPin(APPLIANCE_HOST, chain(certs.server, certs.ca))).toBe(true);
      expect(verifier.verifyProcResult(APPLIANCE_HOST, chain(certs.server, certs.ca))).toBe(VERIFY_ACCEPT);
      expect(
        verifier.trustsCertificateError(
          `${ORIGIN}/login`,
          OVERRIDABLE_CERTIFICATE_ERROR,
          chain(certs.server, certs.ca),
        ),
      ).toBe(true);
    });

    it('accepts it on the IP address the server certificate names', () => {
      const verifier = certificateVerifier('https://127.0.0.1:8443', certs.sha256.ca);
      expect(verifier.verifyProcResult('127.0.0.1', chain(certs.server, certs.ca))).toBe(VERIFY_ACCEPT);
    });

    it("refuses an attacker's certificate presented with the real CA appended", () => {
      const verifier = pinnedTo(certs.sha256.ca);
      expect(verifier.matchesPin(APPLIANCE_HOST, chain(certs.rogueServer, certs.ca))).toBe(false);
      expect(verifier.verifyProcResult(APPLIANCE_HOST, chain(certs.rogueServer, certs.ca))).toBe(
        VERIFY_REJECT,
      );
    });

    it("refuses the attacker's own CA with the same name", () => {
      const verifier = pinnedTo(certs.sha256.ca);
      expect(verifier.verifyProcResult(APPLIANCE_HOST, chain(certs.rogueServer, certs.rogueCa))).toBe(
        VERIFY_REJECT,
      );
    });

    it('refuses a certificate the CA signed for another host', () => {
      const verifier = pinnedTo(certs.sha256.ca);
      expect(verifier.verifyProcResult(APPLIANCE_HOST, chain(certs.otherHost, certs.ca))).toBe(VERIFY_REJECT);
    });

    it('refuses a chain through a certificate that is not a CA', () => {
      const verifier = pinnedTo(certs.sha256.server);
      expect(
        verifier.verifyProcResult(APPLIANCE_HOST, chain(certs.signedByLeaf, certs.server, certs.ca)),
      ).toBe(VERIFY_REJECT);
    });

    it('refuses the server certificate alone when the CA is not presented', () => {
      expect(pinnedTo(certs.sha256.ca).verifyProcResult(APPLIANCE_HOST, chain(certs.server))).toBe(
        VERIFY_REJECT,
      );
    });

    it('refuses outside the validity period', () => {
      const verifier = pinnedTo(certs.sha256.ca);
      const presented = chain(certs.server, certs.ca);
      expect(verifier.matchesPin(APPLIANCE_HOST, presented, new Date('2999-01-01T00:00:00Z'))).toBe(false);
      expect(verifier.matchesPin(APPLIANCE_HOST, presented, new Date('2001-01-01T00:00:00Z'))).toBe(false);
    });
  });

  describe('pinning the server certificate itself', () => {
    it('accepts exactly that certificate', () => {
      const verifier = pinnedTo(certs.sha256.selfSigned);
      expect(verifier.verifyProcResult(APPLIANCE_HOST, chain(certs.selfSigned))).toBe(VERIFY_ACCEPT);
      expect(
        pinnedTo(certs.sha256.server).verifyProcResult(APPLIANCE_HOST, chain(certs.server, certs.ca)),
      ).toBe(VERIFY_ACCEPT);
    });

    it('refuses any other certificate, even with the same names', () => {
      const verifier = pinnedTo(certs.sha256.selfSigned);
      for (const presented of [chain(certs.server, certs.ca), chain(certs.rogueServer, certs.rogueCa)]) {
        expect(verifier.verifyProcResult(APPLIANCE_HOST, presented)).toBe(VERIFY_REJECT);
        expect(verifier.trustsCertificateError(ORIGIN, OVERRIDABLE_CERTIFICATE_ERROR, presented)).toBe(false);
      }
    });
  });

  describe('scope', () => {
    it('overrides certificate errors for the pinned origin only', () => {
      const verifier = pinnedTo(certs.sha256.selfSigned);
      const presented = chain(certs.selfSigned);
      const trusts = (url: string, error = OVERRIDABLE_CERTIFICATE_ERROR): boolean =>
        verifier.trustsCertificateError(url, error, presented);
      expect(trusts(`${ORIGIN}/`)).toBe(true);
      expect(trusts('https://APPLIANCE.example:8443/api/v1/alerts')).toBe(true);
      expect(trusts('https://appliance.example:9443/')).toBe(false);
      expect(trusts('https://appliance.example/')).toBe(false);
      expect(trusts('https://evil.test/')).toBe(false);
      expect(trusts('https://appliance.example:8443@evil.test/')).toBe(false);
      expect(trusts('wss://appliance.example:8443/')).toBe(false);
      expect(trusts('not a url')).toBe(false);
    });

    it('overrides only an unknown-issuer error', () => {
      const verifier = pinnedTo(certs.sha256.selfSigned);
      for (const error of [
        'net::ERR_CERT_REVOKED',
        'net::ERR_CERT_DATE_INVALID',
        'net::ERR_CERT_COMMON_NAME_INVALID',
        'net::ERR_CERT_INVALID',
        '',
      ]) {
        expect(verifier.trustsCertificateError(ORIGIN, error, chain(certs.selfSigned))).toBe(false);
      }
    });

    it('leaves other hosts to Chromium, even with the pinned certificate', () => {
      const verifier = pinnedTo(certs.sha256.selfSigned);
      expect(verifier.verifyProcResult('evil.test', chain(certs.selfSigned))).toBe(VERIFY_USE_CHROMIUM);
      expect(verifier.verifyProcResult('www.google.com', chain(certs.server, certs.ca))).toBe(
        VERIFY_USE_CHROMIUM,
      );
      expect(verifier.matchesPin('evil.test', chain(certs.selfSigned))).toBe(false);
    });

    it('compares hosts case-insensitively and IPv6 with or without brackets', () => {
      const verifier = pinnedTo(certs.sha256.selfSigned);
      expect(verifier.verifyProcResult('Appliance.EXAMPLE', chain(certs.selfSigned))).toBe(VERIFY_ACCEPT);
      const v6 = certificateVerifier('https://[::1]:8443', certs.sha256.selfSigned);
      expect(v6.verifyProcResult('::1', chain(certs.selfSigned))).toBe(VERIFY_ACCEPT);
      expect(v6.verifyProcResult('[::1]', chain(certs.selfSigned))).toBe(VERIFY_ACCEPT);
    });

    it('without a pin trusts nothing itself and keeps Chromium verdicts', () => {
      const verifier = certificateVerifier(ORIGIN, undefined);
      expect(verifier.pinnedSha256).toBeUndefined();
      expect(verifier.verifyProcResult(APPLIANCE_HOST, chain(certs.selfSigned))).toBe(VERIFY_USE_CHROMIUM);
      expect(
        verifier.trustsCertificateError(ORIGIN, OVERRIDABLE_CERTIFICATE_ERROR, chain(certs.selfSigned)),
      ).toBe(false);
    });

    it('fails closed on unparsable certificates', () => {
      const verifier = pinnedTo(certs.sha256.selfSigned);
      expect(verifier.verifyProcResult(APPLIANCE_HOST, { data: 'garbage' })).toBe(VERIFY_REJECT);
      expect(
        verifier.verifyProcResult(APPLIANCE_HOST, { data: certs.selfSigned, issuerCert: { data: '' } }),
      ).toBe(VERIFY_REJECT);
    });

    it('refuses malformed pins and pins on non-https origins', () => {
      expect(() => certificateVerifier(ORIGIN, 'abc')).toThrow(/64 hex/);
      expect(() => certificateVerifier('http://localhost:3000', certs.sha256.ca)).toThrow(/https/);
    });
  });
});
