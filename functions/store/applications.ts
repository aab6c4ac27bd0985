/**
 * Applications and their audit trail. Every state change is one
 * TransactWriteItems: the application put conditioned on the version it was
 * read at, plus the event put conditioned on its key being new. Two writers
 * from the same version: one wins, the other gets ConflictError, and nothing
 * is half-written.
 *
 * A milestone moves or creates a page at once (`transitionMany`,
 * `createApplications`): the same pairs for many applications, packed into as
 * few transactions as fit (at most 100 writes each). A cancelled transaction
 * names the writes whose condition failed; those applications are taken out
 * (re-read and tried alone, or reported as existing) and the rest written
 * again, so each one still moves only from the version it was read at.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError, TransitionRefusedError, ValidationError } from '../commons/errors.ts';
import type { GuardContext } from '../domain/guards.ts';
import {
  applicationPatchSchema,
  applicationSchema,
  eventSchema,
  type Application,
  type Event,
  type MessageInput,
  type Provider,
  type Step,
} from '../domain/model.ts';
import type { ApplicationState } from '../domain/states.ts';
import {
  applyTransition,
  contextNeeds,
  openApplication,
  type AppliedTransition,
  type ApplyRequest,
  type OpenRequest,
  type Subject,
} from '../domain/transitions.ts';
import { batchGetItems, cancellationCodes, clean, lostRace, mapLimit, queryAll, queryPage, type Page, type PageOptions, type StoreDeps, type TransactItem } from './dynamo.ts';
import { indexKeys, keys, prefixes, withoutKeys } from './keys.ts';
import { enqueueMessageItem } from './messages.ts';
import { INDEXES } from './table.ts';

export const parseApplication = (item: Record<string, unknown>): Application => applicationSchema.parse(withoutKeys(item));
const parseEvent = (item: Record<string, unknown>): Event => eventSchema.parse(withoutKeys(item));

/** Writes in one TransactWriteItems (DynamoDB's limit). */
export const MAX_TRANSACT_ITEMS = 100;
/** Transactions of one batch in flight at once. */
const BATCH_CONCURRENCY = 4;
/** Codes of a cancelled transaction that mean "someone else got there first"; any other cancels for real. */
const RACE_CODES = new Set(['None', 'ConditionalCheckFailed', 'TransactionConflict']);

/** Context the caller already holds (e.g. a milestone page passes the steps once); the rest is loaded when a guard needs it. */
export interface GivenContext {
  steps?: readonly Step[];
  provider?: Provider;
}

export interface TransitionInput extends ApplyRequest {
  /** Refuse with ConflictError unless the application is at this version. */
  expectedVersion?: number;
  context?: GivenContext;
  /**
   * Writes that stand or fall with this transition, in the same
   * TransactWriteItems (at most 98): e.g. using a provider's link token and
   * enqueueing its confirmation email. Built from the next application, so they
   * can name its version. A failed condition among them cancels everything and
   * surfaces as ConflictError with `details.failed`, the indexes (0: the
   * application, 1: the event, 2…: these) whose condition failed.
   */
  alsoWrite?: (next: Application) => TransactItem[];
}

/** One request for many applications, each moved from the version given (`transitionMany`). */
export interface ManyTransitionInput extends ApplyRequest {
  /** Only applications (still) in this state move; others are skipped as moved on. */
  from?: ApplicationState;
  /** Given once for the whole batch; what is missing is loaded once per cycle (steps) or per application (provider). */
  context?: { steps?: readonly Step[]; providers?: ReadonlyMap<string, Provider> };
  /**
   * The emails of each move, enqueued in its transaction (built from the next
   * application), so a move and its emails are written together or not at all.
   * An email whose key is queued already stays as it is; the move still happens.
   */
  messages?: (next: Application) => readonly MessageInput[];
}

export interface Skipped {
  /** As given, or as re-read after a lost race. */
  application: Application;
  /** moved-on: no longer in `from`; refused: by the table or a guard; gone: no longer stored. */
  reason: 'moved-on' | 'refused' | 'gone';
  error?: TransitionRefusedError;
}

export interface ManyTransitionResult {
  /** The moved applications (their new version), in the order given. */
  moved: Application[];
  skipped: Skipped[];
  /** Emails enqueued with the moves, and those whose key was queued already. */
  messages: { created: number; existing: number };
}

