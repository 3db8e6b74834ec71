import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Supervisor } from './supervisor.js';

const logger = pino({ level: 'silent' });

describe('Supervisor', () => {
  it('stops components in reverse start order, once, however often stop is called', async () => {
    const events: string[] = [];
    const supervisor = new Supervisor(logger, 1_000);
    for (const name of ['database', 'pool', 'http']) {
      await supervisor.start(name, async () => {
        events.push(`start ${name}`);
        return { stop: async () => void events.push(`stop ${name}`) };
      });
    }
    await Promise.all([supervisor.stop(), supervisor.stop()]);
    await supervisor.stop();
    expect(events).toEqual([
      'start database',
      'start pool',
      'start http',
      'stop http',
      'stop pool',
      'stop database',
    ]);
  });

  it('goes on stopping the rest when one component fails or hangs', async () => {
    const stopped: string[] = [];
    const supervisor = new Supervisor(logger, 50);
    await supervisor.start('first', async () => ({ stop: async () => void stopped.push('first') }));
    await supervisor.start('hangs', async () => ({ stop: () => new Promise<void>(() => undefined) }));
    await supervisor.start('throws', async () => ({
      stop: async () => {
        throw new Error('boom');
      },
    }));
    await supervisor.stop();
    expect(stopped).toEqual(['first']);
  });

  it('refuses to start a component once stopping', async () => {
    const supervisor = new Supervisor(logger, 50);
    await supervisor.stop();
    await expect(supervisor.start('late', async () => ({ stop: async () => undefined }))).rejects.toThrow(
      /cannot start late: the supervisor is stopping/,
    );
  });
});
