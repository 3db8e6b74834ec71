// Small value helpers of the Sigma views: proto3 cannot tell an unset scalar from its default, so an empty
// string or a zero id means "absent" in a view (undefined: the field does not exist for the rule).

/** A non-empty string, else undefined. */
export function text(value: string | null | undefined): string | undefined {
  return value ? value : undefined;
}

/** A positive number (pids, ports), else undefined. */
export function positive(value: number | null | undefined): number | undefined {
  return value ? value : undefined;
}

/** The base name of a path (`/usr/bin/ls` → `ls`). */
export function baseName(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

/** The shared empty view list of events that feed no log source. */
export const NO_VIEWS: readonly never[] = Object.freeze([]);
