// Permissions are resource:action strings; roles group them per tenant; users hold roles. The catalogue is
// closed: a role may only list permissions from it (the roles API validates), and every route names one.

/** Every permission, with what it allows. */
export const PERMISSIONS = {
  'alerts:read': 'list and read alerts and their events',
  'alerts:write': 'assign, acknowledge, close and suppress alerts',
  'incidents:read': 'list and read incidents',
  'incidents:write': 'create incidents, add alerts and notes, change their status',
  'rules:read': 'list detection rules and their switches',
  'rules:write': "enable and disable rules, upload and delete the tenant's own rules",
  'telemetry:read': 'hunt over stored telemetry',
  'fleet:read': 'list agents, groups, policies and enrollment tokens',
  'fleet:write': 'create enrollment tokens, edit groups and policies, revoke agents',
  'users:read': 'list users and their roles',
  'users:write': 'invite, disable and delete users, grant and revoke roles, end their sessions',
  'roles:read': 'list roles and their permissions',
  'roles:write': 'create, change and delete roles',
  'audit:read': 'read and export the audit log',
  'tenant:read': "read the tenant's settings",
  'tenant:write': "change the tenant's settings",
} as const;

export type Permission = keyof typeof PERMISSIONS;

export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(PERMISSIONS, value);
}

/** The roles every tenant starts with (builtin: they cannot be renamed or deleted, only granted). */
export const BUILTIN_ROLES: ReadonlyArray<{ name: string; description: string; permissions: Permission[] }> =
  [
    { name: 'admin', description: 'Tenant administrator: every permission', permissions: ALL_PERMISSIONS },
    {
      name: 'analyst',
      description: 'SOC analyst: triage alerts and incidents, hunt, read rules and the fleet',
      permissions: [
        'alerts:read',
        'alerts:write',
        'incidents:read',
        'incidents:write',
        'rules:read',
        'telemetry:read',
        'fleet:read',
        'tenant:read',
      ],
    },
    {
      name: 'fleet-operator',
      description: 'IT/OT operator: enroll and manage agents and their policies',
      permissions: ['fleet:read', 'fleet:write', 'alerts:read', 'tenant:read'],
    },
    {
      name: 'viewer',
      description: 'Read-only: alerts, incidents, rules and the fleet',
      permissions: ['alerts:read', 'incidents:read', 'rules:read', 'fleet:read', 'tenant:read'],
    },
  ];
