/**
 * Cycles and their milestone steps (the progress of each dated moment), and
 * `getPageReads`: everything a provider page reads, in one request.
 *
 * Steps version: the cycle item carries `stepsVersion`, a fresh random value
 * that `putCycle` writes and `putSteps` writes again after its last step
 * write. A reader that sees a version and then reads the steps gets them at
 * least as new as that version, so steps read once can be kept in process,
 * keyed by it, until the cycle item names another. Only the timeline (ids,
 * kinds, phases, dates) changes with the version: the workflow's progress
 * (`updateStep`) does not, so cached steps carry a stale status.
 */
import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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
import { batchGetItems, clean, isConditionFailed, mapLimit, queryAll, type StoreDeps } from './dynamo.ts';
import { indexKeys, keys, prefixes, withoutKeys, type Key } from './keys.ts';
import { parseProvider } from './providers.ts';
import { parseApplication } from './applications.ts';
import { INDEXES } from './table.ts';

const parseCycle = (item: Record<string, unknown>): Cycle => cycleSchema.parse(withoutKeys(item));
const parseStep = (item: Record<string, unknown>): Step => stepSchema.parse(withoutKeys(item));

const STEPS_VERSION = 'stepsVersion';
/** Cycles whose steps are kept in process: a handful run at once. */
const TIMELINE_CACHE_SIZE = 8;

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
   * In time order; empty without the cycle or when not asked for. Possibly from
   * the in-process cache: the timeline is current, `status` and the other
   * progress fields are not (see the module comment).
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

  async function getCycle(cycleId: string): Promise<Cycle | undefined> {
    const out = await doc.send(new GetCommand({ TableName, Key: keys.cycle(cycleId), ConsistentRead: true }));
    return out.Item ? parseCycle(out.Item) : undefined;
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

  /** By cycle id, least recently used first. A pending read is shared by the requests that wait for it. */
  const timelines = new Map<string, { version: string; steps: Promise<readonly Step[]> }>();

  /** The steps of a cycle whose item names `version`: from the cache, else read (and kept) now. */
  function stepsAt(cycleId: string, version: unknown): Promise<readonly Step[]> {
    // A cycle stored before steps versions: read every time.
    if (typeof version !== 'string') return getSteps(cycleId);
    const hit = timelines.get(cycleId);
    timelines.delete(cycleId);
    if (hit?.version === version) {
      timelines.set(cycleId, hit);
      return hit.steps;
    }
    const entry = { version, steps: getSteps(cycleId).then((steps) => Object.freeze(steps.map((s) => Object.freeze(s)))) };
    timelines.set(cycleId, entry);
    entry.steps.catch(() => {
      if (timelines.get(cycleId) === entry) timelines.delete(cycleId);
    });
    while (timelines.size > TIMELINE_CACHE_SIZE) timelines.delete(timelines.keys().next().value!);
    return entry.steps;
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
        cycle: cycleItem && parseCycle(cycleItem),
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
        parseCycle,
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
        return parseCycle(out.Attributes ?? {});
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

    /**
     * Moves a step: due|failed|running → running (stamps startedAt, counts the attempt),
     * running → done (finishedAt) or failed (finishedAt, cause), failed → due (a retry,
     * clears finishedAt). Anything else: ConflictError.
     */
    /** A rehearsal could not run the step (why, in one line); the workflow then marks it done as usual. */
    async noteStepSkipped(cycleId: string, stepId: string, reason: string): Promise<void> {
      try {
        await doc.send(
          new UpdateCommand({
            TableName,
            Key: keys.step(cycleId, stepId),
            UpdateExpression: 'SET skipped = :reason, updatedAt = :at',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':reason': reason, ':at': isoNow(clock) },
          }),
        );
      } catch (error) {
        if (isConditionFailed(error)) throw new NotFoundError(`No step ${stepId} in cycle ${cycleId}`);
        throw error;
      }
    },

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
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName,
            Key: keys.step(cycleId, stepId),
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
            ReturnValues: 'ALL_NEW',
          }),
        );
        return parseStep(out.Attributes ?? {});
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        const old = await doc.send(new GetCommand({ TableName, Key: keys.step(cycleId, stepId), ConsistentRead: true }));
        if (!old.Item) throw new NotFoundError(`No step ${stepId} in cycle ${cycleId}`);
        throw new ConflictError(`Step ${stepId} of ${cycleId} cannot move from ${String(old.Item.status)} to ${update.status}`, {
          cycleId,
          stepId,
          from: old.Item.status,
          to: update.status,
        });
      }
    },
  };
}
