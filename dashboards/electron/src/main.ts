/**
 * Electron main process of the desktop shell: one sandboxed window on the appliance console, nothing
 * else. All decisions come from policy.ts (pure, unit-tested); this file only wires them to Electron:
 *
 *   app.enableSandbox, single instance lock         every renderer sandboxed, one shell per desktop
 *   BrowserWindow webPreferences                    webPreferences(): isolation on, Node off, no preload
 *   will-navigate / will-frame-navigate / will-redirect   only the console's origin
 *   will-attach-webview                             always refused
 *   setWindowOpenHandler                            never a new window; http(s) links to the OS browser
 *   setPermissionRequestHandler / CheckHandler      everything denied but the console's clipboard write
 *   setDevicePermissionHandler                      no HID / serial / USB device
 *   setCertificateVerifyProc, 'certificate-error'   the pinned appliance certificate (--ca-sha256)
 *   application menu                                no developer tools unless INOSEC_CONSOLE_DEVTOOLS=1
 *   'web-contents-created'                          the guards on every webContents, not just the window
 */
import {
  BrowserWindow,
  Menu,
  app,
  dialog,
  session,
  shell,
  type MenuItemConstructorOptions,
  type Session,
  type WebContents,
} from 'electron';

import { ConsoleConfigError, parseConsoleConfig, type ConsoleConfig } from './config.js';
import {
  certificateVerifier,
  isAllowedNavigation,
  permissionHandler,
  webPreferences,
  windowOpenHandler,
  type CertificateVerifier,
} from './policy.js';

const hardenedContents = new WeakSet<WebContents>();
const hardenedSessions = new WeakSet<Session>();

/** Navigation guards and the window-open policy, applied once per webContents. */
export function hardenWebContents(contents: WebContents, config: ConsoleConfig): void {
  if (hardenedContents.has(contents)) return;
  hardenedContents.add(contents);

  const refuseForeign = (event: { readonly url: string; preventDefault(): void }): void => {
    if (!isAllowedNavigation(event.url, config.origin)) event.preventDefault();
  };
  contents.on('will-navigate', refuseForeign);
  contents.on('will-frame-navigate', refuseForeign);
  contents.on('will-redirect', refuseForeign);
  contents.on('will-attach-webview', (event) => event.preventDefault());

  const decide = windowOpenHandler(config.origin);
  contents.setWindowOpenHandler((details) => {
    const decision = decide(details);
    if (decision.sameWindow !== undefined) {
      contents
        .loadURL(decision.sameWindow)
        .catch((error: unknown) => report('Cannot open console page', error));
    } else if (decision.openExternal !== undefined) {
      shell.openExternal(decision.openExternal).catch((error: unknown) => report('Cannot open link', error));
    }
    return decision.response;
  });

  if (!config.devTools) {
    contents.on('devtools-opened', () => contents.closeDevTools());
  }
}

/** Permission, device and certificate policy, applied once per session. */
export function hardenSession(ses: Session, config: ConsoleConfig, verifier: CertificateVerifier): void {
  if (hardenedSessions.has(ses)) return;
  hardenedSessions.add(ses);

  const allows = permissionHandler(config.origin);
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(allows(permission, { requesting: details.requestingUrl }));
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    allows(permission, { requesting: requestingOrigin, embeddingOrigin: details.embeddingOrigin }),
  );
  ses.setDevicePermissionHandler(() => false);

  if (verifier.pinnedSha256 !== undefined) {
    ses.setCertificateVerifyProc((request, callback) => {
      callback(verifier.verifyProcResult(request.hostname, request.certificate));
    });
  }
}

export function applicationMenu(devTools: boolean): MenuItemConstructorOptions[] {
  const view: MenuItemConstructorOptions[] = [
    { role: 'reload' },
    { type: 'separator' },
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];
  if (devTools) view.push({ type: 'separator' }, { role: 'toggleDevTools' });
  return [
    { label: 'File', submenu: [{ role: 'quit' }] },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    { label: 'View', submenu: view },
    { label: 'Window', submenu: [{ role: 'minimize' }, { role: 'close' }] },
  ];
}

export function createConsoleWindow(config: ConsoleConfig, verifier: CertificateVerifier): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    title: 'InoSec console',
    webPreferences: webPreferences(config.devTools),
  });
  hardenSession(window.webContents.session, config, verifier);
  hardenWebContents(window.webContents, config);
  window.webContents.loadURL(config.url).catch((error: unknown) => {
    report(`Cannot load the console at ${config.origin}`, error);
    dialog.showErrorBox(
      'InoSec console',
      `Cannot load the console at ${config.origin}.\n\n${describe(error)}`,
    );
  });
  return window;
}

/** Registers every app-level handler; the window opens once the app is ready. */
export function startConsoleShell(config: ConsoleConfig): void {
  const verifier = certificateVerifier(config.origin, config.pinnedSha256);
  let window: BrowserWindow | undefined;

  app.on('web-contents-created', (_event, contents) => {
    hardenSession(contents.session, config, verifier);
    hardenWebContents(contents, config);
  });

  app.on('certificate-error', (event, _contents, url, error, certificate, callback) => {
    if (verifier.trustsCertificateError(url, error, certificate)) {
      event.preventDefault();
      callback(true);
    } else {
      callback(false);
    }
  });

  app.on('second-instance', () => {
    if (window === undefined || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  app.on('window-all-closed', () => app.quit());

  app
    .whenReady()
    .then(() => {
      hardenSession(session.defaultSession, config, verifier);
      Menu.setApplicationMenu(Menu.buildFromTemplate(applicationMenu(config.devTools)));
      window = createConsoleWindow(config, verifier);
    })
    .catch((error: unknown) => {
      report('Cannot start the console shell', error);
      app.exit(1);
    });
}

function main(): void {
  // Before anything else, and before 'ready': every renderer, whatever creates it, is sandboxed.
  app.enableSandbox();

  let config: ConsoleConfig;
  try {
    config = parseConsoleConfig(process.argv, process.env);
  } catch (error) {
    if (!(error instanceof ConsoleConfigError)) throw error;
    report('Invalid configuration', error);
    dialog.showErrorBox('InoSec console: invalid configuration', error.message);
    app.exit(2);
    return;
  }

  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  startConsoleShell(config);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function report(what: string, error: unknown): void {
  process.stderr.write(`inosec-console: ${what}: ${describe(error)}\n`);
}

main();
