import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canListen, ephemeralLow, freeStablePort } from '../../../functions/local/ports.ts';
import { stablePorts } from '../../../functions/local/runtime.ts';

const held: Server[] = [];
const hold = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      held.push(server);
      resolve(server);
    });
  });

afterEach(async () => {
  for (const s of held.splice(0)) await new Promise((r) => s.close(r));
});

describe('ports a resumed rehearsal can take back', () => {
  it('chooses a free port below the ephemeral range', async () => {
    const low = ephemeralLow();
    for (let i = 0; i < 5; i++) {
      const port = await freeStablePort();
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(low);
      await hold(port); // free when chosen: it can be listened on
    }
  });

  it('says a port that is listened on cannot be taken', async () => {
    const server = await hold(0);
    const port = (server.address() as { port: number }).port;
    expect(await canListen(port)).toBe(false);
    await new Promise((r) => server.close(r));
    held.splice(held.indexOf(server), 1);
    expect(await canListen(port)).toBe(true);
  });

  it("falls back to any free port when the range below the OS's is too small", async () => {
    const port = await freeStablePort(20_100);
    expect(await canListen(port)).toBe(true);
    expect(port < 20_000 || port >= 20_100).toBe(true);
  });

  it("reads the OS's ephemeral range, with Linux's default when it cannot", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ports-test-'));
    try {
      writeFileSync(join(dir, 'range'), '40000\t60999\n');
      expect(ephemeralLow(join(dir, 'range'))).toBe(40_000);
      expect(ephemeralLow(join(dir, 'missing'))).toBe(32_768);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the ports asked for and chooses five different ones for the rest', async () => {
    const ports = await stablePorts({ links: 1234 });
    expect(ports.links).toBe(1234);
    const chosen = [ports.ses, ports.operator, ports.publications, ports.control];
    expect(new Set(chosen).size).toBe(4);
    for (const port of chosen) expect(port).toBeGreaterThanOrEqual(20_000);
  });
});
