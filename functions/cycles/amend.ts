/**
 * Amending a date of a running cycle's calendar (`inkoop calendar amend`).
 *
 * The regulator (NZa, Zvw transparency rule art. 7) wants changes after
 * publication justified and announced the same way as the policy, so:
 * - a reason is required;
 * - the amended calendar passes the same rules as a calendar file (parseCalendar),
 *   e.g. a Zvw contracted-provider publication after 12 November is refused;
 * - the steps are recomputed (putSteps: a step already done stays done; a moved
 *   step keeps its progress). The running execution re-reads its next step at
 *   least once a day, so it follows the new date whether it moved later or earlier;
 * - an audit entry records who changed what, why;
 * - every provider of the care type AND every provider with an application in
 *   the cycle (../milestones/audience.ts) gets a calendar-amended email, with
 *   the amended calendar as .ics (the policy went to all providers of the care
 *   type, and the cycle's applicants may include others).
 *
 * A step that is running or failed cannot be moved: it has partly run, and its
 * emails are matched to what it moved by its date. Finish or retry it first.
 *
 * Refused too, with nothing written: a finished (done or cancelled) cycle; a
 * date whose step is done already (it happened: a reminder that went out may
 * move along with its deadline, and stays done); a new date before today on
 * the cycle's clock (the operator's, or a rehearsal's virtual time).
 *
 * Each amendment counts (`cycle.amendments`, `amendedAt`): the SEQUENCE and
 * LAST-MODIFIED of the agenda file, so agendas replace the moved events.
 *
 * Re-running the same amendment (e.g. after a crash halfway) finishes it:
 * the notices of that amendment are keyed by its number and are queued once.
 */
import { calendarToIcs } from '../calendar/ics.ts';
import { isDeadlineKind, isWindowKind, type Calendar, type Milestone } from '../calendar/schema.ts';
import { localDateAt } from '../calendar/time.ts';
import { buildTimeline } from '../calendar/timeline.ts';
import { parseCalendar } from '../calendar/validate.ts';
import { systemClock, type Clock } from '../commons/clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../commons/errors.ts';
import { icsVersion } from '../domain/cycle.ts';
import { messageKey } from '../domain/messages.ts';
import type { Actor, Cycle, CycleAudit, MessageInput, Provider, Step } from '../domain/model.ts';
import { parseParams } from '../email/templates.ts';
import { forEachInAudience } from '../milestones/audience.ts';
import { providerBase } from '../milestones/messages.ts';
import type { Store } from '../store/index.ts';

export const AMENDMENT_TEMPLATE = 'calendar-amended';

export interface AmendInput {
  cycleId: string;
  milestoneId: string;
  /** The new date of a single-date milestone. */
  newDate?: string;
  /** The new first and/or last day of a window (registration, negotiations). */
  newOpens?: string;
  newCloses?: string;
  reason: string;
  actor: Actor;
}

type Field = 'date' | 'opens' | 'closes';
export interface Change {
  field: Field;
  from: string;
  to: string;
}

export interface AmendResult {
  cycle: Cycle;
  audit: CycleAudit;
  changes: Change[];
  /** Steps whose instant changed (before → after). */
  moved: { stepId: string; from: string; to: string; status: Step['status'] }[];
  /** Moved steps now due within a day: the waiting execution may pick them up to a day late. */
  soon: string[];
  /** Providers sent a notice (each once per changed date). */
  notified: number;
  /** An earlier run of the same amendment was finished. */
  resumed: boolean;
}

const REASON_REQUIRED =
  'A reason is required: the regulator requires every change to a published calendar to be justified and announced the same way as the policy';

