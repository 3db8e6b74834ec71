// The settings view's data, as the control plane's OpenAPI document describes it (generated types only).
import type { paths } from '../api/schema.js';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type Me = Json<paths['/api/auth/me']['get']['responses'][200]>;
export type MySessionPage = Json<paths['/api/auth/sessions']['get']['responses'][200]>;
export type MySession = MySessionPage['items'][number];
export type TotpEnrolment = Json<paths['/api/auth/totp/enroll']['post']['responses'][200]>;
export type UserPage = Json<paths['/api/users']['get']['responses'][200]>;
export type User = UserPage['items'][number];
export type UserStatus = User['status'];
export type Invitation = Json<paths['/api/users']['post']['responses'][201]>;
export type RolePage = Json<paths['/api/roles']['get']['responses'][200]>;
export type Role = RolePage['items'][number];
export type PermissionInfo = Json<paths['/api/permissions']['get']['responses'][200]>['items'][number];

export const USER_STATUSES: UserStatus[] = ['invited', 'active', 'disabled'];
