/**
 * `npm run bench [-- <providers> …]`: rehearses MSR 2021 with 1,000 and 10,000
 * providers (or the sizes given) on the local runtime, each in a fresh process
 * and data folder, and prints per run: wall time (start to report, runtime
 * start-up included), peak memory (this process's max RSS plus DynamoDB Local's
 * JVM peak RSS from /proc), emails per second and DynamoDB items written per
 * second. Target on 2 cores: 10,000 providers through the year in at most 120 s.
 * A script, not a timed test: the numbers depend on the machine.
 * `INKOOP_TRACE_CALLERS=1 npm run bench -- 1000` also lists the DynamoDB
 * requests by the code that sent them (to find round trips worth batching).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatForecast } from '../functions/local/rehearsal/report.ts';
import { rehearse } from '../functions/local/rehearsal/rehearse.ts';
import { cpuSeconds, peakRssMb } from './proc.ts';

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
    await runtime.stop();
    const report = result.report!;
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
      itemsWritten: report.dynamodb.itemsWritten,
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
for (const r of results) process.stdout.write(`\n${r.providers.toLocaleString('en')} providers: ${r.aws.join('\n')}\n`);
const big = results.find((r) => r.providers === 10_000);
if (big) process.stdout.write(`\n10,000 providers: ${(big.wallMs / 1000).toFixed(1)} s (target ≤ 120 s on 2 cores)\n`);
