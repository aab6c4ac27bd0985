/**
 * Test files longest first, so that the workers of the integration group (the
 * integration projects and the browser project: one pool) end together: a long
 * file started last leaves the other workers idle for as long as it runs. Vitest orders by the durations of its last run (its cache), and with
 * no cache, as on CI's clean clone, by file size: the year rehearsals, three-line
 * files that run for a minute or more, came last. A file's duration from the
 * cache wins; otherwise its weight below; the rest follow in Vitest's order.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds: the rehearsal files' CPU time (user+sys of `npx vitest run <file>`, which is about their wall time on an
 * idle core) measured one by one on the shared 2-core machine on 2026-12-04 after #17's cuts, and the full run's
 * figures for the others. A ranking, not a budget; files not named here take a few seconds each.
 */
export const FILE_WEIGHTS: Record<string, number> = {
  'test/integration/rehearsal/year-of-cycles.test.ts': 80,
  'test/integration/rehearsal/diagnostics-2020.test.ts': 69,
  'test/integration/rehearsal/crash.test.ts': 58,
  'test/integration/rehearsal/unreachable.test.ts': 50,
  'test/integration/rehearsal/wlz-2021.test.ts': 49,
  'test/integration/rehearsal/zvt-2021.test.ts': 45,
  'test/integration/cycles/cli.test.ts': 43,
  'test/integration/cycles/resume.test.ts': 35,
  'test/integration/rehearsal/lost-database.test.ts': 30,
  'test/integration/providers/import.test.ts': 28,
  // Chromium and a runtime each (their file time in the full run, 11-17 s, leaves out the start-up in beforeAll).
  'test/browser/dashboard.test.ts': 25,
  'test/browser/links.test.ts': 20,
};

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const root = this.ctx.config.root;
    const weight = (spec: TestSpecification): number | undefined => {
      const path = relative(root, spec.moduleId);
      const cached = this.ctx.cache.getFileTestResults(`${spec.project.name}:${path}`)?.duration;
      if (cached !== undefined) return cached / 1000;
      return FILE_WEIGHTS[path];
    };
    const keyed = base.map((spec, index) => ({ spec, index, weight: weight(spec) }));
    return keyed
      .sort((a, b) => {
        // Across projects too: Vitest splits the sorted list by sequence.groupOrder itself, keeping this order within
        // a group, so the two integration projects' files, one pool, run longest first together.
        if (a.weight !== undefined && b.weight !== undefined) return b.weight - a.weight || a.index - b.index;
        if (a.weight !== undefined) return -1;
        if (b.weight !== undefined) return 1;
        return a.index - b.index;
      })
      .map(({ spec }) => spec);
  }
}
