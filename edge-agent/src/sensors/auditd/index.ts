// Public entry of the auditd sensor: the sensor factory and the pure parsers (for benchmarks and reuse).
export { AuditEventAssembler } from './audit-event-assembler.js';
export { AUDITD_SENSOR, mapAuditEvent, type AuditMapOptions } from './audit-event-mapper.js';
export { parseAuditLine, type AuditRecord } from './audit-record-parser.js';
export { createAuditdSensor, DEFAULT_AUDIT_LOG_PATH, type AuditdSensorOptions } from './auditd-sensor.js';
export { parseAuditRecords, type AuditParseResult } from './parse-audit-records.js';