function requestedChanges(milestone: Milestone, input: AmendInput): { field: Field; to: string }[] {
  if (isWindowKind(milestone.kind)) {
    if (input.newDate !== undefined) {
      throw new ValidationError(`${milestone.id} is a window (${milestone.opens} t/m ${milestone.closes}): give the new opening and/or closing day`, [
        { path: 'date', message: 'a window has no single date', expected: '--opens and/or --closes' },
      ]);
    }
    const changes = [
      ...(input.newOpens !== undefined ? [{ field: 'opens' as const, to: input.newOpens }] : []),
      ...(input.newCloses !== undefined ? [{ field: 'closes' as const, to: input.newCloses }] : []),
    ];
    if (!changes.length) throw new ValidationError(`Give the new opening and/or closing day of ${milestone.id}`, [{ path: 'date', message: 'missing' }]);
    return changes;
  }
  if (input.newOpens !== undefined || input.newCloses !== undefined) {
    throw new ValidationError(`${milestone.id} has a single date (${milestone.date}), not a window`, [{ path: 'opens', message: 'not a window', expected: 'a date' }]);
  }
  if (input.newDate === undefined) throw new ValidationError(`Give the new date of ${milestone.id}`, [{ path: 'date', message: 'missing' }]);
  return [{ field: 'date', to: input.newDate }];
}

const sameChanges = (a: readonly { field: Field; to: string }[], b: readonly { field: Field; to: string }[]) =>
  a.length === b.length && a.every((x) => b.some((y) => y.field === x.field && y.to === x.to));

/** `options.clock`: the operator's time (default the system clock; a rehearsal passes its virtual time). */
export async function amendMilestone(store: Store, input: AmendInput, options: { clock?: Clock } = {}): Promise<AmendResult> {
  const clock = options.clock ?? systemClock;
  const reason = input.reason?.trim() ?? '';
  if (!reason) throw new ValidationError(REASON_REQUIRED, [{ path: 'reason', message: 'required', expected: '--reason "…"' }]);
  const cycle = await store.getCycle(input.cycleId);
  if (!cycle) throw new NotFoundError(`No cycle ${input.cycleId}`);
  const index = cycle.calendar.milestones.findIndex((m) => m.id === input.milestoneId);
  if (index < 0) {
    throw new NotFoundError(`No milestone ${input.milestoneId} in cycle ${cycle.id} (its milestones: ${cycle.calendar.milestones.map((m) => m.id).join(', ')})`);
  }
  const milestone = cycle.calendar.milestones[index];
  const requested = requestedChanges(milestone, input);
  const changes: Change[] = requested.filter((c) => milestone[c.field] !== c.to).map((c) => ({ ...c, from: milestone[c.field]! }));

  let audit: CycleAudit;
  let calendar: Calendar;
  let amended: Cycle = cycle;
  let resumed = false;
  const before = await store.getSteps(cycle.id);
  if (changes.length) assertAmendable(cycle, milestone, changes, before, clock.now());
  if (!changes.length) {
    // Already on these dates: finish the amendment that put them there, or there is nothing to do.
    const last = (await store.listCycleAudit(cycle.id)).filter((a) => a.kind === 'amendment').at(-1);
    if (last?.kind !== 'amendment' || last.milestoneId !== milestone.id || !sameChanges(last.changes, requested)) {
      throw new ValidationError(`${milestone.id} is already on ${requested.map((c) => c.to).join(' t/m ')}: nothing to amend`, [
        { path: 'date', message: 'unchanged' },
      ]);
    }
    audit = last;
    calendar = cycle.calendar;
    resumed = true;
  } else {
    const raw = structuredClone(cycle.calendar) as Calendar;
    for (const c of changes) raw.milestones[index][c.field] = c.to;
    calendar = parseCalendar(raw, `${cycle.id} amended (${milestone.id})`);
    assertMovable(before, buildTimeline(calendar));
    audit = await store.recordCycleAudit(cycle.id, { kind: 'amendment', actor: input.actor, milestoneId: milestone.id, reason, changes });
    const at = new Date(clock.now()).toISOString();
    amended = { ...cycle, calendar, amendments: (cycle.amendments ?? 0) + 1, amendedAt: at, updatedAt: at };
    await store.putCycle(amended);
  }

  const after = await store.putSteps(cycle.id, buildTimeline(calendar));
  const now = clock.now();
  const previous = new Map(before.map((s) => [s.stepId, s]));
  const moved = after
    .filter((s) => previous.get(s.stepId) && previous.get(s.stepId)!.at !== s.at)
    .map((s) => ({ stepId: s.stepId, from: previous.get(s.stepId)!.at, to: s.at, status: s.status }));
  const soon = moved.filter((m) => m.status !== 'done' && Date.parse(m.to) - now < 86_400_000).map((m) => m.stepId);

  const notified = await notify(store, amended, milestone, audit, clock);
  return { cycle: amended, audit, changes: audit.kind === 'amendment' ? audit.changes : [], moved, soon, notified, resumed };
}

