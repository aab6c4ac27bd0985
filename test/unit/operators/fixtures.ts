/**
 * Operator views built the real way (buildStatus over factory entities), and a
 * fake OperatorService that serves them and records what it was asked.
 */
import { readFileSync } from 'node:fs';
import { calendarSchema, type Calendar } from '../../../functions/calendar/schema.ts';
import { buildTimeline } from '../../../functions/calendar/timeline.ts';
import { ConflictError, NotFoundError, TransitionRefusedError } from '../../../functions/commons/errors.ts';
import type { Application, ApplicationState, Message, Question, Step } from '../../../functions/domain/index.ts';
import type { DecisionInput, DecisionResult } from '../../../functions/operators/decisions.ts';
import { UnavailableError } from '../../../functions/operators/errors.ts';
import type { AdvanceResult, OperatorService } from '../../../functions/operators/service.ts';
import { buildStatus } from '../../../functions/operators/status.ts';
import type { ClockView, CycleStatusView, DecisionQueueView, QuestionView } from '../../../functions/operators/views.ts';
import { aCycle, anApplication } from '../../support/factories.ts';

/** The MSR 2021 seed calendar: registration 1 May - 1 Jul, eligibility notification 4 Sep, signing 31 Dec 2020. */
export const MSR: Calendar = calendarSchema.parse(JSON.parse(readFileSync(new URL('../../../workflows/calendars/msr-2021.json', import.meta.url), 'utf8')));
export const NOW = Date.parse('2020-07-10T08:00:00Z');
export const CYCLE = MSR.id;

/** The test calendar's steps; those before `now` done, one failed if asked. */
export function stepsAt(now: number, options: { failed?: string } = {}): Step[] {
  return buildTimeline(MSR).map((s) => {
    const done = Date.parse(s.at) <= now;
    const failed = s.stepId === options.failed;
    return {
      ...s,
      cycleId: CYCLE,
      status: failed ? 'failed' : done ? 'done' : 'due',
      attempts: done || failed ? (failed ? 3 : 1) : 0,
      ...(failed ? { cause: 'Lambda.Unknown: boom' } : {}),
    };
  });
}

export function apps(state: ApplicationState, n: number, extra: Partial<Application> = {}): Application[] {
  return Array.from({ length: n }, (_, i) =>
    anApplication({ cycleId: CYCLE, agb: String(20_000_000 + i + state.length * 100).padStart(8, '0'), state, providerName: `Aanbieder ${state} ${i}`, track: 'new', ...extra }),
  );
}

export function aStatus(options: { now?: number; failed?: string; byState?: Partial<Record<ApplicationState, Application[]>>; messages?: Message[]; questions?: Question[] } = {}): CycleStatusView {
  const now = options.now ?? NOW;
  const byState = new Map(Object.entries(options.byState ?? { 'under-review': apps('under-review', 2), invited: apps('invited', 3) }) as [ApplicationState, Application[]][]);
  return buildStatus({
    cycle: aCycle({ calendar: MSR, status: 'running' }),
    steps: stepsAt(now, { failed: options.failed }),
    byState,
    messages: options.messages ?? [],
    questions: options.questions ?? [],
    execution: { name: `${CYCLE}-1`, status: 'RUNNING', startedAt: '2020-03-01T00:00:00.000Z' },
    now,
  });
}

export const aQuestionView = (overrides: Partial<QuestionView> = {}): QuestionView => ({
  id: 'q-1',
  cycleId: CYCLE,
  agb: '12345678',
  kind: 'question',
  text: 'Geldt de norm ook voor nevenlocaties?',
  askedAt: '2020-05-02T10:00:00.000Z',
  status: 'open',
  public: false,
  ...overrides,
});

export interface FakeService extends OperatorService {
  calls: { method: string; args: unknown[] }[];
  /** Make the next call of `method` throw this. */
  failNext(method: keyof OperatorService, error: Error): void;
}

