// The fleet's API types, taken from the generated OpenAPI schema (never written by hand).
import type { paths } from '../api/schema.js';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Body<T> = T extends { requestBody: { content: { 'application/json': infer B } } } ? B : never;

export type AgentPage = Json<paths['/api/fleet/agents']['get']['responses'][200]>;
export type Agent = AgentPage['items'][number];
export type AgentQuery = NonNullable<paths['/api/fleet/agents']['get']['parameters']['query']>;
export type AgentDetail = Json<paths['/api/fleet/agents/{id}']['get']['responses'][200]>;
export type AgentStatus = Agent['status'];
export type AgentKind = Agent['kind'];

export type TokenPage = Json<paths['/api/fleet/enrollment-tokens']['get']['responses'][200]>;
export type EnrollmentToken = TokenPage['items'][number];
export type IssuedToken = Json<paths['/api/fleet/enrollment-tokens']['post']['responses'][201]>;
export type CreateTokenBody = Body<paths['/api/fleet/enrollment-tokens']['post']>;

export type GroupPage = Json<paths['/api/fleet/groups']['get']['responses'][200]>;
export type AgentGroup = GroupPage['items'][number];