/** The step of a milestone that a changed date is the instant of (not its reminders). */
const PHASE_OF: Record<Field, readonly Step['phase'][]> = { date: ['notify', 'deadline'], opens: ['opens'], closes: ['closes'] };

/** A finished cycle, a date that already happened, a new date in the past: refused before anything is written. */
function assertAmendable(cycle: Cycle, milestone: Milestone, changes: readonly Change[], steps: readonly Step[], now: number): void {
  if (cycle.status === 'done' || cycle.status === 'cancelled') {
    throw new ConflictError(`Cycle ${cycle.id} is ${cycle.status}: its calendar can no longer be amended`, { cycleId: cycle.id, status: cycle.status });
  }
  const done = changes.flatMap((c) =>
    steps.filter((s) => s.milestoneId === milestone.id && PHASE_OF[c.field].includes(s.phase) && s.status === 'done').map((s) => `${s.stepId} (${c.from})`),
  );
  if (done.length) {
    throw new ConflictError(`Cannot move ${done.join(', ')} of ${cycle.id}: it is done already, so that date has happened`, { steps: done });
  }
  const today = localDateAt(now);
  const past = changes.filter((c) => c.to < today);
  if (past.length) {
    throw new ValidationError(
      `Cannot move ${milestone.id} of ${cycle.id} into the past: today is ${today} on the cycle's clock`,
      past.map((c) => ({ path: c.field, message: 'in the past', expected: `${today} or later`, found: c.to })),
    );
  }
}

/** Refuses to move a step that has partly run. */
function assertMovable(current: readonly Step[], timeline: ReturnType<typeof buildTimeline>): void {
  const next = new Map(timeline.map((s) => [s.stepId, s.at]));
  const blocked = current.filter((s) => (s.status === 'running' || s.status === 'failed') && next.get(s.stepId) !== s.at);
  if (blocked.length) {
    throw new ConflictError(
      `Cannot move ${blocked.map((s) => `${s.stepId} (${s.status})`).join(', ')}: it has partly run. ` +
        'Let it finish, or retry it (inkoop milestone retry); a step left running by an execution that died (inkoop status shows the cycle stalled) goes back to due with inkoop cycle resume. Then amend.',
      { steps: blocked.map((s) => s.stepId) },
    );
  }
}

const TITLE_SUFFIX: Record<Field, string> = { date: '', opens: ' (begin)', closes: ' (einde)' };

async function notify(store: Store, cycle: Cycle, milestone: Milestone, audit: CycleAudit, clock: Clock): Promise<number> {
  if (audit.kind !== 'amendment') return 0;
  const ics = calendarToIcs(cycle.calendar, { clock, ...icsVersion(cycle) });
  const ctx = { cycle };
  const messagesFor = (provider: Provider): MessageInput[] =>
    audit.changes.map((change) => {
      const params = {
        ...providerBase(ctx, provider),
        milestoneTitle: `${milestone.title}${TITLE_SUFFIX[change.field]}`,
        oldDate: change.from,
        newDate: change.to,
        reason: audit.reason,
        isDeadline: isDeadlineKind(milestone.kind) || change.field === 'closes',
        ics,
      };
      parseParams(AMENDMENT_TEMPLATE, params);
      return {
        key: messageKey({ cycleId: cycle.id, agb: provider.agb, cause: `amendment-${audit.seq}-${change.field}`, template: AMENDMENT_TEMPLATE }),
        cycleId: cycle.id,
        agb: provider.agb,
        recipients: provider.contacts.map((c) => ({ role: c.role, address: c.email, name: c.name, contactId: c.id })),
        template: AMENDMENT_TEMPLATE,
        params,
      };
    });
  let notified = 0;
  await forEachInAudience(store, cycle, async (providers) => {
    await store.enqueueMessages(providers.flatMap(messagesFor));
    notified += providers.length;
  });
  return notified;
}
