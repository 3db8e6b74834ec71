// Public entry of the control plane workspace.
export {
  controlPlaneConfigSchema,
  loadControlPlaneConfig,
  type ControlPlaneConfig,
} from './config/control-plane.config.js';
export {
  applianceConfigSchema,
  loadApplianceConfig,
  type ApplianceConfig,
} from './appliance/appliance.config.js';
export { startAppliance, type RunningAppliance } from './appliance/appliance.js';
export { startControlPlaneServer, type ControlPlaneServer } from './http/control-plane-server.js';
export { CONTROL_PLANE_MIGRATIONS } from './database/migrations.js';
export { VERSION } from './version.js';
export * from './rules/index.js';
