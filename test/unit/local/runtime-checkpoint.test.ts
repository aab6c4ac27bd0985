import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Checkpoints, prepareCheckpoints, readCheckpoint, removeCheckpoints, type CheckpointSources } from '../../../functions/local/runtime-checkpoint.ts';
import { DB_FILE } from '../../../functions/local/runtime-database.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const fresh = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'inkoop-checkpoint-'));
  dirs.push(dir);
  return dir;
};

/** Sources whose database is a text the test changes. */
function sources(dataDir: string, state: { db: string; mailbox: number; clock: number; fail?: string }): CheckpointSources {
  return {
    dataDir,
    copyDatabase: (file) => {
      if (state.fail === 'copy') throw new Error('disk full');
      writeFileSync(file, state.db);
    },
    flushMailbox: () => state.mailbox,
    clock: () => state.clock,
    state: () => {
      if (state.fail === 'state') throw new Error('state');
      return { clock: state.clock };
    },
  };
}

describe('checkpoints', () => {
  it('make each new generation current through the dynamodb link, with its mailbox count and state, and drop the previous one', async () => {
    const dataDir = fresh();
    const s = { db: 'one', mailbox: 3, clock: 1000 };
    const checkpoints = new Checkpoints(sources(dataDir, s), prepareCheckpoints(dataDir));
    await checkpoints.take();
    s.db = 'two';
    s.mailbox = 5;
    s.clock = 2000;
    const record = await checkpoints.take();
    expect(record).toMatchObject({ generation: 2, mailbox: 5, clock: new Date(2000).toISOString(), state: { clock: 2000 } });
    expect(lstatSync(join(dataDir, 'dynamodb')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dataDir, 'dynamodb', DB_FILE), 'utf8')).toBe('two');
    expect(readCheckpoint(dataDir)?.record).toEqual(record);
    expect(readdirSync(dataDir).sort()).toEqual(['dynamodb', 'dynamodb.000002']);
    expect(checkpoints.stats.count).toBe(2);
  });

  it('that fail half-way leave the previous one current and whole', async () => {
    const dataDir = fresh();
    const s: { db: string; mailbox: number; clock: number; fail?: string } = { db: 'one', mailbox: 3, clock: 1000 };
    const checkpoints = new Checkpoints(sources(dataDir, s), prepareCheckpoints(dataDir));
    await checkpoints.take();
    s.db = 'two';
    for (const fail of ['copy', 'state']) {
      s.fail = fail;
      await expect(checkpoints.take()).rejects.toThrow();
      expect(readFileSync(join(dataDir, 'dynamodb', DB_FILE), 'utf8')).toBe('one');
      expect(readCheckpoint(dataDir)?.record).toMatchObject({ generation: 1, mailbox: 3 });
    }
    expect(readdirSync(dataDir).sort()).toEqual(['dynamodb', 'dynamodb.000001']);
  });

  it('written only part-way by a killed process are removed at the next start, the current one kept', async () => {
    const dataDir = fresh();
    const s = { db: 'one', mailbox: 3, clock: 1000 };
    await new Checkpoints(sources(dataDir, s), prepareCheckpoints(dataDir)).take();
    // What a crash before the link's rename leaves: the next generation's folder and a temporary link.
    mkdirSync(join(dataDir, 'dynamodb.000002'));
    writeFileSync(join(dataDir, 'dynamodb.000002', DB_FILE), 'half');
    writeFileSync(join(dataDir, 'dynamodb.link-2'), '');
    const current = prepareCheckpoints(dataDir);
    expect(current?.record).toMatchObject({ generation: 1 });
    expect(readdirSync(dataDir).sort()).toEqual(['dynamodb', 'dynamodb.000001']);
    // And the numbering goes on from the current one.
    s.db = 'two';
    expect((await new Checkpoints(sources(dataDir, s), current).take()).generation).toBe(2);
  });

  it('keep the uploads they list: files uploaded after the last one are removed at the next start (they are uploaded again)', async () => {
    const dataDir = fresh();
    mkdirSync(join(dataDir, 'uploads', 'msr-2021', '111'), { recursive: true });
    writeFileSync(join(dataDir, 'uploads', 'msr-2021', '111', 'kvk'), 'before');
    await new Checkpoints(sources(dataDir, { db: 'one', mailbox: 0, clock: 0 }), prepareCheckpoints(dataDir)).take();
    mkdirSync(join(dataDir, 'uploads', 'msr-2021', '222'));
    writeFileSync(join(dataDir, 'uploads', 'msr-2021', '222', 'kvk'), 'after');
    prepareCheckpoints(dataDir);
    expect(existsSync(join(dataDir, 'uploads', 'msr-2021', '111', 'kvk'))).toBe(true);
    expect(existsSync(join(dataDir, 'uploads', 'msr-2021', '222', 'kvk'))).toBe(false);
  });

  it('take over a dynamodb folder from before checkpoints as generation 0 (every mailbox line counts)', () => {
    const dataDir = fresh();
    mkdirSync(join(dataDir, 'dynamodb'));
    writeFileSync(join(dataDir, 'dynamodb', DB_FILE), 'old');
    const current = prepareCheckpoints(dataDir);
    expect(current).toMatchObject({ dir: join(dataDir, 'dynamodb.000000'), record: undefined });
    expect(readFileSync(current!.db!, 'utf8')).toBe('old');
    expect(removeCheckpoints(dataDir)).toBe(true);
    expect(existsSync(join(dataDir, 'dynamodb'))).toBe(false);
    expect(readdirSync(dataDir)).toEqual([]);
  });
});
