/** Cycle services against DynamoDB Local: create, start, amend, retry. */
import { beforeEach, describe, expect, it } from 'vitest';
import { buildTimeline } from '../../../functions/calendar/timeline.ts';
import { loadCalendar } from '../../../functions/calendar/validate.ts';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../../functions/commons/errors.ts';
import { amendMilestone } from '../../../functions/cycles/amend.ts';
import { createCycle, startCycle } from '../../../functions/cycles/create.ts';
import type { ExecutionStarter } from '../../../functions/cycles/executions.ts';
import { retryMilestone } from '../../../functions/cycles/retry.ts';
import { render } from '../../../functions/email/templates.ts';
import type { Store } from '../../../functions/store/index.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { aProviderContent } from '../../support/factories.ts';

const local = useDynamoDbLocal();
const OPERATOR = { kind: 'operator', id: 'operator-1' } as const;
let store: Store;
let clock: VirtualClock;
let started: { name: string; cycleId: string }[];
const executions: ExecutionStarter = { startExecution: async (r) => {
    started.push(r);
    return { executionArn: `arn:sfn:${r.name}` };
  } };

beforeEach(async () => {
  clock = new VirtualClock('2020-02-01T10:00:00Z');
  store = await local.freshStore(clock);
  started = [];
});

const queued = async (cycleId: string) => (await store.queryMessagesByStatus('queued')).items.filter((m) => m.cycleId === cycleId);

