// The API's feature modules and their controllers: the one list the root module imports and the OpenAPI
// document is built from.
import { ADMIN_CONTROLLERS, AdminModule } from './admin/admin.module.js';
import { ALERTS_CONTROLLERS, AlertsModule } from './alerts/alerts.module.js';
import { AUTH_CONTROLLERS, AuthModule } from './auth/auth.module.js';
import { FLEET_CONTROLLERS, FleetModule } from './fleet/fleet.module.js';
import { TELEMETRY_READ_CONTROLLERS, TelemetryReadModule } from './telemetry-read/telemetry-read.module.js';

export const API_MODULES = [AuthModule, AdminModule, AlertsModule, FleetModule, TelemetryReadModule];

type ControllerClass = abstract new (...args: never[]) => unknown;

/** Every API controller, in a stable order. */
export function apiControllers(): ControllerClass[] {
  return [
    ...AUTH_CONTROLLERS,
    ...ADMIN_CONTROLLERS,
    ...ALERTS_CONTROLLERS,
    ...FLEET_CONTROLLERS,
    ...TELEMETRY_READ_CONTROLLERS,
  ];
}
