/**
 * `<data>/rehearsal.json`: what a rehearsal needs to be resumed from its data
 * folder (the cycle's progress itself is in DynamoDB, the emails in the
 * mailbox file): which calendar, how many providers, which seed, where the
 * virtual clock was, the real time each finished milestone step took, and the
 * simulated follow-ups planned but not yet done. The same state goes into
 * every checkpoint (../runtime-checkpoint.ts), where it agrees with the
 * database and the mailbox: the checkpoint's copy is the one resumed from.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readCheckpoint, removeCheckpoints } from '../runtime-checkpoint.ts';

export const STATE_FILE = 'rehearsal.json';

export const rehearsalStateSchema = z.object({
  version: z.literal(1),
  /** What `--calendar` named (a file or an id); of several, the first. */
  calendar: z.string(),
  calendarId: z.string(),
  cycleId: z.string(),
  /** Several cycles at once (`--calendar a,b,c`): each calendar as named, in order (absent for one). */
  calendars: z.array(z.string()).optional(),
  providers: z.number().int().nonnegative(),
  seed: z.string(),
  /** Share of known providers nobody can reach by email (population.ts). */
  unreachableShare: z.number().min(0).max(1).default(0),
  /** Virtual instants (ISO). */
  startedAt: z.string(),
  clock: z.string(),
  status: z.enum(['running', 'done']),
  /** Real milliseconds each finished step took, by step id. */
  stepDurations: z.record(z.string(), z.number()).default({}),
  /** The runtime's ports: a resumed rehearsal listens there again, so the links in its emails keep working. */
  ports: z.object({ ses: z.number(), links: z.number(), operator: z.number(), publications: z.number(), control: z.number() }).partial().default({}),
  /** Real milliseconds spent before (in earlier runs of a resumed rehearsal). */
  wallMsBefore: z.number().default(0),
  /** Corrections planned after a refused form, not made yet: nothing else in the plan says they come. */
  followUps: z.array(z.object({ agb: z.string(), action: z.string(), at: z.number(), cycleId: z.string().optional() })).default([]),
});
export type RehearsalState = z.infer<typeof rehearsalStateSchema>;

export const statePath = (dataDir: string): string => join(dataDir, STATE_FILE);

/** The state of the last checkpoint, or else of rehearsal.json (undefined when neither has one). */
export function readState(dataDir: string): RehearsalState | undefined {
  const checkpointed = readCheckpoint(dataDir)?.record?.state;
  if (checkpointed) return rehearsalStateSchema.parse(checkpointed);
  const file = statePath(dataDir);
  if (!existsSync(file)) return undefined;
  return rehearsalStateSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** Whether the data folder has a checkpoint (a database to resume). */
export function hasCheckpoint(dataDir: string): boolean {
  return readCheckpoint(dataDir)?.db !== undefined;
}

/** Atomic: a crash leaves the old file or the new one, never half of one. */
export function writeState(dataDir: string, state: RehearsalState): void {
  const file = statePath(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(rehearsalStateSchema.parse(state), null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** What a fresh rehearsal removes from its data folder (the link key stays), besides the checkpoints. */
export const REHEARSAL_PATHS = ['mailbox.jsonl', 'uploads', 'publications', STATE_FILE, 'providers.json'];

/** Call with the data folder's lock held. */
export function resetDataDir(dataDir: string): boolean {
  let removed = removeCheckpoints(dataDir);
  for (const p of REHEARSAL_PATHS) {
    const path = join(dataDir, p);
    if (existsSync(path)) {
      rmSync(path, { recursive: true, force: true });
      removed = true;
    }
  }
  return removed;
}
