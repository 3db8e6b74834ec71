/**
 * Security policy of the desktop shell, as pure functions (no electron import at run time) so it is
 * unit-tested without launching Electron. main.ts wires each of them to the matching Electron hook.
 * Follows https://www.electronjs.org/docs/latest/tutorial/security.
 */
import type { WebPreferences } from 'electron';

export { certificateVerifier, type CertificateVerifier, type PemCertificate } from './certificate-pin.js';

/** The web permissions the console may use, all others are denied. It copies install commands. */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/** Schemes the OS browser may be asked to open; never file:, custom or OS-handler schemes. */
const EXTERNAL_SCHEMES: ReadonlySet<string> = new Set(['https:', 'http:']);

/**
 * The renderer's settings: isolated, sandboxed, no Node, no webview, no preload (the console needs
 * none). Developer tools only when asked for (INOSEC_CONSOLE_DEVTOOLS=1).
 */
export function webPreferences(devTools = false) {
  return {
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
    devTools,
  } as const satisfies WebPreferences;
}

/**
 * The origin of `origin` (which may be a URL) in the WHATWG serialisation, for exact comparison.
 * Throws on anything without a tuple origin (opaque: data:, file:, about:, garbage).
 */
export function normalizeOrigin(origin: string): string {
  const url = new URL(origin);
  if (url.origin === 'null') throw new TypeError(`not an origin: ${origin}`);
  return url.origin;
}

/**
 * Whether a frame may navigate (or be redirected) to `url`: only absolute http(s) URLs, or blob:
 * URLs the console itself minted, whose origin is exactly `origin` (scheme, host and port), without
 * user:password@. Relative, javascript:, data:, file:, about: and unparsable URLs are refused.
 */
export function isAllowedNavigation(url: string, origin: string): boolean {
  const target = parse(url);
  if (target === undefined || !sameOrigin(target, origin)) return false;
  return EXTERNAL_SCHEMES.has(target.protocol) || target.protocol === 'blob:';
}

/**
 * The URL to hand to the OS browser (`shell.openExternal`) for a link that leaves the console, or
 * undefined when it must not leave the shell: only absolute http(s) URLs without credentials.
 */
export function externalLinkTarget(url: string): string | undefined {
  const target = parse(url);
  if (target === undefined || !EXTERNAL_SCHEMES.has(target.protocol)) return undefined;
  if (target.username !== '' || target.password !== '' || target.hostname === '') return undefined;
  return target.href;
}

export interface WindowOpenDecision {
  /** What `setWindowOpenHandler` returns: the shell never opens a second window. */
  readonly response: { readonly action: 'deny' };
  /** A console page asked for in a new window: shown in the console's window instead. */
  readonly sameWindow?: string;
  /** A link leaving the console: handed to the OS browser. */
  readonly openExternal?: string;
}

const DENY = { action: 'deny' } as const;

/**
 * For `webContents.setWindowOpenHandler`: every `window.open` / `target=_blank` is denied; a console
 * page is loaded in the console's window, an http(s) link elsewhere goes to the OS browser, anything
 * else (javascript:, file:, custom schemes, credentials) is dropped.
 */
export function windowOpenHandler(origin: string): (details: { readonly url: string }) => WindowOpenDecision {
  const consoleOrigin = normalizeOrigin(origin);
  return ({ url }) => {
    const target = parse(url);
    if (
      target !== undefined &&
      EXTERNAL_SCHEMES.has(target.protocol) &&
      isAllowedNavigation(url, consoleOrigin)
    ) {
      return { response: DENY, sameWindow: target.href };
    }
    const external = externalLinkTarget(url);
    return external === undefined ? { response: DENY } : { response: DENY, openExternal: external };
  };
}

export interface PermissionContext {
  /** The URL (request handler: `details.requestingUrl`) or origin (check handler) asking. */
  readonly requesting: string | undefined;
  /** For a cross-origin subframe, the origin embedding it (check handler's `embeddingOrigin`). */
  readonly embeddingOrigin?: string | undefined;
}

/**
 * For `session.setPermissionRequestHandler` and `setPermissionCheckHandler`: every permission
 * (camera, microphone, geolocation, notifications, HID, serial, USB, clipboard-read, fullscreen,
 * openExternal, …) is denied, except `clipboard-sanitized-write` asked by the console's own origin.
 */
export function permissionHandler(
  origin: string,
): (permission: string, context: PermissionContext) => boolean {
  const consoleOrigin = normalizeOrigin(origin);
  return (permission, { requesting, embeddingOrigin }) => {
    if (!ALLOWED_PERMISSIONS.has(permission) || requesting === undefined) return false;
    const requester = parse(requesting);
    if (requester === undefined || !sameOrigin(requester, consoleOrigin)) return false;
    if (embeddingOrigin === undefined) return true;
    const embedder = parse(embeddingOrigin);
    return embedder !== undefined && sameOrigin(embedder, consoleOrigin);
  };
}

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function sameOrigin(target: URL, origin: string): boolean {
  if (target.username !== '' || target.password !== '') return false;
  let expected: string;
  try {
    expected = normalizeOrigin(origin);
  } catch {
    return false;
  }
  return target.origin !== 'null' && target.origin === expected;
}
