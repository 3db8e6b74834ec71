import { promises as fsp, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inosec, type IMetric } from '@inosec/protos';
import { afterEach, describe, expect, it } from 'vitest';
import { sensorHarness } from '../../../test/support/sensor-harness.js';
import { selectMounts } from './filesystem-usage.js';
import { HostMetricsCollector, DEFAULT_HOST_METRICS_SETTINGS } from './host-metrics-collector.js';
import {
  createHostMetricsSensor,
  MetricsConfigError,
  resolveMetricsSettings,
} from './host-metrics-sensor.js';

const Kind = inosec.v1.Metric.Kind;

const pick = (ms: readonly IMetric[], name: string, attrs: Record<string, string> = {}): IMetric[] =>
  ms.filter(
    (m) =>
      m.name === name &&
      Object.entries(attrs).every(([k, v]) => m.attributes?.[k] === v) &&
      (Object.keys(attrs).length > 0 || name !== 'system.cpu.utilization' || !m.attributes?.['state']),
  );

describe('HostMetricsSensor on this machine', () => {
  it('emits plausible CPU, load, memory, filesystem, network and uptime metrics with OTel names and units', async () => {
    const { ctx, events, counters } = sensorHarness({ intervalSeconds: 3600 });
    const sensor = createHostMetricsSensor();
    await sensor.start(ctx);
    // burn a little CPU so the interval has ticks to share out
    const until = Date.now() + 120;
    while (Date.now() < until) Math.sqrt(Math.random());
    await sensor.pollOnce();
    await sensor.stop();
    expect(counters.get('metrics.polls')).toBe(1);
    expect(sensor.health().state).toBe('running');
    expect(events.every((e) => e.sensor === 'metrics' && e.metric && (e.timeUnixUs ?? 0) > 0)).toBe(true);
    const ms = events.map((e) => e.metric as IMetric);

    const total = pick(ms, 'system.cpu.utilization');
    expect(total).toHaveLength(1);
    expect(total[0]?.unit).toBe('1');
    expect(total[0]?.kind).toBe(Kind.KIND_GAUGE);
    expect(total[0]?.value).toBeGreaterThan(0);
    expect(total[0]?.value).toBeLessThanOrEqual(1);
    const states = ms.filter((m) => m.name === 'system.cpu.utilization' && m.attributes?.['state']);
    expect(states.map((m) => m.attributes?.['state']).sort()).toEqual([
      'idle',
      'iowait',
      'irq',
      'nice',
      'softirq',
      'steal',
      'system',
      'user',
    ]);
    expect(states.reduce((s, m) => s + (m.value ?? 0), 0)).toBeCloseTo(1, 5);
    const cpuTime = pick(ms, 'system.cpu.time', { state: 'user' })[0];
    expect(cpuTime?.kind).toBe(Kind.KIND_COUNTER);
    expect(cpuTime?.unit).toBe('s');
    const bootUs = (Date.now() - os.uptime() * 1000) * 1000;
    expect(Math.abs((cpuTime?.startTimeUnixUs ?? 0) - bootUs)).toBeLessThan(5_000_000);
    expect(pick(ms, 'system.cpu.logical.count')[0]?.value).toBe(os.cpus().length);

    const load1 = pick(ms, 'system.cpu.load_average.1m')[0];
    expect(load1?.value).toBeCloseTo(os.loadavg()[0] ?? 0, 0);
    expect(load1?.unit).toBe('{thread}');

    expect(pick(ms, 'system.memory.limit')[0]?.value).toBe(os.totalmem());
    const memStates = pick(ms, 'system.memory.usage');
    expect(memStates.every((m) => m.unit === 'By' && (m.value ?? -1) >= 0)).toBe(true);
    expect(memStates.reduce((s, m) => s + (m.value ?? 0), 0)).toBe(os.totalmem());
    expect(pick(ms, 'system.memory.usage', { state: 'free' })[0]?.value).toBeGreaterThan(0);
    const available = pick(ms, 'system.linux.memory.available')[0]?.value ?? 0;
    expect(available).toBeGreaterThan(0);
    expect(available).toBeLessThanOrEqual(os.totalmem());
    expect(pick(ms, 'system.paging.usage')).toHaveLength(2);

    const rootUsed = pick(ms, 'system.filesystem.usage', { mountpoint: '/', state: 'used' })[0];
    const rootFree = pick(ms, 'system.filesystem.usage', { mountpoint: '/', state: 'free' })[0];
    const st = statfsSync('/');
    expect(rootUsed?.unit).toBe('By');
    expect(rootUsed?.value).toBeCloseTo((st.blocks - st.bfree) * st.bsize, -8);
    expect(rootFree?.value).toBeCloseTo(st.bavail * st.bsize, -8);
    expect(rootUsed?.attributes?.['type']).toBeTruthy();
    const util = pick(ms, 'system.filesystem.utilization', { mountpoint: '/' })[0]?.value ?? -1;
    expect(util).toBeGreaterThan(0);
    expect(util).toBeLessThan(1);
    const types = new Set(
      ms.filter((m) => m.name === 'system.filesystem.usage').map((m) => m.attributes?.['type']),
    );
    for (const pseudo of ['tmpfs', 'proc', 'sysfs', 'devtmpfs', 'overlay'])
      expect(types.has(pseudo)).toBe(false);

    const net = ms.filter((m) => m.name === 'system.network.io');
    const devices = new Set(net.map((m) => m.attributes?.['device']));
    expect(devices.has('lo')).toBe(false);
    const procNet = await fsp.readFile('/proc/net/dev', 'utf8');
    const expectedDevices = procNet
      .split('\n')
      .slice(2)
      .map((l) => l.split(':')[0]?.trim())
      .filter((d): d is string => !!d && d !== 'lo');
    expect([...devices].sort()).toEqual(expectedDevices.sort());
    for (const m of net) {
      expect(m.kind).toBe(Kind.KIND_COUNTER);
      expect(['receive', 'transmit']).toContain(m.attributes?.['direction']);
      expect(m.value).toBeGreaterThanOrEqual(0);
    }
    expect(ms.filter((m) => m.name === 'system.network.packets').every((m) => m.unit === '{packet}')).toBe(
      true,
    );
    expect(ms.filter((m) => m.name === 'system.network.io.rate')).toHaveLength(net.length);

    const uptime = pick(ms, 'system.uptime')[0];
    expect(uptime?.unit).toBe('s');
    expect(Math.abs((uptime?.value ?? 0) - os.uptime())).toBeLessThan(5);
  });

  it('counts an unreadable source and goes on', async () => {
    const procRoot = await fsp.mkdtemp(path.join(os.tmpdir(), 'inosec-proc-'));
    try {
      await fsp.writeFile(path.join(procRoot, 'loadavg'), '0.10 0.20 0.30 1/100 42\n');
      await fsp.writeFile(
        path.join(procRoot, 'stat'),
        'cpu  10 0 10 80 0 0 0 0\ncpu0 10 0 10 80 0 0 0 0\nbtime 1700000000\n',
      );
      const errors: string[] = [];
      const c = new HostMetricsCollector(
        { ...DEFAULT_HOST_METRICS_SETTINGS, procRoot, sysRoot: procRoot },
        (s) => errors.push(s),
      );
      c.prime();
      await fsp.writeFile(
        path.join(procRoot, 'stat'),
        'cpu  40 0 20 140 0 0 0 0\ncpu0 40 0 20 140 0 0 0 0\nbtime 1700000000\n',
      );
      const ms = await c.collect();
      expect(pick(ms, 'system.cpu.load_average.15m')[0]?.value).toBe(0.3);
      // user 30 of 100 ticks
      expect(pick(ms, 'system.cpu.utilization', { state: 'user' })[0]?.value).toBeCloseTo(0.3);
      expect(pick(ms, 'system.cpu.time', { state: 'user' })[0]?.startTimeUnixUs).toBe(1_700_000_000_000_000);
      expect(errors.sort()).toEqual(['diskstats', 'meminfo', 'mounts', 'netdev', 'netdev', 'uptime']);
    } finally {
      await fsp.rm(procRoot, { recursive: true, force: true });
    }
  });

  it('validates its options', () => {
    expect(resolveMetricsSettings({ options: { per_cpu: 'true' } }).perCpu).toBe(true);
    expect(() => resolveMetricsSettings({ options: { include_loopback: 'perhaps' } })).toThrow(
      MetricsConfigError,
    );
    expect(() => resolveMetricsSettings({ options: { statfs_timeout_ms: '0' } })).toThrow(MetricsConfigError);
  });

  it('keeps one mount per device and skips pseudo and remote filesystems', () => {
    const mounts = selectMounts(
      [
        { deviceId: '254:0', mountPoint: '/', fsType: 'ext4', source: '/dev/vda' },
        { deviceId: '254:0', mountPoint: '/var/lib/docker', fsType: 'ext4', source: '/dev/vda' },
        { deviceId: '0:23', mountPoint: '/dev/shm', fsType: 'tmpfs', source: 'tmpfs' },
        { deviceId: '0:60', mountPoint: '/mnt/nfs', fsType: 'nfs4', source: 'srv:/x' },
      ],
      { includePseudo: false, includeRemote: false },
    );
    expect(mounts.map((m) => m.mountPoint)).toEqual(['/']);
  });
});

describe('HostMetricsSensor timer', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
  });

  it('polls on its interval until the agent aborts', async () => {
    const { ctx, counters, controller } = sensorHarness({ intervalSeconds: 1 });
    const sensor = createHostMetricsSensor();
    stop = () => sensor.stop();
    await sensor.start(ctx);
    await new Promise((r) => setTimeout(r, 1150));
    expect(counters.get('metrics.polls')).toBe(1);
    controller.abort();
    await sensor.stop();
    await new Promise((r) => setTimeout(r, 1000));
    expect(counters.get('metrics.polls')).toBe(1);
  });
});
