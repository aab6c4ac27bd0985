/**
 * `npm run bench:links [-- --seconds 10 --concurrency 100 --burst 80 --rounds 3 --mix 2000]`:
 * the provider pages under load, on the local link server exactly as the
 * runtime serves them (functions/local/runtime-services.ts serveProviderLinks:
 * Node's http server, the payload-2.0 event, the link app run as the deployed
 * function) over DynamoDB Local on a working copy in /dev/shm, as `npm start` has it.
 *
 * Phases, each printed with requests/s, p50, p99 and the statuses:
 *   GET        `--concurrency` requests in flight for `--seconds`, over every provider's proposal link;
 *   POST burst `--burst` valid proposals posted at once, each on its own link, `--rounds` times;
 *   mix        `--mix` requests at `--concurrency` in flight: 70% GET, 20% valid POST (each link
 *              once), 10% invalid POST (the form again with its errors, nothing written).
 * Then it checks what the posts did: every valid post moved its application
 * exactly once and queued exactly one confirmation; no invalid post wrote anything.
 *
 * The load comes from a child process (its CPU is not the server's); the CPU of
 * the server process and of DynamoDB Local's JVM is printed per phase.
 * A script, not a timed test: the numbers depend on the machine (`uptime`).
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request, Agent } from 'node:http';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureTable } from '../functions/local/dynamodb-local.ts';
import { startRuntimeDatabase } from '../functions/local/runtime-database.ts';
import { serveProviderLinks } from '../functions/local/runtime-services.ts';
import { logger } from '../functions/commons/logger.ts';
import { DEFAULT_TABLE_NAME } from '../functions/store/table.ts';
import { createHarness, form, keys, pathOf } from '../test/integration/links/harness.ts';

interface Req {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  /** What the page must answer. */
  expect: number;
}

interface PhaseResult {
  requests: number;
  wallMs: number;
  latencies: number[];
  statuses: Record<number, number>;
  unexpected: number;
}

// ------------------------------------------------------------------ the load generator (child process)

async function loadGenerator(): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const send = (base: string, r: Req): Promise<number> =>
    new Promise((resolve, reject) => {
      const body = r.body === undefined ? undefined : Buffer.from(r.body);
      const req = request(
        `${base}${r.path}`,
        {
          method: r.method,
          agent,
          headers: body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length } : {},
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  process.on('message', async (msg: { base: string; requests: Req[]; concurrency: number; seconds?: number }) => {
    const { base, requests, concurrency, seconds } = msg;
    const latencies: number[] = [];
    const statuses: Record<number, number> = {};
    let unexpected = 0;
    let next = 0;
    const start = performance.now();
    const until = seconds === undefined ? Infinity : start + seconds * 1000;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, requests.length) }, async () => {
        for (;;) {
          // Timed phases cycle over the requests (GETs act on nothing); counted ones take each once.
          if (seconds === undefined ? next >= requests.length : performance.now() >= until) return;
          const r = requests[next++ % requests.length];
          const t0 = performance.now();
          const status = await send(base, r).catch(() => 0);
          latencies.push(performance.now() - t0);
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status !== r.expect) unexpected++;
        }
      }),
    );
    const result: PhaseResult = { requests: latencies.length, wallMs: performance.now() - start, latencies, statuses, unexpected };
    process.send!(result);
  });
}

// ------------------------------------------------------------------ the server and the measurement

function jvmCpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10; // clock ticks of 10 ms
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      concurrency: { type: 'string', default: '100' },
      burst: { type: 'string', default: '80' },
      rounds: { type: 'string', default: '3' },
      mix: { type: 'string', default: '2000' },
      'get-links': { type: 'string', default: '200' },
    },
  });
  const seconds = Number(values.seconds);
  const concurrency = Number(values.concurrency);
  const burst = Number(values.burst);
  const rounds = Number(values.rounds);
  const mix = Number(values.mix);
  const getLinks = Number(values['get-links']);
  if (!process.env.LOG_LEVEL) logger.setLogLevel('WARN'); // as the runtime runs them

  const db = await startRuntimeDatabase({});
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-links-'));
  const child = fork(new URL(import.meta.url), ['--load-generator'], { stdio: 'inherit' });
  const server = { close: async () => undefined } as { close(): Promise<void> };
  try {
    await ensureTable(db.client, DEFAULT_TABLE_NAME);
    const h = await createHarness(db.client, DEFAULT_TABLE_NAME);
    const statuses: Record<number, number> = {};
    const links = await serveProviderLinks({ store: h.store, clock: h.clock, keys, dataDir, afterRequest: () => undefined }, statuses);
    server.close = links.close;

    // -- the population: providers in negotiation, each with a proposal link
    const mixPosts = Math.round(mix * 0.2);
    const needed = getLinks + burst * rounds + mixPosts + Math.round(mix * 0.1);
    const setup0 = performance.now();
    const providers: { agb: string; path: string }[] = [];
    for (let i = 0; i < needed; i += 16) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(16, needed - i) }, async () => {
          const { provider } = await h.providerIn('in-negotiation');
          const contactId = provider.contacts.find((c) => c.role !== 'signatory')?.id ?? provider.contacts[0].id;
          const url = await h.issue({ agb: provider.agb, action: 'submit-proposal', contactId });
          return { agb: provider.agb, path: pathOf(url) };
        }),
      );
      providers.push(...batch);
    }
    const take = (n: number) => providers.splice(0, n);
    const valid = form({ amount: '125.000,00', volume: '40', note: '' });
    const invalid = form({ amount: 'veel geld', volume: '40', note: '' });

    console.log(
      `node ${process.version}; ${needed} providers set up in ${((performance.now() - setup0) / 1000).toFixed(1)} s; ` +
        `load ${loadavg().map((l) => l.toFixed(2)).join(' ')} (${new Date().toISOString()})`,
    );
    console.log(`${'phase'.padEnd(34)} ${'requests'.padStart(8)} ${'req/s'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(7)}  ${'server CPU/req'.padStart(14)} ${'JVM CPU/req'.padStart(11)}  statuses`);

    const run = async (label: string, requests: Req[], options: { concurrency: number; seconds?: number }): Promise<PhaseResult> => {
      const cpu0 = process.cpuUsage();
      const jvm0 = jvmCpuMs(db.pid);
      const result = await new Promise<PhaseResult>((resolve) => {
        child.once('message', (m) => resolve(m as PhaseResult));
        child.send({ base: links.url, requests, ...options });
      });
      const cpu = process.cpuUsage(cpu0);
      const jvm = jvmCpuMs(db.pid) - jvm0;
      const sorted = result.latencies.sort((a, b) => a - b);
      const n = result.requests;
      console.log(
        `${label.padEnd(34)} ${String(n).padStart(8)} ${((n / result.wallMs) * 1000).toFixed(0).padStart(7)} ` +
          `${percentile(sorted, 50).toFixed(0).padStart(7)} ${percentile(sorted, 99).toFixed(0).padStart(7)} ${sorted[n - 1].toFixed(0).padStart(7)}  ` +
          `${(((cpu.user + cpu.system) / 1000 / n) * 1000).toFixed(0).padStart(11)} µs ${((jvm / n) * 1000).toFixed(0).padStart(8)} µs  ${JSON.stringify(result.statuses)}` +
          (result.unexpected ? `  ${result.unexpected} UNEXPECTED` : ''),
      );
      if (result.unexpected) process.exitCode = 1;
      return result;
    };

    // -- GET
    const gets: Req[] = take(getLinks).map((p) => ({ method: 'GET', path: p.path, expect: 200 }));
    await run('warm-up (GET)', gets.slice(0, 200), { concurrency: 10 });
    await run(`GET at ${concurrency} concurrent, ${seconds} s`, gets, { concurrency, seconds });

    // -- POST: a burst of valid proposals at once
    const posted: string[] = [];
    for (let r = 1; r <= rounds; r++) {
      const batch = take(burst);
      posted.push(...batch.map((p) => p.agb));
      await run(`POST ${burst} valid at once (${r}/${rounds})`, batch.map((p) => ({ method: 'POST', path: p.path, body: valid, expect: 303 })), { concurrency: burst });
    }

    // -- a sustained mix
    const fresh = take(mixPosts);
    const wrong = take(Math.round(mix * 0.1));
    posted.push(...fresh.map((p) => p.agb));
    const mixed: Req[] = [];
    for (let i = 0, f = 0, w = 0; i < mix; i++) {
      if (i % 10 < 2 && f < fresh.length) mixed.push({ method: 'POST', path: fresh[f++].path, body: valid, expect: 303 });
      else if (i % 10 === 2 && w < wrong.length) mixed.push({ method: 'POST', path: wrong[w++].path, body: invalid, expect: 400 });
      else mixed.push({ method: 'GET', path: gets[i % gets.length].path, expect: 200 });
    }
    await run(`mix 70/20/10 GET/POST/bad at ${concurrency}`, mixed, { concurrency });

    // -- what the posts did: exactly once each, nothing from the refused ones
    let wrongCount = 0;
    for (const agb of posted) {
      const s = await h.snapshot(agb);
      if (s.state !== 'proposal-submitted' || s.messages !== 1) wrongCount++;
    }
    for (const p of wrong) {
      const s = await h.snapshot(p.agb);
      if (s.state !== 'in-negotiation' || s.messages !== 0) wrongCount++;
    }
    console.log(
      wrongCount
        ? `CHECK FAILED: ${wrongCount} of ${posted.length + wrong.length} applications not as their posts should have left them`
        : `checked: ${posted.length} valid posts each moved their application once and queued one confirmation; ${wrong.length} refused posts wrote nothing`,
    );
    if (wrongCount) process.exitCode = 1;
  } finally {
    child.kill();
    await server.close();
    await db.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--load-generator')) await loadGenerator();
else await main();
