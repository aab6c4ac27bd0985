/**
 * `npm run bench [-- <providers> …]`: rehearses MSR 2021 with 1,000 and 10,000
 * providers (or the sizes given) on the local runtime, each in a fresh process
 * and data folder, and prints per run: wall time (start to report, runtime
 * start-up included), peak memory (this process's max RSS plus DynamoDB Local's
 * JVM peak RSS from /proc), emails per second and DynamoDB items written per
 * second. Target on 2 cores: 10,000 providers through the year in at most 300 s (issue #18).
 * A script, not a timed test: the numbers depend on the machine.
 * `INKOOP_TRACE_CALLERS=1 npm run bench -- 1000` also lists the DynamoDB
 * requests by the code that sent them (to find round trips worth batching).
 *
 * Per run it also prints the items written and read per provider, by purpose
 * (functions/local/runtime-metrics.ts: transition, audit, outbox put / claim /
 * sent, link, page read, step read, …, and the index entries written), and the
 * engine floor: the seconds DynamoDB Local alone needs for the run's items, by
 * request shape, at the rates it manages for each shape, measured on the same
 * JVM right after the run (./engine-rates.ts), with the ratio of wall time to it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatForecast } from '../functions/local/rehearsal/report.ts';
import { rehearse } from '../functions/local/rehearsal/rehearse.ts';
import type { EngineShape } from '../functions/local/runtime-metrics.ts';
import { engineFloorSeconds, measureShapes, rateByShape } from './engine-rates.ts';
import { createTableInput } from '../functions/store/table.ts';
import { localDynamoDbClient } from '../functions/local/dynamodb-local.ts';
import { cpuSeconds, peakRssMb } from './proc.ts';

/** Items per shape for the engine's rates: enough for a steady rate, little next to the run. */
const RATE_ITEMS = 4_000;

interface BenchResult {
  providers: number;
  wallMs: number;
  nodeMaxRssMb: number;
  jvmPeakRssMb: number | null;
  /** CPU seconds (user + system) of this process and of DynamoDB Local's JVM: with the wall time, whether the run waited or worked. */
  nodeCpuS: number;
  jvmCpuS: number | null;
  emails: number;
  itemsWritten: number;
  itemsRead: number;
  writtenBy: Record<string, number>;
  readBy: Record<string, number>;
  indexWrites: number;
  mix: Record<EngineShape, number>;
  /** DynamoDB Local's items per second per shape, measured right after the run on its JVM. */
  rates: Partial<Record<EngineShape, number>>;
  /** Seconds DynamoDB Local alone needs for the run's items at those rates. */
  floorS: number;
  dynamodbRequests: number;
  lambdaInvocations: number;
  applications: number;
  contracted: number;
  /** The rehearsal's AWS forecast, as its report prints it. */
  aws: string[];
}

