/**
 * main.ts against a fake `electron` module (the real binary cannot run here): the wiring of every
 * policy to its Electron hook, observed through the calls main.ts makes.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { OVERRIDABLE_CERTIFICATE_ERROR, VERIFY_ACCEPT, VERIFY_REJECT } from './certificate-pin.js';
import { APPLIANCE_HOST, chain, makeCertificates, type CertificateFixture } from './certificates.fixture.js';
import { webPreferences } from './policy.js';

type Listener = (...args: never[]) => unknown;

class FakeEmitter {
  readonly listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  /** Calls every listener of `event`; returns how many there were. */
  emit(event: string, ...args: unknown[]): number {
    const listeners = this.listeners.get(event) ?? [];
    for (const listener of listeners) (listener as (...a: unknown[]) => unknown)(...args);
    return listeners.length;
  }
}

interface PermissionRequestDetails {
  requestingUrl: string;
  isMainFrame: boolean;
}
type PermissionRequestHandler = (
  contents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details: PermissionRequestDetails,
) => void;
type PermissionCheckHandler = (
  contents: unknown,
  permission: string,
  requestingOrigin: string,
  details: { embeddingOrigin?: string; isMainFrame: boolean },
) => boolean;
type VerifyProc = (
  request: { hostname: string; certificate: { data: string } },
  callback: (result: number) => void,
) => void;

class FakeSession extends FakeEmitter {
  permissionRequestHandler: PermissionRequestHandler | undefined;
  permissionCheckHandler: PermissionCheckHandler | undefined;
  devicePermissionHandler: ((details: unknown) => boolean) | undefined;
  verifyProc: VerifyProc | undefined;
  setPermissionRequestHandler(handler: PermissionRequestHandler): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: PermissionCheckHandler): void {
    this.permissionCheckHandler = handler;
  }
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void {
    this.devicePermissionHandler = handler;
  }
  setCertificateVerifyProc(proc: VerifyProc): void {
    this.verifyProc = proc;
  }
}

type WindowOpenHandler = (details: { url: string }) => { action: string };

class FakeWebContents extends FakeEmitter {
  readonly loaded: string[] = [];
  windowOpenHandler: WindowOpenHandler | undefined;
  devToolsClosed = 0;
  constructor(readonly session: FakeSession) {
    super();
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    return Promise.resolve();
  }
  setWindowOpenHandler(handler: WindowOpenHandler): void {
    this.windowOpenHandler = handler;
  }
  closeDevTools(): void {
    this.devToolsClosed++;
  }
}

const fake = vi.hoisted(() => ({
  state: undefined as unknown as FakeElectronState,
}));

interface FakeAppMethods {
  enableSandbox(): unknown;
  requestSingleInstanceLock(): boolean;
  whenReady(): Promise<void>;
  quit(): unknown;
  exit(code: number): unknown;
}

interface FakeElectronState {
  readonly calls: string[];
  readonly app: FakeEmitter & FakeAppMethods;
  readonly windows: { options: Record<string, unknown>; webContents: FakeWebContents }[];
  readonly defaultSession: FakeSession;
  readonly openedExternally: string[];
  readonly errorBoxes: string[];
  menuTemplate: unknown;
  singleInstance: boolean;
}

function freshElectron(): FakeElectronState {
  const calls: string[] = [];
  const state: FakeElectronState = {
    calls,
    windows: [],
    defaultSession: new FakeSession(),
    openedExternally: [],
    errorBoxes: [],
    menuTemplate: undefined,
    singleInstance: true,
    app: Object.assign(new FakeEmitter(), {
      enableSandbox: () => calls.push('enableSandbox'),
      requestSingleInstanceLock: () => {
        calls.push('requestSingleInstanceLock');
        return state.singleInstance;
      },
      whenReady: () => {
        calls.push('whenReady');
        return Promise.resolve();
      },
      quit: () => calls.push('quit'),
      exit: (code: number) => calls.push(`exit ${code}`),
    }),
  };
  return state;
}

