// The value modifiers of sigma-appendix-modifiers.md (v2.1), plus the long aliases pySigma accepts for the
// regular-expression flags. The loader only checks that a modifier exists; what it means (and which
// combinations make sense) is the detection-item compiler's job.

/** Every modifier name a detection key may carry after `|`. */
export const SIGMA_MODIFIERS: ReadonlySet<string> = new Set([
  // generic
  'all',
  'startswith',
  'endswith',
  'contains',
  'exists',
  'cased',
  'neq',
  // string
  'windash',
  're',
  // encoding
  'base64',
  'base64offset',
  'utf16le',
  'utf16be',
  'utf16',
  'wide',
  // numeric
  'lt',
  'lte',
  'gt',
  'gte',
  // time
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'year',
  // ip
  'cidr',
  // specific
  'expand',
  'fieldref',
  // `re` flags (short and pySigma's long spellings)
  ...['i', 'm', 's', 'ignorecase', 'multiline', 'dotall'],
]);

/** The sub-modifiers that are only meaningful after `re`. */
export const REGEX_FLAG_MODIFIERS: ReadonlySet<string> = new Set([
  'i',
  'm',
  's',
  'ignorecase',
  'multiline',
  'dotall',
]);
