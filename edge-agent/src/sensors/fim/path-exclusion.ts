import path from 'node:path';

/**
 * Compiles `exclude_paths` into one predicate. A pattern is "glob-ish":
 * - without a `/` it matches a base name anywhere (`*.swp`, `.#*`, `lost+found`);
 * - with a `/` it matches a path or any path below it (a prefix at a path boundary): `/etc/ssl/certs`
 *   excludes the directory and everything under it, `/etc/*.d/README` the READMEs of every `*.d` directory.
 * `*` matches within one path segment, `**` across segments, `?` one character other than `/`.
 */
export function compileExclusions(patterns: readonly string[]): (filePath: string) => boolean {
  const baseNameRes: RegExp[] = [];
  const pathRes: RegExp[] = [];
  for (const raw of patterns) {
    const pattern = raw.trim();
    if (pattern === '') continue;
    if (pattern.includes('/')) {
      const normalised = pattern.length > 1 ? pattern.replace(/\/+$/, '') : pattern;
      pathRes.push(new RegExp(`^${globToRegexSource(normalised)}(?:/.*)?$`, 's'));
    } else {
      baseNameRes.push(new RegExp(`^${globToRegexSource(pattern)}$`, 's'));
    }
  }
  if (baseNameRes.length === 0 && pathRes.length === 0) return () => false;
  return (filePath: string): boolean => {
    for (const re of pathRes) if (re.test(filePath)) return true;
    if (baseNameRes.length > 0) {
      const base = path.posix.basename(filePath);
      for (const re of baseNameRes) if (re.test(base)) return true;
    }
    return false;
  };
}

/** Translates one glob into a regular-expression source (no anchors). */
export function globToRegexSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '*') {
      if (glob[i + 1] === '*') {
        out += '.*';
        i++;
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else {
      out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return out;
}

/** True when `child` is `parent` or lies below it (plain path prefix at a `/` boundary). */
export function isSameOrBelow(child: string, parent: string): boolean {
  if (child === parent) return true;
  const prefix = parent.endsWith('/') ? parent : `${parent}/`;
  return child.startsWith(prefix);
}

/** Number of path segments `child` lies below `parent` (0 for the same path); assumes isSameOrBelow. */
export function depthBelow(child: string, parent: string): number {
  if (child === parent) return 0;
  const rest = child.slice(parent.endsWith('/') ? parent.length : parent.length + 1);
  let depth = 1;
  for (let i = 0; i < rest.length; i++) if (rest.charCodeAt(i) === 47) depth++;
  return depth;
}