vi.mock('electron', () => {
  class BrowserWindow {
    readonly webContents: FakeWebContents;
    constructor(options: Record<string, unknown>) {
      const state = fake.state;
      this.webContents = new FakeWebContents(state.defaultSession);
      state.windows.push({ options, webContents: this.webContents });
      // Electron emits 'web-contents-created' for the window's own contents too.
      state.app.emit('web-contents-created', { preventDefault: () => undefined }, this.webContents);
    }
    isDestroyed(): boolean {
      return false;
    }
    isMinimized(): boolean {
      return false;
    }
    restore(): void {}
    focus(): void {
      fake.state.calls.push('focus');
    }
  }
  return {
    get app() {
      return fake.state.app;
    },
    BrowserWindow,
    Menu: {
      buildFromTemplate: (template: unknown) => ({ template }),
      setApplicationMenu: (menu: { template: unknown }) => {
        fake.state.menuTemplate = menu.template;
      },
    },
    session: {
      get defaultSession() {
        return fake.state.defaultSession;
      },
    },
    shell: {
      openExternal: (url: string) => {
        fake.state.openedExternally.push(url);
        return Promise.resolve();
      },
    },
    dialog: {
      showErrorBox: (title: string, content: string) => {
        fake.state.errorBoxes.push(`${title}: ${content}`);
      },
    },
  };
});

const ORIGIN = 'https://appliance.example:8443';
const savedArgv = process.argv;

let certs: CertificateFixture;
beforeAll(() => {
  certs = makeCertificates();
}, 60_000);

beforeEach(() => {
  fake.state = freshElectron();
  vi.resetModules();
  vi.stubEnv('INOSEC_CONSOLE_URL', '');
  vi.stubEnv('INOSEC_CONSOLE_CA_SHA256', '');
  vi.stubEnv('INOSEC_CONSOLE_DEVTOOLS', '');
});

