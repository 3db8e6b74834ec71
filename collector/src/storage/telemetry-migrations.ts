import { fileURLToPath } from 'node:url';
import type { MigrationStream } from '@inosec/protos';

/** The collector's telemetry schema: `collector/migrations/NNNN_name.sql`, the same path from src/ and dist/. */
export const TELEMETRY_MIGRATIONS: MigrationStream = {
  name: 'telemetry',
  dir: fileURLToPath(new URL('../../migrations/', import.meta.url)),
};
