/**
 * Control of a running local runtime: moving its virtual clock by hand (in an
 * interactive rehearsal) and asking where it is. One implementation, two doors:
 * the dashboard (in-process, through the operators' ClockControlPort) and a small
 * loopback HTTP endpoint for other processes (`inkoop clock …`), whose URL and
 * random secret are in `<data>/runtime.json` (mode 0600).
 *
 * Moving the clock by hand never jumps past work: the clock is moved from one
 * wake-up to the next (workflow waits, simulated actions, the email schedule),
 * and after each the controller waits until whatever woke has run and is
 * waiting again (VirtualTimeDriver.settled).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { isoAt, type VirtualClock } from '../commons/clock.ts';
import { ConflictError, ValidationError, isDomainError } from '../commons/errors.ts';
import type { ExecutionStarter } from '../cycles/executions.ts';
import type { ClockControlPort } from '../operators/ports.ts';
import type { ClockMode, VirtualTimeDriver } from './virtual-time.ts';

export interface ClockController extends ClockControlPort {
  readonly clock: VirtualClock;
  mode(): ClockMode;
  setMode(mode: ClockMode): void;
  /** Moves the clock to `target` (epoch ms), through every wake-up before it. Interactive mode only. */
  advanceTo(target: number): Promise<{ from: number; to: number }>;
  /** Moves the clock to the next milestone step; undefined when none is left. Interactive mode only. */
  advanceToNextMilestone(): Promise<{ from: number; to: number } | undefined>;
}

export interface ClockControllerDeps {
  clock: VirtualClock;
  driver: VirtualTimeDriver;
  /** When the next milestone step runs (epoch ms), if one is left. */
  nextMilestone(): number | undefined;
}

export function createClockController({ clock, driver, nextMilestone }: ClockControllerDeps): ClockController {
  // One move at a time: a second request waits for the first.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };
  const interactive = (): boolean => driver.mode === 'interactive';
  const assertInteractive = (): void => {
    if (!interactive()) {
      throw new ConflictError('The clock moves by itself in this rehearsal; only an --interactive rehearsal is moved by hand');
    }
  };

  const moveTo = async (target: number): Promise<{ from: number; to: number }> => {
    const from = clock.now();
    await driver.settled();
    for (;;) {
      const next = driver.nextWakeUp();
      if (next === undefined || next > target) break;
      clock.advanceTo(next);
      await driver.settled();
    }
    clock.advanceTo(target);
    await driver.settled();
    return { from, to: clock.now() };
  };

  const advanceTo = (target: number) =>
    serial(async () => {
      assertInteractive();
      if (!Number.isFinite(target)) throw new ValidationError('Not an instant to move the clock to');
      if (target < clock.now()) {
        throw new ValidationError(`The clock is at ${new Date(clock.now()).toISOString()}; it never moves back`);
      }
      return moveTo(target);
    });

  const advanceToNextMilestone = () =>
    serial(async () => {
      assertInteractive();
      const target = nextMilestone();
      if (target === undefined) return undefined;
      return moveTo(Math.max(target, clock.now()));
    });

  return {
    clock,
    mode: () => driver.mode,
    setMode: (mode) => driver.setMode(mode),
    interactive,
    nextWakeUp: () => nextMilestone() ?? driver.nextWakeUp(),
    advanceTo,
    advanceToNextMilestone,
    advanceToNext: () => advanceToNextMilestone(),
  };
}

// ---------------------------------------------------------------- the loopback endpoint

export interface ControlServerOptions {
  controller: ClockController;
  /** Starts workflow executions for other processes (`inkoop milestone retry`, `inkoop cycle start`). */
  executions?: ExecutionStarter;
  /** What `GET /status` answers besides the clock. */
  status?: () => Promise<Record<string, unknown>> | Record<string, unknown>;
  port?: number;
}

export interface ControlServer {
  url: string;
  /** Every request carries it as `Authorization: Bearer <secret>`. */
  secret: string;
  close(): Promise<void>;
}