/** An OperatorService over fixed views; `decide` on AGB 99999999 is refused, on 88888888 loses a race. */
export function fakeService(status: CycleStatusView = aStatus()): FakeService {
  const calls: FakeService['calls'] = [];
  const failures = new Map<string, Error>();
  const clock: ClockView = { now: status.now, nowLocal: status.nowLocal, canAdvance: true, nextWakeUp: '2020-07-20T07:00:00.000Z' };
  const queue: DecisionQueueView = {
    cycleId: status.cycle.id,
    due: null,
    applications: (status.overdue.find((g) => g.kind === 'undecided-eligibility')?.applications ?? []).map((a) => a),
  };
  const track = <T>(method: string, args: unknown[], value: () => T): Promise<T> => {
    calls.push({ method, args });
    const failure = failures.get(method);
    if (failure) {
      failures.delete(method);
      return Promise.reject(failure);
    }
    try {
      return Promise.resolve(value());
    } catch (error) {
      return Promise.reject(error);
    }
  };
  const known = (cycleId: string) => {
    if (cycleId !== status.cycle.id) throw new NotFoundError(`No cycle ${cycleId}`);
  };
  return {
    calls,
    failNext: (method, error) => void failures.set(method, error),
    cycles: () => track('cycles', [], () => [status]),
    cycle: (cycleId) =>
      track('cycle', [cycleId], () => {
        known(cycleId);
        return status;
      }),
    decisionQueue: (cycleId) =>
      track('decisionQueue', [cycleId], () => {
        known(cycleId);
        return queue;
      }),
    decide: (target, input: DecisionInput, by) =>
      track('decide', [target, input, by], (): DecisionResult => {
        known(target.cycleId);
        if (target.agb === '99999999') throw new TransitionRefusedError('Transition refused for 99999999: invited → ? on purchaser decision eligible');
        if (target.agb === '88888888') throw new ConflictError('Application 88888888 was changed by someone else');
        return { cycleId: target.cycleId, agb: target.agb, providerName: 'Aanbieder', state: input.decision, version: 5, decision: input.decision, reason: input.reason, by, at: status.now };
      }),
    questions: (cycleId, filter) =>
      track('questions', [cycleId, filter], () => {
        known(cycleId);
        return [aQuestionView()];
      }),
    answer: (target, input, by) =>
      track('answer', [target, input, by], () => aQuestionView({ id: target.id, status: 'answered', public: input.public, answer: { text: input.text, by, at: status.now } })),
    retry: (cycleId, milestoneId, by) =>
      track('retry', [cycleId, milestoneId, by], () => {
        known(cycleId);
        if (milestoneId === 'nope') throw new UnavailableError('Retrying milestones is not available here');
        return { cycleId, milestoneId, steps: [`${milestoneId}#notify`], executionName: `${cycleId}-retry-1`, executionArn: null };
      }),
    resume: (cycleId, by) =>
      track('resume', [cycleId, by], () => {
        known(cycleId);
        return { cycleId, steps: ['registration#closes'], executionName: `${cycleId}--resume-1`, executionArn: null };
      }),
    emails: (filter) => track('emails', [filter], () => ({ emails: [], total: 0 })),
    searchProviders: (search) => track('searchProviders', [search], () => [{ agb: '12345678', name: 'Zorg & Co <b>', careTypes: ['test'] }]),
    provider: (agb) =>
      track('provider', [agb], () => {
        if (agb !== '12345678') throw new NotFoundError(`No provider ${agb}`);
        return { provider: null, applications: [], emails: [], questions: [], reachability: null, corrections: [] };
      }),
    clock: () => track('clock', [], () => clock),
    advanceClock: () => track('advanceClock', [], (): AdvanceResult => ({ ...clock, moved: { from: clock.now, to: '2020-07-20T07:00:00.000Z' } })),
    findQuestion: (id, cycleId) => track('findQuestion', [id, cycleId], () => aQuestionView({ id })),
    createCycle: (input) =>
      track('createCycle', [input], () => ({
        created: true,
        calendarDiffers: false,
        cycle: { id: CYCLE, status: 'planned', careType: 'MSR', firstYear: 2021 },
        steps: { total: 8, first: null },
      })),
    startCycle: (cycleId) =>
      track('startCycle', [cycleId], () => {
        known(cycleId);
        return { cycleId, executionArn: `arn:aws:states:eu-west-1:123456789012:execution:cycles:${cycleId}` };
      }),
    amend: (target, input, by) =>
      track('amend', [target, input, by], () => {
        known(target.cycleId);
        return { ...target, amendment: 1, changes: [], moved: [], soon: [], notified: 0, resumed: false };
      }),
    importUpload: (request) =>
      track('importUpload', [request], () => ({ url: 'https://bucket.s3.amazonaws.com/imports/x', headers: {}, key: 'imports/x', expiresAt: status.now })),
    importProviders: (request) =>
      track('importProviders', [request], () => ({ file: request.name, providers: 1, created: 1, updated: 0, unchanged: 0, dryRun: !!request.dryRun })),
    unreachable: () =>
      track('unreachable', [], () => [
        {
          agb: '20001200',
          providerName: 'Zorg & Co <b>',
          status: 'unreachable' as const,
          episode: 1,
          since: '2020-07-01T07:00:00.000Z',
          cycleId: CYCLE,
          failed: [{ contactId: 'c-old', address: 'bounce+x@simulator.amazonses.com', status: 'bounced' as const, diagnostic: 'Permanent/General: smtp; 550 5.1.1 user unknown', messageKey: 'k' }],
          escalationKey: 'e',
        },
      ]),
    correctContact: (agb, input, by) =>
      track('correctContact', [agb, input, by], () => ({ agb, contactId: 'c-old', newContactId: 'c-new', resent: null, resolvedEpisode: null })),
  };
}

