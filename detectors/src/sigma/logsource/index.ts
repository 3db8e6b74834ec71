// Public API of the Sigma log-source mapping: which InoSec events feed each Sigma log source, where each
// Sigma field comes from, and the flat Sigma views of an InoSec event (docs/detection-logsources.md).
export {
  isResolved,
  logSourceEntry,
  logSourceKey,
  resolveLogSource,
  unmappedFields,
  type LogSourceQuery,
  type ResolvedLogSource,
  type UnsupportedLogSource,
} from './resolve-logsource.js';
export { toSigmaEvents, type SigmaView } from './sigma-events.js';
export { LOGSOURCE_TABLE, type FieldSource, type LogSourceEntry } from './logsource-table.js';
export { UNSUPPORTED_REASONS, isUnsupportedReason, type UnsupportedReason } from './unsupported-reasons.js';
export { renderLogSourceTable } from './logsource-doc.js';
export { detectionFieldNames } from './detection-fields.js';
