import { describe, expect, it } from 'vitest';
import { createShutdown } from '../../../functions/local/process.ts';

describe('createShutdown', () => {
  it('runs cleanups once, in reverse order, and reports failures without stopping', async () => {
    const order: string[] = [];
    const errors: string[] = [];
    const shutdown = createShutdown({ signals: [], onError: (name) => errors.push(name) });
    shutdown.add('dynamodb', () => void order.push('dynamodb'));
    shutdown.add('ses', async () => {
      order.push('ses');
      throw new Error('boom');
    });
    const unregister = shutdown.add('forgotten', () => void order.push('forgotten'));
    shutdown.add('workflow', () => void order.push('workflow'));
    unregister();

    await Promise.all([shutdown.run(), shutdown.run()]);
    await shutdown.run();
    expect(order).toEqual(['workflow', 'ses', 'dynamodb']);
    expect(errors).toEqual(['ses']);
    expect(shutdown.signal.aborted).toBe(true);
  });

  it('cleans up on a signal', async () => {
    // SIGUSR2 rather than SIGINT: the test runner may listen for SIGINT itself.
    const shutdown = createShutdown({ signals: ['SIGUSR2'], exitOnSignal: false });
    let stopped = false;
    shutdown.add('server', () => {
      stopped = true;
    });
    process.emit('SIGUSR2', 'SIGUSR2');
    await shutdown.run();
    expect(stopped).toBe(true);
    shutdown.dispose();
  });

  it('stops at once what is registered after shutdown', async () => {
    const shutdown = createShutdown({ signals: [] });
    await shutdown.run();
    let stopped = false;
    shutdown.add('late', () => {
      stopped = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(true);
    shutdown.dispose();
  });
});
