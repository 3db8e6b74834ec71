// Host metrics sensor (`metrics`): CPU, load, memory, swap, filesystems, network, disks, uptime from /proc.
export {
  createHostMetricsSensor,
  DEFAULT_METRICS_INTERVAL_SECONDS,
  HostMetricsSensor,
  METRICS_SENSOR_NAME,
  MetricsConfigError,
  resolveMetricsSettings,
  type HostMetricsSensorOptions,
} from './host-metrics-sensor.js';
export {
  DEFAULT_HOST_METRICS_SETTINGS,
  HostMetricsCollector,
  type HostMetricsSettings,
  type MetricsSource,
} from './host-metrics-collector.js';
export {
  PSEUDO_FS_TYPES,
  REMOTE_FS_TYPES,
  selectMounts,
  statFilesystem,
  type FsUsage,
} from './filesystem-usage.js';
export {
  cpuTotal,
  cpuUtilization,
  parseDiskstats,
  parseLoadavg,
  parseMeminfo,
  parseMountinfo,
  parseNetDev,
  parseProcStat,
  parseUptime,
  type CpuTimes,
  type DiskCounters,
  type MountEntry,
  type NetDevCounters,
  type ProcStat,
} from './proc-parsers.js';
