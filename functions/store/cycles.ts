/**
 * Cycles and their milestone steps (the progress of each dated moment), and
 * `getPageReads`: everything a provider page reads, in one request.
 *
 * Steps version: the cycle item carries `stepsVersion`, a fresh random value
 * written with every change of the steps: `putCycle`, `putSteps` after its
 * last step write, and each step's progress (`updateStep`, `noteStepSkipped`)
 * in the same transaction as the step. A reader that sees a version and then
 * reads the steps gets them at least as new as that version, so steps read
 * once are kept in process, keyed by it, until the cycle item names another:
 * the workflow's daily look at its next step and each milestone page read one
 * item (the cycle), not every step. A process that moves a step itself keeps
 * its cache current (the version it replaced is a condition of the write).
 *
 * The parsed calendar is kept by the same version: only `putCycle` writes a
 * calendar, always with a new version, so a provider page parses the cycle's
 * whole calendar once per version, not once per request.
 */
import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isoNow } from '../commons/clock.ts';
import { ConflictError, NotFoundError } from '../commons/errors.ts';
import {
  cycleSchema,
  stepInputSchema,
  stepSchema,
  type Application,
  type Cycle,
  type CycleStatus,
  type Provider,
  type Step,
  type StepInput,
  type StepStatus,
} from '../domain/model.ts';
import { batchGetItems, cancellationCodes, clean, isConditionFailed, mapLimit, queryAll, type StoreDeps, type TransactItem } from './dynamo.ts';
import { indexKeys, keys, prefixes, withoutKeys, type Key } from './keys.ts';
import { parseProvider } from './providers.ts';
import { parseApplication } from './applications.ts';
import { INDEXES } from './table.ts';

const parseCycle = (item: Record<string, unknown>): Cycle => cycleSchema.parse(withoutKeys(item));
const parseStep = (item: Record<string, unknown>): Step => stepSchema.parse(withoutKeys(item));
/** The cycle without its calendar: what is parsed on every read once the calendar is kept. */
const cycleFieldsSchema = cycleSchema.omit({ calendar: true });

const STEPS_VERSION = 'stepsVersion';
/** Cycles whose steps and calendar are kept in process: a handful run at once. */
const TIMELINE_CACHE_SIZE = 8;
/** A step write that lost to another one on the cycle item (two steps moved at once) is tried again. */
const STEP_WRITE_ATTEMPTS = 5;

/** Frozen all the way down: a kept value is shared by every reader. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Per cycle id, least recently used first, at most TIMELINE_CACHE_SIZE: what was read at one steps version. */
class VersionCache<T> {
  private readonly entries = new Map<string, { version: string; value: T }>();

  get(cycleId: string, version: string): T | undefined {
    const hit = this.entries.get(cycleId);
    if (hit?.version !== version) return undefined;
    this.entries.delete(cycleId);
    this.entries.set(cycleId, hit);
    return hit.value;
  }

  /** The entry whatever its version (a writer checks it against the item as it writes). */
  peek(cycleId: string): { version: string; value: T } | undefined {
    return this.entries.get(cycleId);
  }

