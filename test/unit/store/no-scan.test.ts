import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('the store', () => {
  it('never scans: no Scan command anywhere in the store, domain or provider code', () => {
    const root = join(import.meta.dirname, '../../../functions');
    const files = ['store', 'domain', 'providers'].flatMap((dir) =>
      readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join(root, dir, f)),
    );
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toMatch(/\bScan(Command|Input)\b|\.scan\(/);
  });
});
