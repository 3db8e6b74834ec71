import type { paths } from '../api/schema.js';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type AlertPage = Json<paths['/api/alerts']['get']['responses'][200]>;
export type AlertItem = AlertPage['items'][number];
export type AlertCounts = Json<paths['/api/alerts/counts']['get']['responses'][200]>;
export type AlertDetail = Json<paths['/api/alerts/{id}']['get']['responses'][200]>;
export type CloseReason = NonNullable<AlertItem['closeReason']>;
export const CLOSE_REASONS: CloseReason[] = [
  'true_positive',
  'false_positive',
  'benign',
  'duplicate',
  'other',
];
