// The rules API's shapes, taken from the generated OpenAPI types (never written by hand).
import type { paths } from '../api/schema.js';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type RuleCatalogue = Json<paths['/api/rules']['get']['responses'][200]>;
export type RuleItem = RuleCatalogue['items'][number];
export type RuleFileSummary = RuleCatalogue['files'][number];
export type RuleFile = Json<paths['/api/rules/files/{slug}']['get']['responses'][200]>;
export type UploadBody = NonNullable<
  paths['/api/rules/files']['post']['requestBody']
>['content']['application/json'];
export type UploadResult = Json<paths['/api/rules/files']['post']['responses'][200]>;
export type SwitchBody = NonNullable<
  paths['/api/rules/switch']['post']['requestBody']
>['content']['application/json'];
