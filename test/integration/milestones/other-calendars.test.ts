/** Milestone kinds of the diagnostics, Wlz and ZG calendars, against DynamoDB Local. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCalendar } from '../../../functions/calendar/validate.ts';
import { createCycle } from '../../../functions/cycles/create.ts';
import { NextCycleMissingError } from '../../../functions/milestones/errors.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { expectEveryMessageRenders, makeWorld, PUBLICATIONS_URL, type World } from './harness.ts';

const local = useDynamoDbLocal();
let w: World;
afterEach(async () => w?.close());

describe('diagnostics 2020: portal, conditions deadline, negotiations completed', () => {
  it('portal opening invites existing holders (if not yet) and asks every invited one to declare the conditions by 1 September', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'diagnostics-2020');
    const late = await w.provider({ contracts: [{ careType: 'diagnostics', firstYear: 2019, lastYear: 2019 }] }); // imported after 1 April
    const invited = await w.application(await w.provider(), 'invited');
    await w.application(await w.provider(), 'conditions-confirmed');

    await w.runStep('portal-opening#notify');

    expect(await w.stateOf(late.agb)).toBe('invited');
    const messages = await w.messages();
    expect(messages.map((m) => m.agb).sort()).toEqual([late.agb, invited.agb].sort());
    expect(messages[0]).toMatchObject({ template: 'conditions-request', params: { deadline: '2019-09-01' }, link: { action: 'declare-conditions' } });
    await expectEveryMessageRenders(w);
  });

  it('conditions deadline: invited → lapsed (deadline-missed), conditions-confirmed → in negotiation with the agreement published on 1 July', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'diagnostics-2020');
    await w.markDone('agreement-available#notify');
    const silent = await w.application(await w.provider(), 'invited');
    const confirmed = await w.application(await w.provider(), 'conditions-confirmed');

    await w.runStep('conditions-deadline#deadline');

    expect(await w.stateOf(silent.agb)).toBe('lapsed');
    expect(await w.stateOf(confirmed.agb)).toBe('in-negotiation');
    const messages = await w.messages();
    expect(messages.map((m) => [m.agb, m.template])).toEqual(
      expect.arrayContaining([
        [silent.agb, 'deadline-missed'],
        [confirmed.agb, 'agreement-available'],
      ]),
    );
    expect(messages).toHaveLength(2);
    expect(messages.find((m) => m.template === 'deadline-missed')!.params).toMatchObject({ missed: 'conditions', deadline: '2019-09-01' });
    // No proposal deadline in this calendar: nothing to submit through a link.
    expect(messages.find((m) => m.template === 'agreement-available')).toMatchObject({ params: { proposalRequested: false } });
    await expectEveryMessageRenders(w);
  });

  it('agreements final without a provider action (a target of the insurer): those negotiating are offered the agreement, those with one hear it is final; nothing moves', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'diagnostics-2020');
    const reached = await w.application(await w.provider(), 'agreement-reached');
    const negotiating = await w.application(await w.provider(), 'in-negotiation');

    await w.runStep('negotiations-completed#deadline');

    expect(await w.stateOf(reached.agb)).toBe('agreement-reached');
    expect(await w.stateOf(negotiating.agb)).toBe('in-negotiation');
    const messages = await w.messages();
    expect(messages.map((m) => [m.agb, m.template]).sort()).toEqual(
      [
        [reached.agb, 'agreements-final'],
        [negotiating.agb, 'negotiation-agreement-offered'],
      ].sort(),
    );
    // The calendar has no negotiation-agreements milestone: accept by the day before the 12 November list.
    expect(messages.find((m) => m.template === 'negotiation-agreement-offered')).toMatchObject({
      params: { deadline: '2019-11-11' },
      link: { action: 'accept-negotiation-agreement' },
    });
    await expectEveryMessageRenders(w);
  });
});

describe('Wlz 2021: questions, Q&A memo, feedback, agreements final', () => {
  it('reminds every provider of the care type of the questions deadline, with an ask-question link', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'wlz-2021');
    await w.provider();
    await w.provider();
    await w.provider({ careTypes: ['msr'] });

    await w.runStep('questions-and-objections#reminder-14');

    const messages = await w.messages();
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatchObject({ template: 'questions-deadline-reminder', params: { deadline: '2020-06-15' }, link: { action: 'ask-question' } });
    await expectEveryMessageRenders(w);
  });

  it('publishes the public answers as the Q&A memo and emails every provider in the cycle its URL', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'wlz-2021');
    const ofCareType = [await w.provider(), await w.provider()];
    const other = await w.provider({ careTypes: ['msr'] });
    await w.application(other, 'invited');
    await w.provider({ careTypes: ['msr'] }); // neither: not told
    w.clock.advanceTo('2020-06-01T10:00:00Z');
    const asked = await w.store.putQuestion({ cycleId: 'wlz-2021', id: 'q1', agb: ofCareType[0].agb, contactId: 'c-1', kind: 'question', text: 'Geldt <dit> ook voor dagbesteding?' });
    await w.store.answerQuestion('wlz-2021', asked.id, { text: 'Ja, ook voor dagbesteding.', by: 'inkoper-1', public: true });
    await w.store.putQuestion({ cycleId: 'wlz-2021', id: 'q2', agb: ofCareType[1].agb, contactId: 'c-2', kind: 'objection', text: 'Alleen voor ons.' });
    await w.store.answerQuestion('wlz-2021', 'q2', { text: 'Persoonlijk antwoord.', by: 'inkoper-1', public: false });

    await w.runStep('qa-memo#notify');

    const html = await readFile(join(w.publicationsDir, 'wlz-2021', 'nota-van-inlichtingen.html'), 'utf8');
    expect(html).toContain('Geldt &lt;dit&gt; ook voor dagbesteding?');
    expect(html).toContain('Ja, ook voor dagbesteding.');
    expect(html).not.toContain('Persoonlijk antwoord');
    expect(html).not.toContain(ofCareType[0].agb);
    const messages = await w.messages();
    expect(messages.map((m) => m.agb).sort()).toEqual([...ofCareType.map((p) => p.agb), other.agb].sort());
    for (const m of messages) expect(m).toMatchObject({ template: 'qa-memo-published', params: { actionUrl: `${PUBLICATIONS_URL}/wlz-2021/nota-van-inlichtingen.html` } });
    await expectEveryMessageRenders(w);
  });

  it('sends first feedback to every open application, with the purchaser\'s own text where there is one', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'wlz-2021');
    const own = await w.application(await w.provider(), 'invited', { patch: { decision: { firstFeedback: 'Uw inschrijving is compleet.' } } });
    const standard = await w.application(await w.provider(), 'in-negotiation');
    await w.application(await w.provider(), 'lapsed');

    await w.runStep('first-feedback#notify');

    const messages = await w.messages();
    expect(messages).toHaveLength(2);
    expect(messages.find((m) => m.agb === own.agb)).toMatchObject({ template: 'feedback', params: { stage: 'first', summary: 'Uw inschrijving is compleet.' } });
    expect(messages.find((m) => m.agb === standard.agb)?.params.summary).toMatch(/beoordeeld/);
    await expectEveryMessageRenders(w);
  });

  it('agreements final with the signing action: signed → contracted (agreements-final email), unsigned → not contracted, escalated once', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'wlz-2021');
    const signed = await w.application(await w.provider(), 'signed');
    const unsigned = await w.application(await w.provider(), 'agreement-reached');

    await w.runStep('agreements-final#deadline');

    expect(await w.stateOf(signed.agb)).toBe('contracted');
    // No signing deadline after it in this calendar (see wlz.test.ts).
    expect(await w.stateOf(unsigned.agb)).toBe('not-contracted');
    expect(await w.countByTemplate()).toEqual({ 'agreements-final': 1, 'signing-escalation': 1 });
    await expectEveryMessageRenders(w);
  });
});

describe('ZG 2024-2025: negotiations without an eligibility notification, next year\'s dates', () => {
  it('the start of the negotiations tells new providers their decision and moves eligible and invited ones into negotiation', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'zg-2024-2025');
    const eligible = await w.application(await w.provider(), 'eligible');
    const invited = await w.application(await w.provider(), 'invited');
    await w.application(await w.provider(), 'not-eligible');
    await w.application(await w.provider(), 'under-review');

    await w.runStep('negotiations#opens');

    expect(await w.stateOf(eligible.agb)).toBe('in-negotiation');
    expect(await w.stateOf(invited.agb)).toBe('in-negotiation');
    // and offers the negotiated agreement to everyone in negotiation (zg.test.ts)
    expect(await w.countByTemplate()).toEqual({ 'eligibility-decision': 2, 'eligibility-escalation': 1, 'negotiation-agreement-offered': 2 });
    await expectEveryMessageRenders(w);
  });

  it('next-year dates need next year\'s cycle; then they go to providers whose contract does not run in 2025', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'zg-2024-2025');
    const oneYear = await w.provider({ contracts: [{ careType: 'zg', firstYear: 2024, lastYear: 2024 }] });
    const twoYears = await w.provider();
    await w.application(twoYears, 'contracted');
    const fresh = await w.provider();

    const step = await w.step('next-year-dates-publication#notify');
    w.clock.advanceTo(Date.parse(step.at) + 60_000);
    await w.acts.recordMilestone({ cycleId: w.cycle.id, stepId: step.stepId, status: 'running' });
    await expect(w.acts.runMilestone({ cycleId: w.cycle.id, stepId: step.stepId, cursor: null })).rejects.toBeInstanceOf(NextCycleMissingError);

    const next = structuredClone(await loadCalendar('zg-2024-2025')) as unknown as Record<string, any>;
    next.id = 'zg-2025';
    next.contract = { firstYear: 2025, termYears: 1 };
    next.milestones = next.milestones
      .filter((m: { kind: string }) => ['policy-publication', 'contracted-publication'].includes(m.kind))
      .map((m: { date: string }) => ({ ...m, date: m.date.replace('2023', '2024') }));
    const { parseCalendar } = await import('../../../functions/calendar/validate.ts');
    await createCycle(w.store, parseCalendar(next, 'zg-2025'), w.clock);

    const out = await w.acts.runMilestone({ cycleId: w.cycle.id, stepId: step.stepId, cursor: null });
    expect(out.more).toBe(false);
    const messages = await w.messages();
    expect(messages.map((m) => m.agb).sort()).toEqual([oneYear.agb, fresh.agb].sort());
    expect(messages[0]).toMatchObject({ template: 'next-year-dates', params: { nextContractYear: 2025 } });
    await expectEveryMessageRenders(w);
  });
});
