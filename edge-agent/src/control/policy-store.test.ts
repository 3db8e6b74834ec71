import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inosec, Policy } from '@inosec/protos';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../agent/default-policy.js';
import { policyToJson } from './policy-store.js';

const Sensor = inosec.v1.Sensor;
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('policyToJson', () => {
  it('is read back by loadPolicyFile with exactly the sensors the signed policy turns on', async () => {
    const policy = Policy.create({
      version: 12,
      agentId: 'agent-1',
      sensors: [
        { sensor: Sensor.SENSOR_PROCESS, enabled: true, intervalSeconds: 3 },
        { sensor: Sensor.SENSOR_FILE_INTEGRITY, enabled: true, paths: ['/etc'], options: { hash: 'sha256' } },
      ],
      batchMaxEvents: 500,
      heartbeatIntervalSeconds: 30,
    });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-policy-'));
    dirs.push(dir);
    const file = path.join(dir, 'policy.json');
    await writeFile(file, JSON.stringify(policyToJson(policy)));
    const loaded = await loadPolicyFile(file);
    expect(Number(loaded.version)).toBe(12);
    expect(loaded.batchMaxEvents).toBe(500);
    expect(loaded.heartbeatIntervalSeconds).toBe(30);
    const on = (loaded.sensors ?? []).filter((s) => s.enabled).map((s) => s.sensor);
    expect(on).toEqual([Sensor.SENSOR_PROCESS, Sensor.SENSOR_FILE_INTEGRITY]);
    // Every other sensor is listed as off, so the default policy does not turn it on.
    expect(loaded.sensors).toHaveLength(
      Object.values(Sensor).filter((v) => typeof v === 'number').length - 1,
    );
    const fim = loaded.sensors?.find((s) => s.sensor === Sensor.SENSOR_FILE_INTEGRITY);
    expect(fim?.paths).toEqual(['/etc']);
    expect(fim?.options).toEqual({ hash: 'sha256' });
  });
});