async function one(providers: number): Promise<BenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), `inkoop-bench-${providers}-`));
  const started = performance.now();
  try {
    const result = await rehearse({
      calendar: 'msr-2021',
      providers,
      seed: 'bench',
      dataDir,
      mode: 'fast',
      serve: true, // the JVM is still there to read its peak memory
      progress: process.stderr.isTTY ? 'bars' : 'lines',
      stream: process.stderr,
    });
    const wallMs = performance.now() - started;
    const runtime = result.runtime!;
    const jvmPeakRssMb = peakRssMb(runtime.db.pid);
    const jvmCpuS = cpuSeconds(runtime.db.pid);
    const usage = process.cpuUsage();
    const report = result.report!;
    // The rates on the same JVM, warm from the run, in a table shaped like ours (a client of its own: not counted).
    const shapes = await measureShapes(localDynamoDbClient(runtime.db.endpoint), { table: createTableInput('engine-rates'), indexed: true, items: RATE_ITEMS }).catch((error: unknown) => {
      process.stderr.write(`engine rates not measured: ${String(error)}\n`);
      return [];
    });
    await runtime.stop();
    const rates = rateByShape(shapes);
    const counts = report.dynamodb;
    if (report.dynamodb.callers) {
      const top = Object.entries(report.dynamodb.callers).sort((a, b) => b[1] - a[1]).slice(0, 40);
      process.stderr.write(`DynamoDB requests by caller (top ${top.length}):\n${top.map(([k, n]) => `${String(n).padStart(8)}  ${k}`).join('\n')}\n`);
    }
    return {
      providers,
      wallMs,
      nodeMaxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      jvmPeakRssMb,
      nodeCpuS: (usage.user + usage.system) / 1e6,
      jvmCpuS,
      emails: report.emails.total,
      itemsWritten: counts.itemsWritten,
      itemsRead: counts.itemsRead,
      writtenBy: counts.writtenBy,
      readBy: counts.readBy,
      indexWrites: counts.indexWrites,
      mix: counts.mix,
      rates,
      floorS: engineFloorSeconds(counts.mix, rates),
      dynamodbRequests: report.dynamodb.requests,
      lambdaInvocations: report.lambdaInvocations.total,
      applications: report.applications.total,
      contracted: report.contracted.length,
      aws: formatForecast(report.aws),
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function table(results: BenchResult[]): string {
  const rows = [
    ['providers', 'wall time', 'CPU (node + JVM)', 'peak memory (node + JVM)', 'emails', 'emails/s', 'items written', 'writes/s', 'DynamoDB requests', 'Lambda invocations'],
    ...results.map((r) => {
      const s = r.wallMs / 1000;
      return [
        r.providers.toLocaleString('en'),
        `${s.toFixed(1)} s`,
        `${r.nodeCpuS.toFixed(0)} s + ${r.jvmCpuS?.toFixed(0) ?? '?'} s`,
        `${r.nodeMaxRssMb + (r.jvmPeakRssMb ?? 0)} MB (${r.nodeMaxRssMb} + ${r.jvmPeakRssMb ?? '?'})`,
        String(r.emails),
        (r.emails / s).toFixed(0),
        String(r.itemsWritten),
        (r.itemsWritten / s).toFixed(0),
        String(r.dynamodbRequests),
        String(r.lambdaInvocations),
      ];
    }),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n');
}

/** Items per provider by purpose, most first; then the engine floor and the run's ratio to it. */
function perProvider(r: BenchResult): string {
  const per = (n: number) => (n / r.providers).toFixed(1).padStart(6);
  const list = (by: Record<string, number>) =>
    Object.entries(by)
      .sort(([, a], [, b]) => b - a)
      .map(([purpose, n]) => `    ${purpose.padEnd(18)} ${per(n)}`);
  const wall = r.wallMs / 1000;
  const rate = (shape: EngineShape) => (r.rates[shape] ? `${Math.round(r.rates[shape]!)}/s` : '?');
  return [
    `${r.providers.toLocaleString('en')} providers, per provider: ${per(r.itemsWritten).trim()} items written, ${per(r.itemsRead).trim()} read, ${(r.dynamodbRequests / r.providers).toFixed(1)} requests`,
    '  written, by purpose:',
    ...list(r.writtenBy),
    `    ${'GSI writes'.padEnd(18)} ${per(r.indexWrites)}  (index entries, besides the items)`,
    '  read, by purpose:',
    ...list(r.readBy),
    `  engine floor: ${r.floorS.toFixed(1)} s for this run's items (${(Object.entries(r.mix) as [EngineShape, number][])
      .filter(([, n]) => n)
      .map(([shape, n]) => `${shape} ${n} at ${rate(shape)}`)
      .join(', ')}); wall/floor ${r.floorS ? (wall / r.floorS).toFixed(2) : '? (rates not measured)'} (target ≤ 1.5)`,
  ].join('\n');
}

const args = process.argv.slice(2);
if (args[0] === '--one') {
  // A child: one size, the result as the last line of stdout.
  const result = await one(Number(args[1]));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

const sizes = args.length ? args.map(Number) : [1_000, 10_000];
if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) {
  process.stderr.write('usage: npm run bench [-- <providers> …]\n');
  process.exit(2);
}
const results: BenchResult[] = [];
for (const providers of sizes) {
  process.stderr.write(`\n== MSR 2021, ${providers.toLocaleString('en')} providers\n`);
  // A process per size: peak memory is per process.
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--one', String(providers)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const last = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !last.startsWith('{')) {
    process.stderr.write(`the run with ${providers} providers failed (exit ${child.status})\n${child.stdout}\n`);
    process.exit(1);
  }
  results.push(JSON.parse(last) as BenchResult);
}
process.stdout.write(`\n${table(results)}\n`);
for (const r of results) process.stdout.write(`\n${perProvider(r)}\n`);
for (const r of results) process.stdout.write(`\n${r.providers.toLocaleString('en')} providers: ${r.aws.join('\n')}\n`);
const big = results.find((r) => r.providers === 10_000);
if (big) process.stdout.write(`\n10,000 providers: ${(big.wallMs / 1000).toFixed(1)} s (target ≤ 300 s on 2 cores)\n`);