export interface CreateApplicationInput extends OpenRequest {
  context?: GivenContext;
}

interface Lookups {
  getSteps(cycleId: string): Promise<Step[]>;
  getProvider(agb: string): Promise<Provider | undefined>;
}

/** A transition ready to be written: the application and its event, and emails that go with it. */
interface Planned {
  applied: AppliedTransition;
  /** The version the application put is conditioned on; null: a creation. */
  previousVersion: number | null;
  messages: readonly MessageInput[];
}

/** A planned write that lost its race, not written; `code` is the application put's cancellation code. */
interface Lost {
  planned: Planned;
  code: string;
}

export const applicationItem = (app: Application): Record<string, unknown> =>
  clean({
    ...app,
    ...keys.application(app.cycleId, app.agb),
    ...indexKeys.applicationState(app.cycleId, app.state, app.agb),
    ...indexKeys.applicationOfProvider(app.agb, app.cycleId),
  });

const eventItem = (event: Event): Record<string, unknown> => clean({ ...event, ...keys.event(event.cycleId, event.agb, event.version) });

const appKey = (cycleId: string, agb: string): string => `${cycleId}#${agb}`;

/** Packs planned writes into transactions of at most MAX_TRANSACT_ITEMS writes, in order. */
function packed(planned: readonly Planned[]): Planned[][] {
  const out: Planned[][] = [];
  let current: Planned[] = [];
  let size = 0;
  for (const p of planned) {
    const n = 2 + p.messages.length;
    if (n > MAX_TRANSACT_ITEMS) throw new ValidationError(`Too many emails with one transition of ${p.applied.application.agb}: ${p.messages.length}`);
    if (size + n > MAX_TRANSACT_ITEMS) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(p);
    size += n;
  }
  if (current.length) out.push(current);
  return out;
}

/** Refuses the same application twice in one batch (one transaction may not write an item twice). */
function assertDistinct(pairs: readonly { cycleId: string; agb: string }[]): void {
  const seen = new Set<string>();
  for (const { cycleId, agb } of pairs) {
    const k = appKey(cycleId, agb);
    if (seen.has(k)) throw new ValidationError(`Application ${agb} in ${cycleId} is in one batch twice`);
    seen.add(k);
  }
}

/** Refuses two emails with one key in one batch (their puts would be one item written twice). */
function assertDistinctMessages(planned: readonly Planned[]): void {
  const seen = new Set<string>();
  for (const m of planned.flatMap((p) => p.messages)) {
    if (seen.has(m.key)) throw new ValidationError(`Email ${m.key} is in one batch twice`);
    seen.add(m.key);
  }
}

const groupByCycle = (lost: readonly Lost[]): Map<string, Lost[]> => {
  const groups = new Map<string, Lost[]>();
  for (const l of lost) {
    const cycleId = l.planned.applied.application.cycleId;
    groups.set(cycleId, [...(groups.get(cycleId) ?? []), l]);
  }
  return groups;
};

