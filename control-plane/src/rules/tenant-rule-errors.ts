// The errors of tenant rule management: a refused rule file (with the validation that says why), bad input
// (slug, tenant id, rule key), a limit reached, and a rule or file that does not exist.
import { InosecError } from '@inosec/protos';
import type { RuleFileValidation } from './tenant-rule-validation.js';

/** A rule file that did not validate; nothing was stored. `validation` lists every problem. */
export class RuleValidationError extends InosecError {
  constructor(
    readonly ruleKey: string,
    readonly validation: RuleFileValidation,
  ) {
    const problems = validation.errors.length + validation.unsupported.length;
    const first = validation.errors[0]?.message ?? validation.unsupported[0]?.message ?? 'no rule loaded';
    super(
      'tenant_rule_invalid',
      `rule file ${ruleKey} was refused (${problems} problem${problems === 1 ? '' : 's'}): ${first}`,
    );
  }
}

/** A malformed argument: a slug, tenant id or rule key that cannot be right. */
export class TenantRuleInputError extends InosecError {
  constructor(
    readonly field: 'tenantId' | 'slug' | 'ruleKey',
    message: string,
  ) {
    super('tenant_rule_input_invalid', message);
  }
}

/** A tenant already holds the most rule files allowed. */
export class TenantRuleLimitError extends InosecError {
  constructor(message: string) {
    super('tenant_rule_limit', message);
  }
}

/** No such rule (switching off a key no rule has) or rule file (of this tenant). */
export class TenantRuleNotFoundError extends InosecError {
  constructor(
    readonly ruleKey: string,
    message: string,
  ) {
    super('tenant_rule_not_found', message);
  }
}
