import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { randomInt } from 'node:crypto';

/** Asks the OS for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}

/** Whether a loopback listener can take `port` now. */
export function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.on('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const STABLE_FROM = 20_000;

/** The first port of the range the OS hands out for port-0 listeners and outgoing connections. */
export function ephemeralLow(path = '/proc/sys/net/ipv4/ip_local_port_range'): number {
  try {
    const low = Number(readFileSync(path, 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32_768;
  } catch {
    return 32_768; // Linux's default
  }
}

/**
 * A free loopback port for a listener that must get the same port again later.
 * A resumed rehearsal listens on its old ports, since the links in the emails it
 * sent point there. A port in the ephemeral range can be taken by any process in
 * the seconds between a kill and the resume, by an outgoing connection or a
 * port-0 listener (EADDRINUSE seen in the crash test under load); one below that
 * range only by a process that asks for it by number. Falls back to any free
 * port when that range is small or full.
 */
export async function freeStablePort(low = ephemeralLow()): Promise<number> {
  if (low - STABLE_FROM >= 1_000) {
    for (let tries = 0; tries < 50; tries++) {
      const port = randomInt(STABLE_FROM, low);
      if (await canListen(port)) return port;
    }
  }
  return freePort();
}