afterEach(() => {
  process.argv = savedArgv;
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** Runs main.ts with these flags and lets the app become ready. */
async function start(...flags: string[]): Promise<FakeElectronState> {
  process.argv = ['/opt/electron/electron', '/opt/inosec/dist/main.js', ...flags];
  await import('./main.js');
  await new Promise((resolve) => setImmediate(resolve));
  return fake.state;
}

function onlyWindow(state: FakeElectronState): {
  options: Record<string, unknown>;
  webContents: FakeWebContents;
} {
  expect(state.windows).toHaveLength(1);
  const [window] = state.windows;
  if (window === undefined) throw new Error('no window');
  return window;
}

/** Emits a navigation event the way Electron 41 does (details object first); true if prevented. */
function navigate(contents: FakeWebContents, event: string, url: string): boolean {
  let prevented = false;
  const details = { url, isMainFrame: true, isSameDocument: false, preventDefault: () => (prevented = true) };
  expect(contents.emit(event, details, url)).toBeGreaterThan(0);
  return prevented;
}

describe('main.ts', () => {
  it('sandboxes every renderer and takes the single instance lock before anything opens', async () => {
    const state = await start(`--appliance-url=${ORIGIN}/`);
    expect(state.calls.slice(0, 3)).toStrictEqual([
      'enableSandbox',
      'requestSingleInstanceLock',
      'whenReady',
    ]);
  });

  it('opens one window with exactly webPreferences() and no preload, on the console URL', async () => {
    const state = await start(`--appliance-url=${ORIGIN}/console/`);
    const window = onlyWindow(state);
    expect(window.options['webPreferences']).toStrictEqual(webPreferences(false));
    expect(window.options['webPreferences']).not.toHaveProperty('preload');
    expect(window.webContents.loaded).toStrictEqual([`${ORIGIN}/console/`]);
  });

  it('enables developer tools (preferences and menu) only with INOSEC_CONSOLE_DEVTOOLS=1', async () => {
    const menuHasDevTools = (template: unknown): boolean =>
      JSON.stringify(template).includes('toggleDevTools');

    const locked = await start(`--appliance-url=${ORIGIN}`);
    expect(onlyWindow(locked).options['webPreferences']).toStrictEqual(webPreferences(false));
    expect(locked.menuTemplate).toBeDefined();
    expect(menuHasDevTools(locked.menuTemplate)).toBe(false);
    onlyWindow(locked).webContents.emit('devtools-opened');
    expect(onlyWindow(locked).webContents.devToolsClosed).toBe(1);

    fake.state = freshElectron();
    vi.resetModules();
    vi.stubEnv('INOSEC_CONSOLE_DEVTOOLS', '1');
    const open = await start(`--appliance-url=${ORIGIN}`);
    expect(onlyWindow(open).options['webPreferences']).toStrictEqual(webPreferences(true));
    expect(menuHasDevTools(open.menuTemplate)).toBe(true);
    expect(onlyWindow(open).webContents.listeners.has('devtools-opened')).toBe(false);
  });

  it('guards navigation and redirects: the console origin only', async () => {
    const { webContents } = onlyWindow(await start(`--appliance-url=${ORIGIN}`));
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      expect(navigate(webContents, event, `${ORIGIN}/alerts`)).toBe(false);
      expect(navigate(webContents, event, 'https://evil.test/')).toBe(true);
      expect(navigate(webContents, event, 'https://appliance.example:8443@evil.test/')).toBe(true);
      expect(navigate(webContents, event, 'https://appliance.example:9443/')).toBe(true);
      expect(navigate(webContents, event, 'javascript:alert(1)')).toBe(true);
      expect(navigate(webContents, event, 'file:///etc/passwd')).toBe(true);
    }
  });

  it('refuses every webview', async () => {
    const { webContents } = onlyWindow(await start(`--appliance-url=${ORIGIN}`));
    let prevented = false;
    webContents.emit(
      'will-attach-webview',
      { preventDefault: () => (prevented = true) },
      {},
      { src: ORIGIN },
    );
    expect(prevented).toBe(true);
  });

  it('never opens a window; console pages load in place, http(s) links go to the OS browser', async () => {
    const { webContents } = onlyWindow(await start(`--appliance-url=${ORIGIN}`));
    const handler = webContents.windowOpenHandler;
    if (handler === undefined) throw new Error('no window open handler');

    expect(handler({ url: 'https://attack.mitre.org/' })).toStrictEqual({ action: 'deny' });
    expect(handler({ url: `${ORIGIN}/incidents/3` })).toStrictEqual({ action: 'deny' });
    expect(handler({ url: 'file:///etc/passwd' })).toStrictEqual({ action: 'deny' });
    expect(handler({ url: 'ms-settings:privacy' })).toStrictEqual({ action: 'deny' });
    await Promise.resolve();

    expect(fake.state.openedExternally).toStrictEqual(['https://attack.mitre.org/']);
    expect(webContents.loaded.slice(1)).toStrictEqual([`${ORIGIN}/incidents/3`]);
  });

  it('applies the guards to every webContents created later, once each', async () => {
    const state = await start(`--appliance-url=${ORIGIN}`);
    const other = new FakeWebContents(new FakeSession());
    state.app.emit('web-contents-created', {}, other);
    state.app.emit('web-contents-created', {}, other);
    expect(other.listeners.get('will-navigate')).toHaveLength(1);
    expect(navigate(other, 'will-navigate', 'https://evil.test/')).toBe(true);
    expect(other.windowOpenHandler?.({ url: ORIGIN })).toStrictEqual({ action: 'deny' });
    expect(other.session.permissionRequestHandler).toBeDefined();
    // The window's own contents are hardened once, although both paths reach them.
    expect(onlyWindow(state).webContents.listeners.get('will-navigate')).toHaveLength(1);
  });

  it('denies permissions except the console clipboard write, and every device', async () => {
    const state = await start(`--appliance-url=${ORIGIN}`);
    const ses = state.defaultSession;
    const request = (permission: string, requestingUrl: string): boolean | undefined => {
      let granted: boolean | undefined;
      ses.permissionRequestHandler?.({}, permission, (value) => (granted = value), {
        requestingUrl,
        isMainFrame: true,
      });
      return granted;
    };
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
      'hid',
    ]) {
      expect(request(permission, `${ORIGIN}/`)).toBe(false);
    }
    expect(request('clipboard-sanitized-write', `${ORIGIN}/agents`)).toBe(true);
    expect(request('clipboard-sanitized-write', 'https://evil.test/')).toBe(false);

    expect(
      ses.permissionCheckHandler?.(null, 'clipboard-sanitized-write', ORIGIN, { isMainFrame: true }),
    ).toBe(true);
    expect(ses.permissionCheckHandler?.(null, 'geolocation', ORIGIN, { isMainFrame: true })).toBe(false);
    expect(ses.permissionCheckHandler?.(null, 'serial', ORIGIN, { isMainFrame: true })).toBe(false);
    expect(
      ses.permissionCheckHandler?.(null, 'clipboard-sanitized-write', ORIGIN, {
        isMainFrame: false,
        embeddingOrigin: 'https://evil.test',
      }),
    ).toBe(false);
    expect(ses.devicePermissionHandler?.({ deviceType: 'usb', origin: ORIGIN })).toBe(false);
  });

  describe('certificate pinning', () => {
    const certificateError = (
      state: FakeElectronState,
      url: string,
      certificate: unknown,
      error?: string,
    ) => {
      let prevented = false;
      const callback = vi.fn<(trusted: boolean) => void>();
      const event = { preventDefault: () => (prevented = true) };
      state.app.emit(
        'certificate-error',
        event,
        {},
        url,
        error ?? OVERRIDABLE_CERTIFICATE_ERROR,
        certificate,
        callback,
        true,
      );
      return { prevented, callback };
    };

    it('trusts the pinned certificate for the console origin only', async () => {
      const state = await start(`--appliance-url=${ORIGIN}`, `--ca-sha256=${certs.sha256.selfSigned}`);
      const pinned = chain(certs.selfSigned);

      const accepted = certificateError(state, `${ORIGIN}/`, pinned);
      expect(accepted.prevented).toBe(true);
      expect(accepted.callback.mock.calls).toStrictEqual([[true]]);

      for (const [url, certificate] of [
        [`${ORIGIN}/`, chain(certs.rogueServer, certs.rogueCa)],
        [`${ORIGIN}/`, chain(certs.server, certs.ca)],
        ['https://evil.test/', pinned],
        ['https://appliance.example:9443/', pinned],
      ] as const) {
        const refused = certificateError(state, url, certificate);
        expect(refused.prevented).toBe(false);
        expect(refused.callback.mock.calls).toStrictEqual([[false]]);
      }
      const revoked = certificateError(state, `${ORIGIN}/`, pinned, 'net::ERR_CERT_REVOKED');
      expect(revoked.callback.mock.calls).toStrictEqual([[false]]);
    });

    it('verifies every request to the appliance host against the pin', async () => {
      const state = await start(`--appliance-url=${ORIGIN}`, `--ca-sha256=${certs.sha256.ca}`);
      const verify = (hostname: string, certificate: { data: string }): number | undefined => {
        let result: number | undefined;
        state.defaultSession.verifyProc?.({ hostname, certificate }, (value) => (result = value));
        return result;
      };
      expect(verify(APPLIANCE_HOST, chain(certs.server, certs.ca))).toBe(VERIFY_ACCEPT);
      expect(verify(APPLIANCE_HOST, chain(certs.rogueServer, certs.ca))).toBe(VERIFY_REJECT);
      expect(verify(APPLIANCE_HOST, chain(certs.rogueServer, certs.rogueCa))).toBe(VERIFY_REJECT);
    });

    it('without a pin trusts no certificate error and leaves verification to Chromium', async () => {
      const state = await start(`--appliance-url=${ORIGIN}`);
      const result = certificateError(state, `${ORIGIN}/`, chain(certs.selfSigned));
      expect(result.prevented).toBe(false);
      expect(result.callback.mock.calls).toStrictEqual([[false]]);
      expect(state.defaultSession.verifyProc).toBeUndefined();
    });
  });

  it('focuses the existing window when started again, and quits when it closes', async () => {
    const state = await start(`--appliance-url=${ORIGIN}`);
    state.app.emit('second-instance', {}, ['--appliance-url=https://evil.test'], '/');
    expect(state.calls).toContain('focus');
    expect(state.windows).toHaveLength(1);
    state.app.emit('window-all-closed');
    expect(state.calls.at(-1)).toBe('quit');
  });

  it('quits without a window when another instance runs', async () => {
    fake.state.singleInstance = false;
    const state = await start(`--appliance-url=${ORIGIN}`);
    expect(state.calls).toStrictEqual(['enableSandbox', 'requestSingleInstanceLock', 'quit']);
    expect(state.windows).toHaveLength(0);
  });

  it('exits with an error box on bad configuration, without opening anything', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const state = await start('--appliance-url=http://appliance.example');
    expect(state.calls).toStrictEqual(['enableSandbox', 'exit 2']);
    expect(state.windows).toHaveLength(0);
    expect(state.errorBoxes).toHaveLength(1);
    expect(state.errorBoxes[0]).toMatch(/--appliance-url must use https/);
    expect(stderr).toHaveBeenCalledWith(expect.stringMatching(/Invalid configuration/));
  });
});
