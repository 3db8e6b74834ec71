import { fileURLToPath } from 'node:url';
import type { MigrationStream } from '@inosec/protos';

/** The control plane's business schema: `control-plane/migrations/NNNN_name.sql`, the same path from src/ and dist/. */
export const CONTROL_PLANE_MIGRATIONS: MigrationStream = {
  name: 'control-plane',
  dir: fileURLToPath(new URL('../../migrations/', import.meta.url)),
};