  set(cycleId: string, version: string, value: T): void {
    this.entries.delete(cycleId);
    this.entries.set(cycleId, { version, value });
    while (this.entries.size > TIMELINE_CACHE_SIZE) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Drops the entry if it is still this one. */
  drop(cycleId: string, value?: T): void {
    if (value === undefined || this.entries.get(cycleId)?.value === value) this.entries.delete(cycleId);
  }
}

/** What `getPageReads` reads besides the cycle. */
export interface PageReadsRequest {
  /** The provider (by AGB code). */
  agb?: string;
  /** With `agb`: the provider's application in the cycle. */
  application?: boolean;
  /** The cycle's steps; default true. */
  steps?: boolean;
}

export interface PageReads {
  cycle?: Cycle;
  /**
   * In time order, current (status included); empty without the cycle or when
   * not asked for. Possibly from the in-process cache, shared and frozen (see the
   * module comment).
   */
  steps: readonly Step[];
  provider?: Provider;
  application?: Application;
}

/** Which step statuses may move to which; `done → running` only with `rerun`; `failed → due` is an operator's retry. */
const STEP_MOVES: Record<StepStatus, readonly StepStatus[]> = {
  due: ['failed', 'running'], // running → due: a step left running by a dead execution, resumed
  running: ['due', 'running', 'failed'], // running → running: a retried task
  done: ['running'],
  failed: ['running'],
};

export interface StepUpdate {
  /** `due`: a failed step is put back for a re-run (its last cause stays until it runs again). */
  status: StepStatus;
  /** Why it failed (an error name and message; no addresses). */
  cause?: string;
  /** Allow running a step that is already done again (an operator's re-run). */
  rerun?: boolean;
}

export function cycleRepository(deps: StoreDeps) {
  const { doc, tableName: TableName, clock } = deps;

  /** Parsed calendars by the steps version of the cycle item they came with (see the module comment). */
  const calendars = new VersionCache<Cycle['calendar']>();

  /** A cycle item parsed; its calendar from the cache while the item names the version it was parsed at. */
  function cycleOf(item: Record<string, unknown>): Cycle {
    const version = item[STEPS_VERSION];
    const cycleId = item.id;
    if (typeof version !== 'string' || typeof cycleId !== 'string') return parseCycle(item);
    const { calendar: raw, ...fields } = withoutKeys(item);
    let calendar = calendars.get(cycleId, version);
    if (!calendar) {
      calendar = deepFreeze(cycleSchema.shape.calendar.parse(raw));
      calendars.set(cycleId, version, calendar);
    }
    return { ...cycleFieldsSchema.parse(fields), calendar };
  }

  async function getCycleItem(cycleId: string): Promise<Record<string, unknown> | undefined> {
    const out = await doc.send(new GetCommand({ TableName, Key: keys.cycle(cycleId), ConsistentRead: true }));
    return out.Item;
  }

  async function getCycle(cycleId: string): Promise<Cycle | undefined> {
    const item = await getCycleItem(cycleId);
    return item ? cycleOf(item) : undefined;
  }

  async function getSteps(cycleId: string): Promise<Step[]> {
    const steps = await queryAll(
      deps,
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.cycle(cycleId).pk, ':prefix': prefixes.step },
        ConsistentRead: true,
      },
      parseStep,
    );
    return steps.sort((a, b) => a.at.localeCompare(b.at) || a.stepId.localeCompare(b.stepId));
  }

  /**
   * Steps by the steps version they were read at. A pending read is shared by
   * the requests that wait for it; `settled` is there once it is in.
   */
  const timelines = new VersionCache<{ steps: Promise<readonly Step[]>; settled?: readonly Step[] }>();

  const frozen = (steps: readonly Step[]): readonly Step[] => Object.freeze(steps.map((s) => Object.freeze({ ...s })));

  /** The steps of a cycle whose item names `version`: from the cache, else read (and kept) now. */
  function stepsAt(cycleId: string, version: unknown): Promise<readonly Step[]> {
    // A cycle stored before steps versions: read every time.
    if (typeof version !== 'string') return getSteps(cycleId);
    const hit = timelines.get(cycleId, version);
    if (hit) return hit.steps;
    const entry: { steps: Promise<readonly Step[]>; settled?: readonly Step[] } = {
      steps: getSteps(cycleId).then((steps) => {
        entry.settled = frozen(steps);
        return entry.settled;
      }),
    };
    timelines.set(cycleId, version, entry);
    entry.steps.catch(() => timelines.drop(cycleId, entry));
    return entry.steps;
  }

  /**
   * One step write together with a new steps version on the cycle item (one
   * transaction), conditioned on the version this process holds the steps of:
   * then the kept steps are brought up to date here instead of read again.
   * Without a cycle item (steps written before their cycle) the step alone.
   * Undefined when the step write's own condition failed.
   */
  async function writeStep(cycleId: string, stepId: string, update: Omit<NonNullable<TransactItem['Update']>, 'TableName' | 'Key'>): Promise<Step | undefined> {
    const stepKey = keys.step(cycleId, stepId);
    for (let attempt = 1; ; attempt++) {
      const held = timelines.peek(cycleId);
      const known = held?.value.settled ? { version: held.version, entry: held.value, steps: held.value.settled } : undefined;
      const version = randomUUID();
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              { Update: { TableName, Key: stepKey, ...update } },
              {
                Update: {
                  TableName,
                  Key: keys.cycle(cycleId),
                  UpdateExpression: 'SET #version = :version',
                  ConditionExpression: known ? 'attribute_exists(pk) AND #version = :held' : 'attribute_exists(pk)',
                  ExpressionAttributeNames: { '#version': STEPS_VERSION },
                  ExpressionAttributeValues: { ':version': version, ...(known ? { ':held': known.version } : {}) },
                },
              },
            ],
          }),
        );
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) throw error;
        if (codes[0] === 'ConditionalCheckFailed') return undefined;
        if (codes[1] === 'ConditionalCheckFailed' && known) {
          // Someone else moved the steps since this process read them: write without the cache.
          timelines.drop(cycleId, known.entry);
          continue;
        }
        if (codes[1] === 'ConditionalCheckFailed') {
          try {
            await doc.send(new UpdateCommand({ TableName, Key: stepKey, ...update }));
          } catch (stepError) {
            if (isConditionFailed(stepError)) return undefined;
            throw stepError;
          }
          return readStep(cycleId, stepId);
        }
        if (codes.includes('TransactionConflict') && attempt < STEP_WRITE_ATTEMPTS) continue;
        throw error;
      }
      const step = await readStep(cycleId, stepId);
      if (known && timelines.peek(cycleId)?.value === known.entry && known.steps.some((s) => s.stepId === stepId)) {
        const steps = frozen(known.steps.map((s) => (s.stepId === stepId ? step : s)));
        timelines.set(cycleId, version, { steps: Promise.resolve(steps), settled: steps });
      }
      return step;
    }
  }

  async function readStep(cycleId: string, stepId: string): Promise<Step> {
    const out = await doc.send(new GetCommand({ TableName, Key: keys.step(cycleId, stepId), ConsistentRead: true }));
    if (!out.Item) throw new NotFoundError(`No step ${stepId} in cycle ${cycleId}`);
    return parseStep(out.Item);
  }

  /** Strongly consistent reads; items by `pk sk`. */
  async function batchGet(wanted: readonly Key[]): Promise<Map<string, Record<string, unknown>>> {
    const items = await batchGetItems(deps, wanted);
    return new Map(items.map((item) => [`${String(item.pk)} ${String(item.sk)}`, item]));
  }

  return {
    /** Creates or replaces the cycle (an amended calendar replaces its snapshot). */
    async putCycle(cycle: Cycle): Promise<Cycle> {
      const item = cycleSchema.parse(cycle);
      await doc.send(
        new PutCommand({
          TableName,
          Item: clean({ ...item, ...keys.cycle(item.id), ...indexKeys.cycleList(item.createdAt, item.id), [STEPS_VERSION]: randomUUID() }),
        }),
      );
      return item;
    },

    getCycle,

    /**
     * The cycle (one consistent GetItem) and its steps, in time order and current
     * (status included): from the in-process cache while the cycle item names the
     * steps version they were read at, else one Query. Shared and frozen.
     */
    async getCycleWithSteps(cycleId: string): Promise<{ cycle?: Cycle; steps: readonly Step[] }> {
      const item = await getCycleItem(cycleId);
      if (!item) return { steps: [] };
      return { cycle: cycleOf(item), steps: await stepsAt(cycleId, item[STEPS_VERSION]) };
    },

    /**
     * What a provider page reads, in ONE strongly consistent BatchGetItem: the
     * cycle and, as asked, a provider and its application. The steps come from the in-process cache while the cycle item
     * names the steps version they were read at; else one Query reads them.
     */
    async getPageReads(cycleId: string, request: PageReadsRequest = {}): Promise<PageReads> {
      const { agb } = request;
      const wanted: Key[] = [keys.cycle(cycleId)];
      if (agb !== undefined) wanted.push(keys.provider(agb));
      if (agb !== undefined && request.application) wanted.push(keys.application(cycleId, agb));
      const items = await batchGet(wanted);
      const item = (key: Key) => items.get(`${key.pk} ${key.sk}`);
      const cycleItem = item(keys.cycle(cycleId));
      const providerItem = agb !== undefined ? item(keys.provider(agb)) : undefined;
      const applicationItem = agb !== undefined && request.application ? item(keys.application(cycleId, agb)) : undefined;
      return {
        cycle: cycleItem && cycleOf(cycleItem),
        steps: cycleItem && request.steps !== false ? await stepsAt(cycleId, cycleItem[STEPS_VERSION]) : [],
        provider: providerItem && parseProvider(providerItem),
        application: applicationItem && parseApplication(applicationItem),
      };
    },

    /** All cycles, oldest first (a handful per year: one query of gsi1, no Scan). */
    async listCycles(): Promise<Cycle[]> {
      return queryAll(
        deps,
        {
          IndexName: INDEXES.byCycleState.name,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': indexKeys.cycleList('', '').gsi1pk },
        },
        cycleOf,
      );
    },

    /** Sets the cycle's status; `running` stamps startedAt, the end states finishedAt. */
    async updateCycleStatus(cycleId: string, status: CycleStatus, extra: { executionArn?: string; cause?: string } = {}): Promise<Cycle> {
      const at = isoNow(clock);
      const sets = ['#status = :status', 'updatedAt = :at'];
      const values: Record<string, unknown> = { ':status': status, ':at': at };
      if (status === 'running') sets.push('startedAt = if_not_exists(startedAt, :at)');
      if (status === 'done' || status === 'failed' || status === 'cancelled') sets.push('finishedAt = :at');
      if (extra.executionArn) {
        sets.push('executionArn = :arn');
        values[':arn'] = extra.executionArn;
      }
      if (extra.cause) {
        sets.push('cause = :cause');
        values[':cause'] = extra.cause;
      }
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName,
            Key: keys.cycle(cycleId),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        return cycleOf(out.Attributes ?? {});
      } catch (error) {
        if (isConditionFailed(error)) throw new NotFoundError(`No cycle ${cycleId}`);
        throw error;
      }
    },

    /**
     * Writes the timeline. Moved dates update existing steps but keep their progress;
     * steps that left the timeline are deleted while still due (an amended calendar).
     * Then a new steps version on the cycle item (if it exists yet: `putCycle` writes one too).
     * Failing halfway leaves the old version: run it again (an amendment resumes) to finish.
     */
    async putSteps(cycleId: string, steps: readonly StepInput[]): Promise<Step[]> {
      const inputs = steps.map((s) => stepInputSchema.parse(s));
      await mapLimit(inputs, 8, async (step) => {
        const fields = Object.entries(clean(step)).filter(([k]) => k !== 'stepId');
        const names = Object.fromEntries(fields.map(([k], i) => [`#f${i}`, k]));
        const values = Object.fromEntries(fields.map(([, v], i) => [`:f${i}`, v]));
        await doc.send(
          new UpdateCommand({
            TableName,
            Key: keys.step(cycleId, step.stepId),
            UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :f${i}`).join(', ')}, stepId = :stepId, cycleId = :cycleId, #status = if_not_exists(#status, :due), attempts = if_not_exists(attempts, :zero)`,
            ExpressionAttributeNames: { ...names, '#status': 'status' },
            ExpressionAttributeValues: { ...values, ':stepId': step.stepId, ':cycleId': cycleId, ':due': 'due', ':zero': 0 },
          }),
        );
      });
      const wanted = new Set(inputs.map((s) => s.stepId));
      const stale = (await getSteps(cycleId)).filter((s) => !wanted.has(s.stepId) && s.status === 'due');
      await mapLimit(stale, 8, async (s) => {
        try {
          await doc.send(
            new DeleteCommand({
              TableName,
              Key: keys.step(cycleId, s.stepId),
              ConditionExpression: '#status = :due',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':due': 'due' },
            }),
          );
        } catch (error) {
          if (!isConditionFailed(error)) throw error; // started meanwhile: keep it
        }
      });
      try {
        await doc.send(
          new UpdateCommand({
            TableName,
            Key: keys.cycle(cycleId),
            UpdateExpression: 'SET #version = :version',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#version': STEPS_VERSION },
            ExpressionAttributeValues: { ':version': randomUUID() },
          }),
        );
      } catch (error) {
        if (!isConditionFailed(error)) throw error; // no cycle item yet: steps are written first
      }
      return getSteps(cycleId);
    },

    /** The cycle's steps in time order. */
    getSteps,

    /** A rehearsal could not run the step (why, in one line); the workflow then marks it done as usual. */
    async noteStepSkipped(cycleId: string, stepId: string, reason: string): Promise<void> {
      const step = await writeStep(cycleId, stepId, {
        UpdateExpression: 'SET skipped = :reason, updatedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':reason': reason, ':at': isoNow(clock) },
      });
      if (!step) throw new NotFoundError(`No step ${stepId} in cycle ${cycleId}`);
    },

    /**
     * Moves a step: due|failed|running → running (stamps startedAt, counts the attempt),
     * running → done (finishedAt) or failed (finishedAt, cause), failed → due (a retry,
     * clears finishedAt). Anything else: ConflictError.
     */
    async updateStep(cycleId: string, stepId: string, update: StepUpdate): Promise<Step> {
      const at = isoNow(clock);
      const from = [...STEP_MOVES[update.status], ...(update.rerun && update.status === 'running' ? (['done'] as const) : [])];
      const sets = ['#status = :status', 'updatedAt = :at'];
      const removes: string[] = [];
      if (update.status === 'running') {
        sets.push('startedAt = :at', 'attempts = attempts + :one');
        removes.push('finishedAt', 'cause');
      } else if (update.status === 'due') {
        removes.push('finishedAt');
      } else {
        sets.push('finishedAt = :at');
        if (update.cause) sets.push('cause = :cause');
      }
      const fromValues = Object.fromEntries(from.map((s, i) => [`:from${i}`, s]));
      const step = await writeStep(cycleId, stepId, {
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: `attribute_exists(pk) AND #status IN (${Object.keys(fromValues).join(', ')})`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': update.status,
          ':at': at,
          ...fromValues,
          ...(update.status === 'running' ? { ':one': 1 } : {}),
          ...(update.cause && (update.status === 'done' || update.status === 'failed') ? { ':cause': update.cause } : {}),
        },
      });
      if (step) return step;
      const old = await doc.send(new GetCommand({ TableName, Key: keys.step(cycleId, stepId), ConsistentRead: true }));
      if (!old.Item) throw new NotFoundError(`No step ${stepId} in cycle ${cycleId}`);
      throw new ConflictError(`Step ${stepId} of ${cycleId} cannot move from ${String(old.Item.status)} to ${update.status}`, {
        cycleId,
        stepId,
        from: old.Item.status,
        to: update.status,
      });
    },
  };
}
