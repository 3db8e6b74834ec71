// Inventory sensor (`inventory`): os, packages, users, services, interfaces and boot time as one snapshot.
export {
  createInventorySensor,
  DEFAULT_INVENTORY_INTERVAL_SECONDS,
  INVENTORY_SENSOR_NAME,
  InventoryConfigError,
  InventorySensor,
  type InventorySensorOptions,
  type SnapshotStats,
} from './inventory-sensor.js';
export { collectInventory, type InventorySource, type InventorySources } from './inventory-collector.js';
export { execRunner, InventoryCommandError, type CommandRunner } from './command-runner.js';
export { osFromRelease, parseOsRelease } from './os-release.js';
export { parseDpkgStatus, parseRpmQuery, RPM_QUERY_FORMAT } from './package-parsers.js';
export {
  buildLocalUsers,
  parseGroup,
  parsePasswd,
  type GroupEntry,
  type PasswdEntry,
} from './account-parsers.js';
export {
  listSystemdServices,
  parseListUnitFiles,
  parseListUnits,
  parseShowMainPids,
  serviceState,
  type UnitRow,
} from './systemd-services.js';
export { ecsMac, interfaceType, listInterfaces } from './network-interfaces.js';
export { DEFAULT_MAX_SNAPSHOT_BYTES, encodedSize, splitSnapshot } from './snapshot-splitter.js';
