// The Sigma condition language: parsing, compiling to an event predicate, and analysis for the loader
// (referenced identifiers) and the engine's prefilter (required selections).
export type {
  AndNode,
  ConditionNode,
  IdentifierNode,
  NotNode,
  OrNode,
  QuantifierNode,
  QuantifierTarget,
} from './condition-ast.js';
export { compileCondition, compileConditionNode } from './condition-compiler.js';
export { CONDITION_KEY } from './condition-errors.js';
export { formatCondition } from './condition-format.js';
export { conditionIdentifiers } from './condition-identifiers.js';
export type { ConditionIdentifiers } from './condition-identifiers.js';
export { MAX_CONDITION_DEPTH, parseCondition, parseConditionItems } from './condition-parser.js';
export type { ParsedConditionItem } from './condition-parser.js';
export { tokenizeCondition } from './condition-tokenizer.js';
export type { ConditionToken } from './condition-tokenizer.js';
export { matchesIdentifierPattern, targetIdentifiers } from './identifier-pattern.js';
export { MAX_ALTERNATIVES, requiredSelections } from './required-selections.js';
