// Tenants' own detection rules and rule switches: validation, storage (telemetry.tenant_rules) and the
// service the control plane's API will call.
export {
  RuleValidationError,
  TenantRuleInputError,
  TenantRuleLimitError,
  TenantRuleNotFoundError,
} from './tenant-rule-errors.js';
export {
  MAX_RULE_FILE_BYTES,
  MAX_RULE_FILE_DOCUMENTS,
  catalogueEntry,
  correlationKey,
  shippedRules,
  validateTenantRuleFile,
  type RuleCatalogueEntry,
  type RuleFileProblem,
  type RuleFileValidation,
  type ShippedRules,
  type TenantRuleValidationOptions,
  type UnsupportedRuleProblem,
  type ValidatedRule,
} from './tenant-rule-validation.js';
export {
  CUSTOM_RULE_PREFIX,
  deleteRuleFile,
  listTenantRules,
  putRuleFile,
  setRuleEnabled,
  type InTransaction,
  type TenantRuleRecord,
} from './tenant-rules.repository.js';
export {
  MAX_RULE_FILES_PER_TENANT,
  RULE_FILE_SLUG,
  TenantRulesService,
  type RuleFileUpload,
  type TenantRulesServiceOptions,
} from './tenant-rules.service.js';
