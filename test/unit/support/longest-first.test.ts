import { join } from 'node:path';
import type { TestSpecification, Vitest } from 'vitest/node';
import { describe, expect, it } from 'vitest';
import LongestFirst, { FILE_WEIGHTS } from '../../support/longest-first.ts';

const ROOT = '/repo';
const project = (name: string, groupOrder: number) => ({ name, config: { sequence: { groupOrder }, isolate: true } });
const unit = project('unit', 0);
const integration = project('integration', 1);
const spec = (p: ReturnType<typeof project>, path: string) => ({ project: p, moduleId: join(ROOT, path) }) as unknown as TestSpecification;

/** A sequencer over a cache with these durations (ms) and file sizes, by `project:path`. */
function sequencer(durations: Record<string, number>, sizes: Record<string, number>) {
  const ctx = {
    config: { root: ROOT },
    cache: {
      getFileTestResults: (key: string) => (key in durations ? { duration: durations[key], failed: false } : undefined),
      getFileStats: (key: string) => (key in sizes ? { size: sizes[key] } : undefined),
    },
  };
  return new LongestFirst(ctx as unknown as Vitest);
}
const paths = (specs: TestSpecification[]) => specs.map((s) => `${s.project.name}:${s.moduleId.slice(ROOT.length + 1)}`);

describe('the longest-first sequencer', () => {
  const crash = 'test/integration/rehearsal/crash.test.ts';
  const wlz = 'test/integration/rehearsal/wlz-2021.test.ts';
  const small = 'test/integration/store/cycles.test.ts';
  const big = 'test/integration/links/app.test.ts';

  it('with no timings cached (a clean clone): the weighted files first, longest first, then the rest largest first', () => {
    expect(FILE_WEIGHTS[crash]).toBeGreaterThan(FILE_WEIGHTS[wlz]);
    const sizes = { [`integration:${crash}`]: 2000, [`integration:${wlz}`]: 80, [`integration:${small}`]: 1000, [`integration:${big}`]: 9000 };
    const sorted = sequencer({}, sizes).sort([spec(integration, small), spec(integration, wlz), spec(integration, big), spec(integration, crash)]);
    return expect(sorted.then(paths)).resolves.toEqual([`integration:${crash}`, `integration:${wlz}`, `integration:${big}`, `integration:${small}`]);
  });

  // Across projects too: Vitest itself splits the order by sequence.groupOrder, keeping it within a group, so the
  // files of projects that share a pool (integration and integration-isolated) run longest first together.
  it('a cached duration wins over the weight, across projects', async () => {
    const durations = { [`integration:${wlz}`]: 500_000, [`integration:${crash}`]: 100_000, [`integration:${small}`]: 1_000, 'unit:test/unit/a.test.ts': 10 };
    const sizes = { 'unit:test/unit/a.test.ts': 1 };
    const sorted = await sequencer(durations, sizes).sort([spec(integration, small), spec(integration, crash), spec(unit, 'test/unit/a.test.ts'), spec(integration, wlz)]);
    expect(paths(sorted)).toEqual([`integration:${wlz}`, `integration:${crash}`, `integration:${small}`, 'unit:test/unit/a.test.ts']);
  });
});
