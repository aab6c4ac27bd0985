/**
 * The browser tests' Chromium, driven by playwright-core (a browser download is
 * not possible here): Debian's /usr/bin/chromium when the machine has it,
 * otherwise the binary shipped inside the npm package `@sparticuz/chromium`, so
 * `npm ci && npm test` needs nothing installed by hand.
 * `INKOOP_CHROMIUM=packaged` ignores /usr/bin/chromium (to check the packaged one).
 * The background-networking flags keep it from reaching for Google's hosts on a
 * machine without internet.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';

export const DEBIAN_CHROMIUM_PATH = '/usr/bin/chromium';

const OFFLINE_ARGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const DEBIAN_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', ...OFFLINE_ARGS];

// The package unpacks into os.tmpdir() under fixed names (`chromium`, `fonts`,
// …) and trusts whatever it finds there. /tmp is shared with other processes on
// this machine, so it unpacks into a folder of our own inside node_modules,
// under a name that carries the package version, made whole before it is renamed
// into place: a crashed unpack is never mistaken for a binary.
const NODE_MODULES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules');
const PACKAGED_ROOT = join(NODE_MODULES, '.cache', 'inkoop-chromium');

export interface ChromiumBinary {
  source: 'debian' | 'packaged';
  executablePath: string;
  args: string[];
}

let packaged: Promise<ChromiumBinary> | undefined;

async function unpackPackagedChromium(): Promise<ChromiumBinary> {
  const { default: sparticuz } = await import('@sparticuz/chromium');
  // The package's exports do not include its package.json.
  const { version } = JSON.parse(await readFile(join(NODE_MODULES, '@sparticuz', 'chromium', 'package.json'), 'utf8')) as { version: string };
  const target = join(PACKAGED_ROOT, version);
  const args = [...sparticuz.args, ...OFFLINE_ARGS];
  if (existsSync(join(target, 'chromium'))) return { source: 'packaged', executablePath: join(target, 'chromium'), args };

  await mkdir(PACKAGED_ROOT, { recursive: true });
  const staging = await mkdtemp(join(PACKAGED_ROOT, `.unpack-${version}-`));
  const previousTmp = process.env.TMPDIR;
  process.env.TMPDIR = staging;
  try {
    await sparticuz.executablePath();
  } finally {
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
  }
  try {
    await rename(staging, target);
  } catch (error) {
    // Another run unpacked the same version first: use its copy, drop ours.
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(join(target, 'chromium'))) throw error;
  }
  return { source: 'packaged', executablePath: join(target, 'chromium'), args };
}

/** Debian's Chromium when installed (unless INKOOP_CHROMIUM=packaged), else the packaged one. */
export function findChromium(): Promise<ChromiumBinary> {
  if (process.env.INKOOP_CHROMIUM !== 'packaged' && existsSync(DEBIAN_CHROMIUM_PATH)) {
    return Promise.resolve({ source: 'debian', executablePath: DEBIAN_CHROMIUM_PATH, args: DEBIAN_ARGS });
  }
  packaged ??= unpackPackagedChromium();
  return packaged;
}

/** A fresh browser profile under `dataDir`. */
export async function launchChromium(dataDir: string, options: { viewport?: { width: number; height: number } } = {}): Promise<BrowserContext> {
  const { executablePath, args } = await findChromium();
  return chromium.launchPersistentContext(join(dataDir, 'chromium-profile'), {
    executablePath,
    args,
    headless: true,
    ...options,
  });
}
