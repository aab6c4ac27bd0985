/**
 * `inkoop status` and the dashboard overview: every cycle with its execution,
 * milestones, applications per state, emails per status and what is overdue.
 * `buildStatus` is pure; `cycleStatus`/`allCycleStatuses` do the reads.
 */
import { formatLocalInstant } from '../calendar/time.ts';
import { isoAt } from '../commons/clock.ts';
import { NotFoundError } from '../commons/errors.ts';
import {
  APPLICATION_STATES,
  MESSAGE_STATUSES,
  type Application,
  type ApplicationState,
  type Cycle,
  type Message,
  type MessageStatus,
  type Question,
  type Step,
} from '../domain/index.ts';
import type { OperatorDeps } from './deps.ts';
import { failedMilestones, milestoneViews, nextStepOf, stepView } from './milestones.ts';
import { overdueGroups } from './overdue.ts';
import type { ExecutionInfo } from './ports.ts';
import { allMessages, applicationsByState } from './reads.ts';
import type { CycleHeader, CycleStatusView, StalledView } from './views.ts';

export const cycleHeader = (c: Cycle): CycleHeader => ({
  id: c.id,
  calendarId: c.calendarId,
  careType: c.careType,
  regime: c.regime,
  contract: c.contract,
  status: c.status,
  ...(c.startedAt ? { startedAt: c.startedAt } : {}),
  ...(c.finishedAt ? { finishedAt: c.finishedAt } : {}),
  ...(c.cause ? { cause: c.cause } : {}),
});

function countBy<K extends string>(keys: readonly K[], values: readonly K[]): Record<K, number> {
  const counts = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const v of values) counts[v] += 1;
  return counts;
}

export interface StatusInput {
  cycle: Cycle;
  steps: readonly Step[];
  byState: ReadonlyMap<ApplicationState, readonly Application[]>;
  /** The cycle's messages (any status). */
  messages: readonly Message[];
  questions: readonly Question[];
  execution: ExecutionInfo | undefined;
  now: number;
}

export function buildStatus(input: StatusInput): CycleStatusView {
  const { cycle, steps, byState, now } = input;
  const calendar = cycle.calendar;
  const titles = new Map(calendar.milestones.map((m) => [m.id, m.title]));
  const next = nextStepOf(steps);
  const byStateCounts = Object.fromEntries(APPLICATION_STATES.map((s) => [s, byState.get(s)?.length ?? 0])) as Record<ApplicationState, number>;
  return {
    cycle: cycleHeader(cycle),
    execution: input.execution ?? null,
    now: isoAt(now),
    nowLocal: formatLocalInstant(isoAt(now)),
    milestones: milestoneViews(calendar, steps),
    nextStep: next ? { ...stepView(next), milestoneId: next.milestoneId, title: titles.get(next.milestoneId) ?? next.milestoneId } : null,
    applications: { total: Object.values(byStateCounts).reduce((a, b) => a + b, 0), byState: byStateCounts },
    emails: {
      total: input.messages.length,
      byStatus: countBy<MessageStatus>(MESSAGE_STATUSES, input.messages.map((m) => m.status)),
    },
    questions: {
      open: input.questions.filter((q) => q.status === 'open').length,
      answered: input.questions.filter((q) => q.status === 'answered').length,
    },
    overdue: overdueGroups({
      steps,
      titles,
      underReview: byState.get('under-review') ?? [],
      agreementReached: byState.get('agreement-reached') ?? [],
      now,
    }),
    failed: failedMilestones(cycle.id, calendar, steps),
    stalled: stalledView(cycle, input.execution),
  };
}

/** A started, unfinished cycle whose chain of executions has ended: nothing will run its next step. */
export function stalledView(cycle: Cycle, execution: ExecutionInfo | undefined): StalledView | null {
  if (cycle.status !== 'running' && cycle.status !== 'failed') return null;
  if (!execution || execution.status === 'RUNNING' || execution.status === 'NOT_STARTED') return null;
  return {
    execution: execution.name,
    status: execution.status,
    ...(execution.stoppedAt ? { stoppedAt: execution.stoppedAt } : {}),
    resumeCommand: `inkoop cycle resume ${cycle.id}`,
  };
}

async function statusOf(deps: OperatorDeps, cycle: Cycle, messages: readonly Message[]): Promise<CycleStatusView> {
  const [steps, byState, questions, execution] = await Promise.all([
    deps.store.getSteps(cycle.id),
    applicationsByState(deps.store, cycle.id),
    deps.store.listQuestions(cycle.id),
    deps.executions.describe(cycle),
  ]);
  return buildStatus({ cycle, steps, byState, messages, questions, execution, now: deps.clock.now() });
}

export async function cycleStatus(deps: OperatorDeps, cycleId: string): Promise<CycleStatusView> {
  const cycle = await deps.store.getCycle(cycleId);
  if (!cycle) throw new NotFoundError(`No cycle ${cycleId}`);
  const messages = (await allMessages(deps.store)).filter((m) => m.cycleId === cycleId);
  return statusOf(deps, cycle, messages);
}

/** Every cycle, oldest first; the outbox is read once for all of them. */
export async function allCycleStatuses(deps: OperatorDeps): Promise<CycleStatusView[]> {
  const [cycles, messages] = await Promise.all([deps.store.listCycles(), allMessages(deps.store)]);
  return Promise.all(cycles.map((c) => statusOf(deps, c, messages.filter((m) => m.cycleId === c.id))));
}
