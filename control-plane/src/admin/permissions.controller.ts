import { Controller } from '@nestjs/common';
import { z } from 'zod';
import { PERMISSIONS, type Permission } from '../auth/permissions.js';
import { Endpoint } from '../http/endpoint.js';

const catalogue = z.object({
  items: z.array(z.object({ name: z.string(), description: z.string() })),
});

/** The closed permission catalogue roles are built from. */
@Controller('api/permissions')
export class PermissionsController {
  @Endpoint({
    method: 'GET',
    path: '',
    operationId: 'listPermissions',
    summary: 'The permission catalogue, with what each permission allows',
    tags: ['roles'],
    access: 'roles:read',
    responses: { 200: { description: 'Every permission', schema: catalogue } },
  })
  list(): { items: Array<{ name: Permission; description: string }> } {
    return {
      items: (Object.entries(PERMISSIONS) as Array<[Permission, string]>).map(([name, description]) => ({
        name,
        description,
      })),
    };
  }
}