const advanceBody = z.union([
  z.object({ to: z.string().min(1) }).strict(),
  z.object({ nextMilestone: z.literal(true) }).strict(),
]);
const executionBody = z.object({ cycleId: z.string().min(1), name: z.string().min(1).max(80) }).strict();
const modeBody = z.object({
  mode: z.union([z.literal('fast'), z.literal('interactive'), z.object({ daysPerSecond: z.number().positive() })]),
});

/** "2020-09-01" (start of that day, Europe/Amsterdam), or an ISO instant. */
export function parseInstant(text: string): number {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? localMidnight(text) : Date.parse(text);
  if (!Number.isFinite(date)) throw new ValidationError(`Not a date or instant: ${text}`, [{ path: 'to', message: 'expected YYYY-MM-DD or an ISO instant' }]);
  return date;
}

function localMidnight(date: string): number {
  // Europe/Amsterdam is UTC+1 or UTC+2: try both and keep the one that is midnight there.
  for (const offset of ['+02:00', '+01:00']) {
    const t = Date.parse(`${date}T00:00:00${offset}`);
    const hour = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Amsterdam', hour: '2-digit', hourCycle: 'h23' }).format(t);
    if (hour === '00') return t;
  }
  return NaN;
}

const MAX_BODY = 64 * 1024;

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const secret = randomBytes(32).toString('base64url');
  const expected = Buffer.from(`Bearer ${secret}`);
  const { controller } = options;

  const clockView = () => ({
    now: new Date(controller.clock.now()).toISOString(),
    mode: controller.mode(),
    nextWakeUp: isoOrNull(controller.nextWakeUp()),
  });

  const route = async (req: IncomingMessage, body: unknown): Promise<[number, unknown]> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/status') {
      return [200, { clock: clockView(), ...(options.status ? await options.status() : {}) }];
    }
    if (req.method === 'POST' && path === '/clock/advance') {
      const parsed = advanceBody.safeParse(body);
      if (!parsed.success) return [400, { error: 'ValidationError', message: 'send {"to": "<date or instant>"} or {"nextMilestone": true}' }];
      const moved = 'to' in parsed.data ? await controller.advanceTo(parseInstant(parsed.data.to)) : await controller.advanceToNextMilestone();
      return [200, { moved: moved ? { from: isoOrNull(moved.from), to: isoOrNull(moved.to) } : null, clock: clockView() }];
    }
    if (req.method === 'POST' && path === '/executions' && options.executions) {
      const parsed = executionBody.safeParse(body);
      if (!parsed.success) return [400, { error: 'ValidationError', message: 'send {"cycleId": "…", "name": "…"}' }];
      return [200, await options.executions.startExecution(parsed.data)];
    }
    if (req.method === 'POST' && path === '/clock/mode') {
      const parsed = modeBody.safeParse(body);
      if (!parsed.success) return [400, { error: 'ValidationError', message: 'send {"mode": "fast" | "interactive" | {"daysPerSecond": n}}' }];
      controller.setMode(parsed.data.mode);
      return [200, { clock: clockView() }];
    }
    return [404, { error: 'NotFound', message: `no ${req.method} ${path}` }];
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const send = (status: number, payload: unknown): void => {
      const text = JSON.stringify(payload);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    const auth = Buffer.from(req.headers.authorization ?? '');
    if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) {
      req.resume();
      return send(401, { error: 'Unauthorized', message: 'missing or wrong control secret (see runtime.json)' });
    }
    try {
      const text = await readBody(req);
      const body = text ? (JSON.parse(text) as unknown) : {};
      const [status, payload] = await route(req, body);
      send(status, payload);
    } catch (error) {
      if (isDomainError(error)) send(error.httpStatus, { error: error.name, message: error.message });
      else if (error instanceof SyntaxError) send(400, { error: 'ValidationError', message: 'the body is not JSON' });
      else send(500, { error: 'InternalError', message: (error as Error)?.message ?? String(error) });
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    secret,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new ValidationError('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const isoOrNull = (ms: number | undefined): string | null => (ms === undefined ? null : isoAt(ms));