export function applicationRepository(deps: StoreDeps, lookups: Lookups) {
  const { doc, tableName: TableName, clock } = deps;

  async function getApplication(cycleId: string, agb: string): Promise<Application | undefined> {
    const out = await doc.send(new GetCommand({ TableName, Key: keys.application(cycleId, agb), ConsistentRead: true }));
    return out.Item ? parseApplication(out.Item) : undefined;
  }

  /** Applications of one cycle by AGB code (BatchGetItem, 100 a request, consistent); missing ones are not in the map. */
  async function getApplications(cycleId: string, agbs: readonly string[]): Promise<Map<string, Application>> {
    const items = await batchGetItems(deps, [...new Set(agbs)].map((agb) => keys.application(cycleId, agb)));
    return new Map(items.map(parseApplication).map((app) => [app.agb, app]));
  }

  /**
   * Guard context for a batch: given parts as they are, steps loaded at most once
   * per cycle and only when a guard asks, a provider only when a guard asks.
   */
  function contextLoader() {
    const steps = new Map<string, Promise<Step[]>>();
    const stepsOf = (cycleId: string): Promise<Step[]> => {
      const loaded = steps.get(cycleId) ?? lookups.getSteps(cycleId);
      steps.set(cycleId, loaded);
      return loaded;
    };
    return async (cycleId: string, subject: Subject, request: ApplyRequest, given: GivenContext = {}): Promise<Omit<GuardContext, 'actor'>> => {
      const needs = contextNeeds(subject, request);
      return {
        now: clock.now(),
        steps: given.steps ?? (needs.has('steps') ? await stepsOf(cycleId) : undefined),
        provider: given.provider ?? (needs.has('provider') ? await lookups.getProvider(subject.agb) : undefined),
      };
    };
  }

  const itemsOf = ({ applied: { application, event }, previousVersion, messages }: Planned): TransactItem[] => [
    {
      Put: {
        TableName,
        Item: applicationItem(application),
        ...(previousVersion === null
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': previousVersion } }),
      },
    },
    { Put: { TableName, Item: eventItem(event), ConditionExpression: 'attribute_not_exists(pk)' } },
    ...messages.map((m) => enqueueMessageItem(TableName, m, event.at)),
  ];

  /** Writes an application and its event in one transaction; the condition says which version it replaces. */
  async function write(planned: Planned, extra: TransactItem[] = []): Promise<void> {
    await doc.send(new TransactWriteCommand({ TransactItems: [...itemsOf(planned), ...extra] }));
  }

  /**
   * Writes planned transitions in ONE transaction (they must fit). When it is
   * cancelled, the applications whose own writes failed their condition or
   * conflicted are taken out as lost, emails whose key exists already are
   * dropped (queued before), and the rest is written again.
   */
  async function writeTogether(batch: readonly Planned[]): Promise<{ written: Planned[]; lost: Lost[]; existingMessages: number }> {
    const lost: Lost[] = [];
    let existingMessages = 0;
    let pending = [...batch];
    while (pending.length) {
      try {
        await doc.send(new TransactWriteCommand({ TransactItems: pending.flatMap(itemsOf) }));
        return { written: pending, lost, existingMessages };
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes || codes.some((c) => !RACE_CODES.has(c))) throw error;
        const next: Planned[] = [];
        let offset = 0;
        let dropped = 0;
        for (const p of pending) {
          const own = codes.slice(offset, offset + 2 + p.messages.length);
          offset += own.length;
          const mails = own.slice(2);
          if (own[0] !== 'None' || own[1] !== 'None' || mails.includes('TransactionConflict')) {
            lost.push({ planned: p, code: own[0] ?? 'None' });
          } else if (mails.includes('ConditionalCheckFailed')) {
            const kept = p.messages.filter((_, k) => mails[k] !== 'ConditionalCheckFailed');
            dropped += p.messages.length - kept.length;
            next.push({ ...p, messages: kept });
          } else {
            next.push(p);
          }
        }
        // Cancelled without naming any write of ours: write none of them here.
        if (next.length === pending.length && dropped === 0) return { written: [], lost: [...lost, ...next.map((planned) => ({ planned, code: 'None' }))], existingMessages };
        existingMessages += dropped;
        pending = next;
      }
    }
    return { written: [], lost, existingMessages };
  }

  /** Writes many planned transitions, packed into transactions; returns what was written and what lost its race. */
  async function writeMany(planned: readonly Planned[]): Promise<{ written: Planned[]; lost: Lost[]; existingMessages: number }> {
    const results = await mapLimit(packed(planned), BATCH_CONCURRENCY, writeTogether);
    return {
      written: results.flatMap((r) => r.written),
      lost: results.flatMap((r) => r.lost),
      existingMessages: results.reduce((n, r) => n + r.existingMessages, 0),
    };
  }

  /**
   * Moves an application through the transition table. Refused transitions throw
   * TransitionRefusedError and write nothing; a lost race throws ConflictError.
   * Given an application (e.g. from a fan-out page) it is not read again and its
   * version is the expected one; a stale one then gets ConflictError.
   */
  async function transition(cycleId: string, agb: string, input: TransitionInput): Promise<Application>;
  async function transition(app: Application, input: TransitionInput): Promise<Application>;
  async function transition(a: string | Application, b: string | TransitionInput, c?: TransitionInput): Promise<Application> {
    const input = (typeof a === 'string' ? c : b) as TransitionInput;
    const app = typeof a === 'string' ? await getApplication(a, b as string) : a;
    if (!app) throw new NotFoundError(`No application of ${String(b)} in cycle ${String(a)}`);
    const expected = input.expectedVersion ?? app.version;
    if (app.version !== expected) {
      throw new ConflictError(`Application ${app.agb} in ${app.cycleId} is at version ${app.version}, not ${expected}`, {
        cycleId: app.cycleId,
        agb: app.agb,
        version: app.version,
        expectedVersion: expected,
      });
    }
    const patch = input.patch === undefined ? undefined : applicationPatchSchema.parse(input.patch);
    const applied = applyTransition(app, { ...input, patch }, await contextLoader()(app.cycleId, app, input, input.context));
    try {
      await write({ applied, previousVersion: expected, messages: [] }, input.alsoWrite?.(applied.application));
    } catch (error) {
      const codes = cancellationCodes(error);
      if (lostRace(codes)) {
        throw new ConflictError(`Application ${app.agb} in ${app.cycleId} was changed by someone else (version ${expected} is gone)`, {
          cycleId: app.cycleId,
          agb: app.agb,
          expectedVersion: expected,
          failed: codes!.flatMap((code, i) => (code === 'ConditionalCheckFailed' ? [i] : [])),
        });
      }
      throw error;
    }
    return applied.application;
  }

  /**
   * The same transition for many applications (a milestone page), each from the
   * version given, with its emails (`messages`) in the same transaction, several
   * applications per TransactWriteItems. Refused or no longer in `from`: skipped,
   * nothing written. Lost a race: re-read (one BatchGetItem) and tried once more
   * on its own if still applicable; losing again throws ConflictError (the ones
   * written stay written: running the page again moves nothing twice).
   */
  async function transitionMany(apps: readonly Application[], input: ManyTransitionInput): Promise<ManyTransitionResult> {
    assertDistinct(apps);
    const patch = input.patch === undefined ? undefined : applicationPatchSchema.parse(input.patch);
    const request: ApplyRequest = { to: input.to, trigger: input.trigger, actor: input.actor, reason: input.reason, patch };
    const contextFor = contextLoader();
    const skipped: Skipped[] = [];

    /** The planned write of one application, or undefined when it is skipped (recorded in `skipped`). */
    async function plan(app: Application): Promise<Planned | undefined> {
      if (input.from !== undefined && app.state !== input.from) {
        skipped.push({ application: app, reason: 'moved-on' });
        return undefined;
      }
      const given = { steps: input.context?.steps, provider: input.context?.providers?.get(app.agb) };
      try {
        const applied = applyTransition(app, request, await contextFor(app.cycleId, app, request, given));
        const messages = [...new Map((input.messages?.(applied.application) ?? []).map((m) => [m.key, m])).values()];
        return { applied, previousVersion: app.version, messages };
      } catch (error) {
        if (!(error instanceof TransitionRefusedError)) throw error;
        skipped.push({ application: app, reason: 'refused', error });
        return undefined;
      }
    }

    const planned: Planned[] = [];
    for (const app of apps) {
      const p = await plan(app);
      if (p) planned.push(p);
    }
    assertDistinctMessages(planned);
    const first = await writeMany(planned);
    const written = [...first.written];
    let existingMessages = first.existingMessages;

    const given = new Map(apps.map((a) => [appKey(a.cycleId, a.agb), a]));
    for (const [cycleId, lost] of groupByCycle(first.lost)) {
      const current = await getApplications(cycleId, lost.map((l) => l.planned.applied.application.agb));
      await mapLimit(lost, 8, async ({ planned: { applied } }) => {
        const { agb } = applied.application;
        const now = current.get(agb);
        if (!now) {
          skipped.push({ application: given.get(appKey(cycleId, agb))!, reason: 'gone' });
          return;
        }
        const again = await plan(now);
        if (!again) return;
        const out = await writeTogether([again]);
        if (out.lost.length) {
          throw new ConflictError(`Application ${agb} in ${cycleId} was changed by someone else again while a batch moved it`, {
            cycleId,
            agb,
            expectedVersion: now.version,
          });
        }
        written.push(...out.written);
        existingMessages += out.existingMessages;
      });
    }

    const position = new Map(apps.map((a, i) => [appKey(a.cycleId, a.agb), i]));
    const at = (a: Application): number => position.get(appKey(a.cycleId, a.agb))!;
    const moved = written.map((p) => p.applied.application).sort((x, y) => at(x) - at(y));
    return { moved, skipped, messages: { created: written.reduce((n, p) => n + p.messages.length, 0), existing: existingMessages } };
  }

  /** Creates one application through a `from: null` row, with its first event; `created: false` with the stored one when it exists. */
  async function createApplication(input: CreateApplicationInput): Promise<{ created: boolean; application: Application }> {
    const subject: Subject = { agb: input.agb, track: input.track, state: null };
    const patch = input.patch === undefined ? undefined : applicationPatchSchema.parse(input.patch);
    const applied = openApplication({ ...input, patch }, await contextLoader()(input.cycleId, subject, input, input.context));
    try {
      await write({ applied, previousVersion: null, messages: [] });
      return { created: true, application: applied.application };
    } catch (error) {
      if (!lostRace(cancellationCodes(error))) throw error;
      const existing = await getApplication(input.cycleId, input.agb);
      if (!existing) throw new ConflictError(`Application ${input.agb} in ${input.cycleId} is being created by someone else`);
      return { created: false, application: existing };
    }
  }

  /**
   * Creates many applications (a milestone inviting a page of providers), each
   * through a `from: null` row with its first event, several per
   * TransactWriteItems. One that exists already is reported in `existing`
   * (from the cancellation, without reading it); a refusal throws before
   * anything is written.
   */
  async function createApplications(
    inputs: readonly CreateApplicationInput[],
  ): Promise<{ created: Application[]; existing: { cycleId: string; agb: string }[] }> {
    assertDistinct(inputs);
    const contextFor = contextLoader();
    const planned: Planned[] = [];
    for (const input of inputs) {
      const patch = input.patch === undefined ? undefined : applicationPatchSchema.parse(input.patch);
      const subject: Subject = { agb: input.agb, track: input.track, state: null };
      planned.push({ applied: openApplication({ ...input, patch }, await contextFor(input.cycleId, subject, input, input.context)), previousVersion: null, messages: [] });
    }
    const { written, lost } = await writeMany(planned);
    const created = written.map((p) => p.applied.application);
    const existing: { cycleId: string; agb: string }[] = [];
    const inputOf = new Map(inputs.map((i) => [appKey(i.cycleId, i.agb), i]));
    await mapLimit(lost, 8, async ({ planned: { applied }, code }) => {
      const { cycleId, agb } = applied.application;
      if (code === 'ConditionalCheckFailed') {
        existing.push({ cycleId, agb });
        return;
      }
      // Its event, or a conflict with another writer: on its own, as createApplication decides.
      const out = await createApplication(inputOf.get(appKey(cycleId, agb))!);
      if (out.created) created.push(out.application);
      else existing.push({ cycleId, agb });
    });
    return { created, existing };
  }

  return {
    getApplication,
    getApplications,
    transition,
    transitionMany,

    /**
     * Creates an application through a `from: null` row of the table, with its first
     * event. Idempotent: if it exists already, returns it with `created: false`.
     */
    createApplication,
    createApplications,

    /** The milestone fan-out: applications of a cycle in one state, by AGB code, a page at a time (gsi1). */
    async queryApplicationsByState(cycleId: string, state: ApplicationState, page: PageOptions = {}): Promise<Page<Application>> {
      return queryPage(
        deps,
        {
          IndexName: INDEXES.byCycleState.name,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': indexKeys.applicationState(cycleId, state, '').gsi1pk },
        },
        parseApplication,
        page,
      );
    },

    /** A provider's applications across cycles (gsi2). */
    async listApplicationsOfProvider(agb: string): Promise<Application[]> {
      return queryAll(
        deps,
        {
          IndexName: INDEXES.byProvider.name,
          KeyConditionExpression: 'gsi2pk = :pk AND begins_with(gsi2sk, :prefix)',
          ExpressionAttributeValues: { ':pk': indexKeys.applicationOfProvider(agb, '').gsi2pk, ':prefix': prefixes.applicationOfProvider },
        },
        parseApplication,
      );
    },

    /** The audit trail of one application, oldest first. */
    async listEvents(cycleId: string, agb: string): Promise<Event[]> {
      return queryAll(
        deps,
        {
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.event(cycleId, agb, 0).pk, ':prefix': prefixes.event },
          ConsistentRead: true,
        },
        parseEvent,
      );
    },
  };
}
