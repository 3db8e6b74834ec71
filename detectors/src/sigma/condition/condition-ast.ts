// The syntax tree of a Sigma rule's `condition` (sigma-rules-specification.md, "Condition"): search
// identifiers combined with `and`, `or`, `not`, brackets and the `1 of` / `all of` quantifiers.

/** A search identifier named in the condition: `selection`, `filter_main_sudo`, `keywords.linux`. */
export interface IdentifierNode {
  readonly kind: 'identifier';
  readonly name: string;
  /** 1-based offset of the name in its condition string (for error messages). */
  readonly column: number;
}

/** `not operand`. */
export interface NotNode {
  readonly kind: 'not';
  readonly operand: ConditionNode;
}

/** A chain `a and b and c` (at least two operands, evaluated left to right, stopping at the first false). */
export interface AndNode {
  readonly kind: 'and';
  readonly operands: readonly ConditionNode[];
}

/** A chain `a or b or c` (at least two operands, evaluated left to right, stopping at the first true). */
export interface OrNode {
  readonly kind: 'or';
  readonly operands: readonly ConditionNode[];
}

/**
 * What a quantifier ranges over: `them` (every search identifier not starting with `_`) or a pattern where
 * `*` stands for any number of characters (`selection_*`, `*filter*`; a pattern without `*` names exactly
 * one identifier).
 */
export type QuantifierTarget =
  { readonly kind: 'them' } | { readonly kind: 'pattern'; readonly pattern: string };

/** `1 of X` (`one`: any identifier of X matches) or `all of X` (`all`: every identifier of X matches). */
export interface QuantifierNode {
  readonly kind: 'quantifier';
  readonly quantifier: 'one' | 'all';
  readonly target: QuantifierTarget;
  /** 1-based offset of the quantifier's target in its condition string (for error messages). */
  readonly column: number;
}

/** A parsed condition. A list of conditions (the deprecated list form) parses to an `or` of its items. */
export type ConditionNode = IdentifierNode | NotNode | AndNode | OrNode | QuantifierNode;
