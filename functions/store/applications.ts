/**
 * Applications and their audit trail. Every state change is one
 * TransactWriteItems: the application put conditioned on the version it was
 * read at, plus the event put conditioned on its key being new. Two writers
 * from the same version: one wins, the other gets ConflictError, and nothing
 * is half-written.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../commons/errors.ts';
import type { GuardContext } from '../domain/guards.ts';
import { applicationPatchSchema, applicationSchema, eventSchema, type Application, type Event, type Provider, type Step } from '../domain/model.ts';
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
import { cancellationCodes, clean, lostRace, queryAll, queryPage, type Page, type PageOptions, type StoreDeps, type TransactItem } from './dynamo.ts';
import { indexKeys, keys, prefixes, withoutKeys } from './keys.ts';

const parseApplication = (item: Record<string, unknown>): Application => applicationSchema.parse(withoutKeys(item));
const parseEvent = (item: Record<string, unknown>): Event => eventSchema.parse(withoutKeys(item));

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

export interface CreateApplicationInput extends OpenRequest {
  context?: GivenContext;
}

interface Lookups {
  getSteps(cycleId: string): Promise<Step[]>;
  getProvider(agb: string): Promise<Provider | undefined>;
}

export const applicationItem = (app: Application): Record<string, unknown> =>
  clean({
    ...app,
    ...keys.application(app.cycleId, app.agb),
    ...indexKeys.applicationState(app.cycleId, app.state, app.agb),
    ...indexKeys.applicationOfProvider(app.agb, app.cycleId),
  });

const eventItem = (event: Event): Record<string, unknown> => clean({ ...event, ...keys.event(event.cycleId, event.agb, event.version) });

export function applicationRepository(deps: StoreDeps, lookups: Lookups) {
  const { doc, tableName: TableName, clock } = deps;

  async function getApplication(cycleId: string, agb: string): Promise<Application | undefined> {
    const out = await doc.send(new GetCommand({ TableName, Key: keys.application(cycleId, agb), ConsistentRead: true }));
    return out.Item ? parseApplication(out.Item) : undefined;
  }

  async function contextFor(cycleId: string, subject: Subject, request: ApplyRequest, given: GivenContext = {}): Promise<Omit<GuardContext, 'actor'>> {
    const needs = contextNeeds(subject, request);
    return {
      now: clock.now(),
      steps: given.steps ?? (needs.has('steps') ? await lookups.getSteps(cycleId) : undefined),
      provider: given.provider ?? (needs.has('provider') ? await lookups.getProvider(subject.agb) : undefined),
    };
  }

  /** Writes an application and its event in one transaction; the condition says which version it replaces. */
  async function write({ application, event }: AppliedTransition, previousVersion: number | null, extra: TransactItem[] = []): Promise<void> {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
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
          ...extra,
        ],
      }),
    );
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
    const applied = applyTransition(app, { ...input, patch }, await contextFor(app.cycleId, app, input, input.context));
    try {
      await write(applied, expected, input.alsoWrite?.(applied.application));
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

  return {
    getApplication,
    transition,

    /**
     * Creates an application through a `from: null` row of the table, with its first
     * event. Idempotent: if it exists already, returns it with `created: false`.
     */
    async createApplication(input: CreateApplicationInput): Promise<{ created: boolean; application: Application }> {
      const subject: Subject = { agb: input.agb, track: input.track, state: null };
      const patch = input.patch === undefined ? undefined : applicationPatchSchema.parse(input.patch);
      const applied = openApplication({ ...input, patch }, await contextFor(input.cycleId, subject, input, input.context));
      try {
        await write(applied, null);
        return { created: true, application: applied.application };
      } catch (error) {
        if (!lostRace(cancellationCodes(error))) throw error;
        const existing = await getApplication(input.cycleId, input.agb);
        if (!existing) throw new ConflictError(`Application ${input.agb} in ${input.cycleId} is being created by someone else`);
        return { created: false, application: existing };
      }
    },

    /** The milestone fan-out: applications of a cycle in one state, by AGB code, a page at a time (gsi1). */
    async queryApplicationsByState(cycleId: string, state: ApplicationState, page: PageOptions = {}): Promise<Page<Application>> {
      return queryPage(
        deps,
        {
          IndexName: 'gsi1',
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
          IndexName: 'gsi2',
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
