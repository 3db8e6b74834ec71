// Lower-casing one UTF-16 code unit at a time, exactly as `String.prototype.toLowerCase` does for the code
// units where that is possible without context. The few code units for which it is not (U+0130, which
// lower-cases to two code units; U+03A3, whose lower case depends on its neighbours (final sigma); and
// surrogates, whose lower case depends on their pair) are marked, so a scanner can fall back to
// `toLowerCase()` for the strings that contain them.

/** The mark of a code unit that cannot be lower-cased on its own. */
export const NEEDS_CONTEXT = -1;

let table: Int32Array | undefined;

/**
 * The lower case of every UTF-16 code unit (index: the code unit), or {@link NEEDS_CONTEXT}. Computed once
 * per process (about 10 ms) from the JavaScript engine's own case mapping.
 */
export function lowerCaseTable(): Int32Array {
  if (table) return table;
  const lower = new Int32Array(0x10000);
  for (let unit = 0; unit < 0x10000; unit++) {
    if (unit >= 0xd800 && unit <= 0xdfff) {
      lower[unit] = NEEDS_CONTEXT;
      continue;
    }
    const mapped = String.fromCharCode(unit).toLowerCase();
    lower[unit] = mapped.length === 1 ? mapped.charCodeAt(0) : NEEDS_CONTEXT;
  }
  lower[0x03a3] = NEEDS_CONTEXT; // Σ: σ, or ς at the end of a word
  table = lower;
  return lower;
}
