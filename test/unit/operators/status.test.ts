import { describe, expect, it } from 'vitest';
import { daysLeft, overdueGroups } from '../../../functions/operators/overdue.ts';
import { failedMilestones, milestoneViews } from '../../../functions/operators/milestones.ts';
import { aMessage, aQuestion } from '../../support/factories.ts';
import { CYCLE, MSR, NOW, aStatus, apps, stepsAt } from './fixtures.ts';

const titles = new Map(MSR.milestones.map((m) => [m.id, m.title]));

describe('milestone views', () => {
  it('one per calendar milestone, with its steps, local and UTC times, and the next one marked', () => {
    const views = milestoneViews(MSR, stepsAt(NOW));
    expect(views.map((m) => m.id)).toEqual(MSR.milestones.map((m) => m.id));
    const [policy, registration, agreement] = views;
    expect(policy.status).toBe('done');
    // 10 July: the window opened (done) and closed (00:00 on 2 July, done)
    expect(registration).toMatchObject({ opens: '2020-05-01', closes: '2020-07-01', status: 'done' });
    expect(registration.steps.map((s) => s.phase)).toEqual(['opens', 'reminder', 'reminder', 'closes']);
    const closes = registration.steps.at(-1)!;
    expect(closes).toMatchObject({ at: '2020-07-01T22:00:00.000Z', atLocal: '2020-07-02 00:00 +02:00' });
    expect(agreement).toMatchObject({ status: 'due', next: true });
    expect(views.filter((m) => m.next)).toHaveLength(1);
  });

  it('covers whole local days for the timeline: a window from its first to its last day', () => {
    const registration = milestoneViews(MSR, stepsAt(NOW))[1];
    expect(new Date(registration.from).toISOString()).toBe('2020-04-30T22:00:00.000Z'); // 1 May 00:00 CEST
    expect(new Date(registration.to).toISOString()).toBe('2020-07-01T21:59:59.999Z');
  });

  it('a failed step makes its milestone failed, with the cause and the retry command', () => {
    const steps = stepsAt(NOW, { failed: 'agreement-available#notify' });
    const views = milestoneViews(MSR, steps);
    expect(views.find((m) => m.id === 'agreement-available')).toMatchObject({ status: 'failed', cause: 'Lambda.Unknown: boom', next: true });
    expect(failedMilestones(CYCLE, MSR, steps)).toEqual([
      expect.objectContaining({
        milestoneId: 'agreement-available',
        stepId: 'agreement-available#notify',
        attempts: 3,
        cause: 'Lambda.Unknown: boom',
        retryCommand: 'inkoop milestone retry msr-2021 agreement-available',
      }),
    ]);
  });
});

describe('overdue', () => {
  it('undecided eligibility is due before the eligibility notification; late once it passed', () => {
    const underReview = apps('under-review', 2);
    const before = overdueGroups({ steps: stepsAt(NOW), titles, underReview, agreementReached: [], now: NOW });
    expect(before).toEqual([
      expect.objectContaining({ kind: 'undecided-eligibility', milestoneId: 'eligibility-notification', due: '2020-09-04T07:00:00.000Z', late: false, daysLeft: 56 }),
    ]);
    expect(before[0].applications.map((a) => a.agb)).toEqual(underReview.map((a) => a.agb));

    const after = Date.parse('2020-09-05T08:00:00Z');
    expect(overdueGroups({ steps: stepsAt(after), titles, underReview, agreementReached: [], now: after })[0]).toMatchObject({ late: true, daysLeft: -2 });
  });

  it('unsigned agreements are due by the end of the signing deadline day (local)', () => {
    const [group] = overdueGroups({ steps: stepsAt(NOW), titles, underReview: [], agreementReached: apps('agreement-reached', 1), now: NOW });
    expect(group).toMatchObject({ kind: 'unsigned-agreement', milestoneId: 'signing-deadline', due: '2020-12-31T22:59:59.999Z', dueLocal: '2020-12-31 23:59 +01:00' });
  });

  it('nothing waiting, no group', () => {
    expect(overdueGroups({ steps: stepsAt(NOW), titles, underReview: [], agreementReached: [], now: NOW })).toEqual([]);
  });

  it('days left round away from zero', () => {
    expect(daysLeft(NOW + 1, NOW)).toBe(1);
    expect(daysLeft(NOW + 86_400_000, NOW)).toBe(1);
    expect(daysLeft(NOW - 1, NOW)).toBe(-1);
  });
});

describe('buildStatus', () => {
  it('counts applications per state, emails per status, questions; names the next step', () => {
    const messages = [
      { ...aMessage({ cycleId: CYCLE }), status: 'sent' as const, attempts: 1, createdAt: '2020-04-01T07:00:00.000Z', updatedAt: '2020-04-01T07:00:00.000Z', params: {} },
      { ...aMessage({ cycleId: CYCLE }), status: 'failed' as const, attempts: 3, createdAt: '2020-04-01T07:00:00.000Z', updatedAt: '2020-04-01T07:00:00.000Z', params: {} },
    ];
    const questions = [
      { ...aQuestion({ cycleId: CYCLE }), askedAt: '2020-05-01T00:00:00.000Z', status: 'open' as const, public: false },
      { ...aQuestion({ cycleId: CYCLE }), askedAt: '2020-05-01T00:00:00.000Z', status: 'answered' as const, public: true },
    ];
    const s = aStatus({ messages, questions });
    expect(s.applications.total).toBe(5);
    expect(s.applications.byState).toMatchObject({ 'under-review': 2, invited: 3, eligible: 0 });
    expect(s.emails).toEqual({ total: 2, byStatus: { queued: 0, sending: 0, sent: 1, failed: 1 } });
    expect(s.questions).toEqual({ open: 1, answered: 1 });
    expect(s.nextStep).toMatchObject({ stepId: 'agreement-available#notify', title: titles.get('agreement-available') });
    expect(s.now).toBe('2020-07-10T08:00:00.000Z');
    expect(s.nowLocal).toBe('2020-07-10 10:00 +02:00');
    expect(s.execution?.status).toBe('RUNNING');
    expect(s.overdue.map((g) => g.kind)).toEqual(['undecided-eligibility']);
  });

  it('is plain JSON: what the API returns is what the client gets back', () => {
    const s = aStatus();
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});
