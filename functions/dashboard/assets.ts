/**
 * Static files of the dashboard: Chart.js's UMD build straight from
 * node_modules (no CDN: the machine may have no internet) and our own script
 * and stylesheet. Read once, on first request.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpResult } from '../http/types.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** chart.js exports no subpaths; its UMD build sits beside the CommonJS entry in dist/. */
const chartJsDir = (): string => dirname(createRequire(import.meta.url).resolve('chart.js'));

const FILES: Record<string, { path: () => string; type: string }> = {
  'chart.umd.js': { path: () => join(chartJsDir(), 'chart.umd.js'), type: 'text/javascript; charset=utf-8' },
  'dashboard.js': { path: () => join(here, 'assets', 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
  'dashboard.css': { path: () => join(here, 'assets', 'dashboard.css'), type: 'text/css; charset=utf-8' },
};

const cache = new Map<string, Promise<string>>();

/** The asset, or undefined when there is no such name. */
export async function asset(name: string): Promise<HttpResult | undefined> {
  const file = FILES[name];
  if (!file) return undefined;
  let body = cache.get(name);
  if (!body) {
    body = readFile(file.path(), 'utf8');
    cache.set(name, body);
    body.catch(() => cache.delete(name)); // a failed read is tried again next time
  }
  return {
    statusCode: 200,
    headers: { 'content-type': file.type, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' },
    body: await body,
  };
}
