// Public entry of the log tailer shared by the file-based sensors (authlog, auditd).
export { FileTailer, type FileTailerOptions, type TailLinesHandler, type TailStatus } from './file-tailer.js';
export { LineBuffer, type TakenLines } from './line-buffer.js';
export { loadTailPosition, saveTailPosition, tailStateFileName, type TailPosition } from './tail-state.js';
export { tailPolicyOf, type TailPolicy } from './tail-policy.js';
