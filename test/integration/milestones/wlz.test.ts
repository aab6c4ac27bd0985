/**
 * The Wlz 2021 year (seed 002), against DynamoDB Local: the first feedback opens the talks, the final
 * feedback offers the agreement, agreements final closes the year. No application stays open.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isTerminal } from '../../../functions/domain/states.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { expectEveryMessageRenders, makeWorld, type World } from './harness.ts';

const local = useDynamoDbLocal();
let w: World;
afterEach(async () => w?.close());

const HOLDER = { contracts: [{ careType: 'wlz', firstYear: 2018, lastYear: 2020 }] };

describe('Wlz 2021: first feedback opens the talks', () => {
  it('invites holders not yet invited, moves the invited into negotiation, and sends only the feedback', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'wlz-2021');
    const late = await w.provider(HOLDER); // imported after the policy publication
    const invited = await w.application(await w.provider(HOLDER), 'invited');
    const lapsed = await w.application(await w.provider(), 'lapsed');

    await w.runStep('first-feedback#notify');

    expect(await w.stateOf(late.agb)).toBe('in-negotiation');
    expect(await w.stateOf(invited.agb)).toBe('in-negotiation');
    expect(await w.stateOf(lapsed.agb)).toBe('lapsed');
    expect((await w.messages()).map((m) => [m.agb, m.template, m.params.stage]).sort()).toEqual(
      [
        [late.agb, 'feedback', 'first'],
        [invited.agb, 'feedback', 'first'],
      ].sort(),
    );
    // The audit trail names the Wlz step that made the move.
    const [event] = (await w.store.listEvents(w.cycle.id, invited.agb)).slice(-1);
    expect(event).toMatchObject({ from: 'invited', to: 'in-negotiation', trigger: { kind: 'milestone', milestone: 'first-feedback' } });
    await expectEveryMessageRenders(w);
  });
});

describe('Wlz 2021: final feedback offers the agreement', () => {
  it('sends the final feedback and the negotiation agreement, to be accepted by 12 November (the day before agreements final)', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'wlz-2021');
    const negotiating = await w.application(await w.provider(HOLDER), 'in-negotiation');
    const reached = await w.application(await w.provider(HOLDER), 'agreement-reached');

    await w.runStep('final-feedback#notify');

    expect(await w.stateOf(negotiating.agb)).toBe('in-negotiation');
    const messages = await w.messages();
    expect(messages.map((m) => [m.agb, m.template]).sort()).toEqual(
      [
        [negotiating.agb, 'feedback'],
        [negotiating.agb, 'negotiation-agreement-offered'],
        [reached.agb, 'feedback'],
      ].sort(),
    );
    expect(messages.find((m) => m.template === 'negotiation-agreement-offered')).toMatchObject({
      params: { deadline: '2020-11-12', includesQualityConditions: false },
      link: { action: 'accept-negotiation-agreement', expiresAt: '2020-11-12T22:59:59.999Z' },
    });
    await expectEveryMessageRenders(w);
  });
});

describe('Wlz 2021: agreements final closes the year', () => {
  it('signed → contracted; every other open application → not contracted, listed in ONE escalation, also when its pages run twice', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'wlz-2021');
    const signed = await w.application(await w.provider(HOLDER), 'signed');
    const open = [
      await w.application(await w.provider(HOLDER), 'agreement-reached'),
      await w.application(await w.provider(HOLDER), 'in-negotiation'),
      await w.application(await w.provider(HOLDER), 'invited'),
    ];
    const lapsed = await w.application(await w.provider(HOLDER), 'lapsed');

    // Its pages run twice (a retried Lambda): nothing moves or is queued twice.
    await w.runStep('agreements-final#deadline', { runs: 2 });

    expect(await w.stateOf(signed.agb)).toBe('contracted');
    for (const a of open) expect(await w.stateOf(a.agb)).toBe('not-contracted');
    const [closed] = (await w.store.listEvents(w.cycle.id, open[0].agb)).slice(-1);
    expect(closed).toMatchObject({ to: 'not-contracted', trigger: { kind: 'milestone', milestone: 'agreements-final' } });
    expect(await w.stateOf(lapsed.agb)).toBe('lapsed');
    expect(await w.countByTemplate()).toEqual({ 'agreements-final': 1, 'signing-escalation': 1 });
    const escalation = (await w.messages()).find((m) => m.template === 'signing-escalation')!;
    expect(escalation.params.deadline).toBe('2020-11-13');
    expect((escalation.params.applications as { agb: string }[]).map((a) => a.agb).sort()).toEqual(open.map((a) => a.agb).sort());

    for (const a of open) expect(await w.store.listEvents(w.cycle.id, a.agb)).toHaveLength(1);
    await expectEveryMessageRenders(w);
  });
});

describe('Wlz 2021: the whole year', () => {
  it('ends with every application terminal: those who accepted and signed contracted, the rest not contracted', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'wlz-2021', { start: '2020-01-15T09:00:00Z' });
    const signs = [await w.provider(HOLDER), await w.provider(HOLDER)];
    const acceptsOnly = await w.provider(HOLDER);
    const silent = await w.provider(HOLDER);
    await w.provider({ contracts: [{ careType: 'wlz', firstYear: 2020, lastYear: 2022 }] }); // contract runs: not invited
    await w.provider({ careTypes: ['msr'] });

    const steps = (await w.store.getSteps(w.cycle.id)).sort((a, b) => a.at.localeCompare(b.at));
    for (const step of steps) {
      await w.runStep(step.stepId);
      if (step.stepId === 'final-feedback#notify') {
        for (const p of [...signs, acceptsOnly]) await w.providerDoes(p, 'accept-negotiation-agreement');
        for (const p of signs) await w.providerDoes(p, 'sign-agreement');
      }
    }

    const apps = await Promise.all([...signs, acceptsOnly, silent].map((p) => w.store.getApplication(w.cycle.id, p.agb)));
    expect(apps.map((a) => a?.state)).toEqual(['contracted', 'contracted', 'not-contracted', 'not-contracted']);
    for (const state of ['invited', 'in-negotiation', 'proposal-submitted', 'agreement-reached', 'signed'] as const) {
      expect((await w.store.queryApplicationsByState(w.cycle.id, state)).items, state).toEqual([]);
    }
    expect(apps.every((a) => a && isTerminal(a.state))).toBe(true);
    const counts = await w.countByTemplate();
    expect(counts).toMatchObject({ 'negotiation-agreement-offered': 4, 'agreements-final': 2, 'signing-escalation': 1 });
    // The signing reminders (30 October, 10 November) go to the one that accepted and has not signed.
    expect(counts.reminder).toBe(2);
    await expectEveryMessageRenders(w);
  });
});