describe('createCycle and startCycle', () => {
  it('creates the cycle with its timeline once; a second create changes nothing', async () => {
    const calendar = await loadCalendar('msr-2021');
    const first = await createCycle(store, calendar, clock);
    expect(first).toMatchObject({ created: true, calendarDiffers: false, cycle: { id: 'msr-2021', status: 'planned' } });
    expect(first.steps.map((s) => s.stepId).sort()).toEqual(buildTimeline(calendar).map((s) => s.stepId).sort());
    expect(first.steps.every((s) => s.status === 'due' && s.attempts === 0)).toBe(true);

    const again = await createCycle(store, calendar, clock);
    expect(again).toMatchObject({ created: false, calendarDiffers: false });
    expect((await createCycle(store, { ...calendar, sendTime: '10:00' }, clock)).calendarDiffers).toBe(true);
    expect(await store.listCycles()).toHaveLength(1);
  });

  it('starts a planned cycle once, named after it', async () => {
    await createCycle(store, await loadCalendar('zvt-2021'), clock);
    const { executionArn } = await startCycle(store, executions, 'zvt-2021');
    expect(executionArn).toBe('arn:sfn:zvt-2021');
    expect(started).toEqual([{ name: 'zvt-2021', cycleId: 'zvt-2021' }]);
    expect(await store.getCycle('zvt-2021')).toMatchObject({ status: 'running', executionArn });
    await expect(startCycle(store, executions, 'zvt-2021')).rejects.toBeInstanceOf(ConflictError);
    await expect(startCycle(store, executions, 'nope')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('amendMilestone', () => {
  beforeEach(async () => {
    await createCycle(store, await loadCalendar('msr-2021'), clock);
  });

  const amend = (input: Partial<Parameters<typeof amendMilestone>[1]>) =>
    amendMilestone(store, { cycleId: 'msr-2021', milestoneId: 'proposal-deadline', reason: 'Later beschikbaar', actor: OPERATOR, ...input }, { clock });

  it('requires a reason', async () => {
    await expect(amend({ newDate: '2020-09-22', reason: '  ' })).rejects.toThrow(/reason is required/);
  });

  it('applies the calendar rules: a Zvw contracted-provider publication after 12 November is refused', async () => {
    const refused = await amend({ milestoneId: 'contracted-publication', newDate: '2020-11-13' }).catch((e) => e);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).issues[0]).toMatchObject({ path: 'milestones[6].date', expected: 'on or before 2020-11-12', found: '2020-11-13' });
    await expect(amend({ milestoneId: 'registration', newDate: '2020-07-15' })).rejects.toThrow(/window/);
    await expect(amend({ milestoneId: 'nope', newDate: '2020-07-15' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(amend({ newDate: '2020-09-15' })).rejects.toThrow(/already on/);
    expect((await store.getCycle('msr-2021'))?.calendar.milestones[6].date).toBe('2020-11-12');
  });

  it('moves the steps (done ones stay done), records the amendment and tells every provider of the care type and of the cycle, once', async () => {
    for (let i = 0; i < 3; i++) await store.putProvider(aProviderContent({ careTypes: ['msr'] }), { previous: null });
    const other = (await store.putProvider(aProviderContent({ careTypes: ['zg'] }), { previous: null })).provider;
    await store.createApplication({ cycleId: 'msr-2021', agb: other.agb, track: 'new', providerName: other.name, trigger: { kind: 'operator', action: 'register' }, actor: OPERATOR });
    await store.putProvider(aProviderContent({ careTypes: ['zg'] }), { previous: null }); // not in the cycle
    await store.updateStep('msr-2021', 'proposal-deadline#reminder-14', { status: 'running' });
    await store.updateStep('msr-2021', 'proposal-deadline#reminder-14', { status: 'done' });

    const result = await amend({ newDate: '2020-09-22', reason: 'De overeenkomst komt een week later beschikbaar.' });

    expect(result.changes).toEqual([{ field: 'date', from: '2020-09-15', to: '2020-09-22' }]);
    expect(result.moved.map((m) => [m.stepId, m.to, m.status])).toEqual([
      ['proposal-deadline#reminder-14', '2020-09-08T07:00:00.000Z', 'done'],
      ['proposal-deadline#reminder-3', '2020-09-19T07:00:00.000Z', 'due'],
      ['proposal-deadline#deadline', '2020-09-22T22:00:00.000Z', 'due'],
    ]);
    expect((await store.getCycle('msr-2021'))?.calendar.milestones.find((m) => m.id === 'proposal-deadline')?.date).toBe('2020-09-22');
    expect(await store.listCycleAudit('msr-2021')).toEqual([
      expect.objectContaining({ seq: 1, kind: 'amendment', milestoneId: 'proposal-deadline', reason: 'De overeenkomst komt een week later beschikbaar.', actor: OPERATOR }),
    ]);
    const notices = await queued('msr-2021');
    expect(notices).toHaveLength(4);
    expect(result.notified).toBe(4);
    expect(notices.map((m) => m.agb)).toContain(other.agb);
    const notice = notices[0];
    expect(notice.key).toMatch(/^msr-2021#\d{8}#amendment-1-date#calendar-amended$/);
    expect(notice.params).toMatchObject({ oldDate: '2020-09-15', newDate: '2020-09-22', isDeadline: true, milestoneTitle: 'Voorstel voor een financiële afspraak' });
    expect(render(notice.template, notice.params).attachments?.[0].contentType).toBe('text/calendar');

    // The same command again (e.g. after a crash halfway) finishes it without a second notice.
    const again = await amend({ newDate: '2020-09-22', reason: 'De overeenkomst komt een week later beschikbaar.' });
    expect(again.resumed).toBe(true);
    expect(await queued('msr-2021')).toHaveLength(4);
    expect(await store.listCycleAudit('msr-2021')).toHaveLength(1);
  });

  it('keeps every rule of a calendar file: order, windows, the NZa dates', async () => {
    expect((await amend({ newDate: '2020-08-30' }).catch((e) => e)).issues[0].message).toMatch(/chronological order/);
    await expect(amend({ milestoneId: 'registration', newCloses: '2020-04-30' })).rejects.toBeInstanceOf(ValidationError);
    await expect(amend({ milestoneId: 'policy-publication', newDate: '2020-04-02' })).rejects.toBeInstanceOf(ValidationError);
    expect(await store.listCycleAudit('msr-2021')).toEqual([]);
  });

  it('refuses, with nothing written, a finished cycle, a date that already happened and a date in the past of the cycle\'s clock', async () => {
    const nothingWritten = async () => {
      expect(await store.listCycleAudit('msr-2021')).toEqual([]);
      expect(await queued('msr-2021')).toEqual([]);
      const cycle = (await store.getCycle('msr-2021'))!;
      expect(cycle.amendments).toBeUndefined();
      expect(cycle.calendar).toEqual(await loadCalendar('msr-2021'));
    };
    await store.putProvider(aProviderContent({ careTypes: ['msr'] }), { previous: null });

    clock.advanceTo('2020-09-10T10:00:00Z');
    const past = await amend({ newDate: '2020-09-09' }).catch((e) => e);
    expect(past).toBeInstanceOf(ValidationError);
    expect(past.message).toMatch(/into the past: today is 2020-09-10/);
    await nothingWritten();

    await store.updateStep('msr-2021', 'agreement-available#notify', { status: 'running' });
    await store.updateStep('msr-2021', 'agreement-available#notify', { status: 'done' });
    const happened = await amend({ milestoneId: 'agreement-available', newDate: '2020-09-11' }).catch((e) => e);
    expect(happened).toBeInstanceOf(ConflictError);
    expect(happened.message).toMatch(/agreement-available#notify \(2020-09-01\) of msr-2021: it is done already/);
    await nothingWritten();

    await store.updateCycleStatus('msr-2021', 'done');
    const finished = await amend({ newDate: '2020-09-22' }).catch((e) => e);
    expect(finished).toBeInstanceOf(ConflictError);
    expect(finished.message).toMatch(/msr-2021 is done: its calendar can no longer be amended/);
    await nothingWritten();
  });

  it('counts amendments: the notice\'s agenda file carries SEQUENCE and LAST-MODIFIED', async () => {
    await store.putProvider(aProviderContent({ careTypes: ['msr'] }), { previous: null });
    await amend({ newDate: '2020-09-22' });
    clock.advanceTo('2020-03-01T12:00:00Z');
    await amend({ newDate: '2020-09-29' });
    expect(await store.getCycle('msr-2021')).toMatchObject({ amendments: 2, amendedAt: '2020-03-01T12:00:00.000Z' });
    const second = (await queued('msr-2021')).find((m) => m.key.includes('#amendment-2-'))!;
    const ics = render(second.template, second.params).attachments![0].content;
    expect(ics).toContain('METHOD:PUBLISH');
    expect(ics).toContain('SEQUENCE:2');
    expect(ics).toContain('LAST-MODIFIED:20200301T120000Z');
  });

  it('moves a window\'s close, and refuses to move a step that is running', async () => {
    const result = await amend({ milestoneId: 'registration', newCloses: '2020-07-08' });
    expect(result.changes).toEqual([{ field: 'closes', from: '2020-07-01', to: '2020-07-08' }]);
    expect(result.moved.map((m) => m.stepId)).toEqual(['registration#reminder-14', 'registration#reminder-3', 'registration#closes']);

    await store.updateStep('msr-2021', 'eligibility-notification#notify', { status: 'running' });
    await expect(amend({ milestoneId: 'eligibility-notification', newDate: '2020-09-03' })).rejects.toBeInstanceOf(ConflictError);
  });
});

describe('retryMilestone', () => {
  it('puts the failed step back and starts <cycle>-retry-<n>, numbering each retry', async () => {
    await createCycle(store, await loadCalendar('zvt-2021'), clock);
    const fail = async () => {
      await store.updateStep('zvt-2021', 'policy-publication#notify', { status: 'running' });
      await store.updateStep('zvt-2021', 'policy-publication#notify', { status: 'failed', cause: 'Error: boom' });
      await store.updateCycleStatus('zvt-2021', 'failed', { cause: 'policy-publication#notify: Error: boom' });
    };
    await fail();
    const first = await retryMilestone(store, executions, { cycleId: 'zvt-2021', milestone: 'policy-publication', actor: OPERATOR });
    expect(first).toMatchObject({ executionName: 'zvt-2021-retry-1', executionArn: 'arn:sfn:zvt-2021-retry-1', cycle: { status: 'running' } });
    expect(await store.getSteps('zvt-2021').then((s) => s[0])).toMatchObject({ stepId: 'policy-publication#notify', status: 'due', cause: 'Error: boom' });

    await fail();
    // Locally without a starter: the step is put back, nothing started.
    const second = await retryMilestone(store, undefined, { cycleId: 'zvt-2021', milestone: 'policy-publication#notify', actor: OPERATOR });
    expect(second).toMatchObject({ executionName: 'zvt-2021-retry-2' });
    expect(second.executionArn).toBeUndefined();
    // The cycle is still failed and its step due: a retry now only starts the execution.
    const third = await retryMilestone(store, executions, { cycleId: 'zvt-2021', milestone: 'policy-publication', actor: OPERATOR });
    expect(third).toMatchObject({ executionName: 'zvt-2021-retry-3' });
    expect(started.map((s) => s.name)).toEqual(['zvt-2021-retry-1', 'zvt-2021-retry-3']);
    await expect(retryMilestone(store, executions, { cycleId: 'zvt-2021', milestone: 'nope', actor: OPERATOR })).rejects.toBeInstanceOf(NotFoundError);
  });
});
