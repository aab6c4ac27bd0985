/**
 * Imports run downward (docs/CONVENTIONS.md): each folder of functions/ sits in
 * a layer and imports only from its own layer or those below. Biome refuses
 * import cycles; this refuses an arrow back up.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/paths.ts';

const LAYERS: readonly (readonly string[])[] = [
  ['commons', 'calendar', 'domain', 'http'],
  ['store', 'publication', 'uploads'],
  ['email', 'delivery', 'providers', 'cycles', 'milestones', 'links', 'operators'],
  ['dashboard', 'handlers'],
  ['local', 'cli'],
];
const layerOf = (folder: string): number => LAYERS.findIndex((layer) => layer.includes(folder));
const FUNCTIONS = join(REPO_ROOT, 'functions');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** `from` → `to` for every relative import between two folders of functions/. */
function crossings(): { from: string; to: string; file: string }[] {
  return sources(FUNCTIONS).flatMap((file) => {
    const from = relative(FUNCTIONS, file).split('/')[0];
    return [...readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)].flatMap(([, spec]) => {
      const target = relative(FUNCTIONS, normalize(join(dirname(file), spec)));
      const to = target.split('/')[0];
      return target.startsWith('..') || to === from ? [] : [{ from, to, file: relative(REPO_ROOT, file) }];
    });
  });
}

describe('the layers of functions/', () => {
  it('name every folder', () => {
    const folders = readdirSync(FUNCTIONS, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  it('no import runs back up', () => {
    const up = crossings().filter(({ from, to }) => layerOf(to) > layerOf(from));
    expect(up.map(({ file, to }) => `${file} imports ${to}/`)).toEqual([]);
  });
});
