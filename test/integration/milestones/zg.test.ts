/**
 * The ZG 2024-2025 year (seed 001), against DynamoDB Local: the start of the talks offers the negotiated
 * agreement (accept by 11 November), their close ends the year, the 12 November list shows every
 * agreement. Only an accepted, unsigned agreement stays open: the signatory may sign until the day before
 * the contract year, which no ZG milestone marks, and that signature contracts at once.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isTerminal } from '../../../functions/domain/states.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { expectEveryMessageRenders, makeWorld, type World } from './harness.ts';

const local = useDynamoDbLocal();
let w: World;
afterEach(async () => w?.close());

const HOLDER = { contracts: [{ careType: 'zg', firstYear: 2022, lastYear: 2023 }] };

describe('ZG 2024-2025: the start of the talks offers the agreement', () => {
  it('moves the invited and eligible into negotiation and offers them the agreement by 11 November, once, also when its pages run twice', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'zg-2024-2025', { pageSize: 2 });
    const late = await w.provider(HOLDER); // imported after the policy publication
    const invited = await w.application(await w.provider(HOLDER), 'invited');
    const eligible = await w.application(await w.provider(), 'eligible');
    const undecided = await w.application(await w.provider(), 'under-review');
    const refused = await w.application(await w.provider(), 'not-eligible');

    await w.runStep('negotiations#opens', { runs: 2 });

    const negotiating = [late.agb, invited.agb, eligible.agb];
    for (const agb of negotiating) expect(await w.stateOf(agb)).toBe('in-negotiation');
    expect(await w.stateOf(undecided.agb)).toBe('under-review');
    expect(await w.countByTemplate()).toEqual({ 'negotiation-agreement-offered': 3, 'eligibility-decision': 2, 'eligibility-escalation': 1 });
    const offers = (await w.messages()).filter((m) => m.template === 'negotiation-agreement-offered');
    expect(offers.map((m) => m.agb).sort()).toEqual([...negotiating].sort());
    for (const offer of offers) {
      expect(offer).toMatchObject({
        params: { deadline: '2023-11-11', includesQualityConditions: true, acceptOnceAgreed: true },
        link: { action: 'accept-negotiation-agreement', expiresAt: '2023-11-11T22:59:59.999Z' },
      });
    }
    expect((await w.messages()).filter((m) => m.template === 'eligibility-decision').map((m) => m.agb).sort()).toEqual([eligible.agb, refused.agb].sort());
    // One move each, named after the step that made it.
    for (const agb of [invited.agb, eligible.agb]) {
      const events = await w.store.listEvents(w.cycle.id, agb);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ to: 'in-negotiation', trigger: { kind: 'milestone', milestone: 'negotiation-period', phase: 'opens' } });
    }
    await expectEveryMessageRenders(w);
  });
});

describe('ZG 2024-2025: the close of the talks ends the year', () => {
  it('signed → contracted; no agreement → not contracted, in ONE escalation; an accepted agreement stays; nothing twice when its pages run twice', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'zg-2024-2025', { pageSize: 2 });
    const signed = await w.application(await w.provider(HOLDER), 'signed');
    const reached = await w.application(await w.provider(HOLDER), 'agreement-reached');
    const open = [
      await w.application(await w.provider(HOLDER), 'in-negotiation'),
      await w.application(await w.provider(HOLDER), 'in-negotiation'),
      await w.application(await w.provider(HOLDER), 'invited'),
      await w.application(await w.provider(), 'under-review'),
      await w.application(await w.provider(), 'eligible'),
    ];
    const lapsed = await w.application(await w.provider(HOLDER), 'lapsed');

    await w.runStep('negotiations#closes', { runs: 2 });

    expect(await w.stateOf(signed.agb)).toBe('contracted');
    expect(await w.stateOf(reached.agb)).toBe('agreement-reached');
    for (const a of open) expect(await w.stateOf(a.agb)).toBe('not-contracted');
    expect(await w.stateOf(lapsed.agb)).toBe('lapsed');
    for (const a of [signed, ...open]) {
      const events = await w.store.listEvents(w.cycle.id, a.agb);
      expect(events, a.state).toHaveLength(1);
      expect(events[0]).toMatchObject({ from: a.state, trigger: { kind: 'milestone', milestone: 'negotiation-period', phase: 'closes' } });
    }
    expect(await w.store.listEvents(w.cycle.id, reached.agb)).toHaveLength(0);

    expect(await w.countByTemplate()).toEqual({ contracted: 1, 'signing-escalation': 1 });
    const messages = await w.messages();
    expect(messages.find((m) => m.template === 'contracted')?.agb).toBe(signed.agb);
    const escalation = messages.find((m) => m.template === 'signing-escalation')!;
    expect(escalation.params.deadline).toBe('2023-11-11');
    expect((escalation.params.applications as { agb: string }[]).map((a) => a.agb).sort()).toEqual(open.map((a) => a.agb).sort());
    await expectEveryMessageRenders(w);
  });
});

describe('ZG 2024-2025: the whole year', () => {
  it('ends with an agreement for those who accepted and everyone else not contracted; the list shows every agreement', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'zg-2024-2025');
    const signs = [await w.provider(HOLDER), await w.provider(HOLDER)];
    const acceptsOnly = await w.provider(HOLDER);
    const silent = await w.provider(HOLDER);
    await w.provider({ contracts: [{ careType: 'zg', firstYear: 2023, lastYear: 2024 }] }); // contract runs: not invited
    await w.provider({ careTypes: ['msr'] });

    // Next year's dates need next year's cycle (other-calendars.test.ts); the year ends before them.
    const steps = (await w.store.getSteps(w.cycle.id)).filter((s) => s.kind !== 'next-year-dates-publication').sort((a, b) => a.at.localeCompare(b.at));
    for (const step of steps) {
      await w.runStep(step.stepId);
      if (step.stepId === 'negotiations#opens') {
        for (const p of [...signs, acceptsOnly]) await w.providerDoes(p, 'accept-negotiation-agreement');
        for (const p of signs) await w.providerDoes(p, 'sign-agreement');
      }
    }

    const [a, b, c, d] = await Promise.all([...signs, acceptsOnly, silent].map((p) => w.store.getApplication(w.cycle.id, p.agb)));
    expect([a, b, c, d].map((x) => x?.state)).toEqual(['contracted', 'contracted', 'agreement-reached', 'not-contracted']);
    for (const state of ['invited', 'in-negotiation', 'proposal-submitted', 'eligible', 'under-review', 'signed'] as const) {
      expect((await w.store.queryApplicationsByState(w.cycle.id, state)).items, state).toEqual([]);
    }
    const counts = await w.countByTemplate();
    expect(counts).toMatchObject({ 'negotiation-agreement-offered': 4, contracted: 2, 'signing-escalation': 1, 'contracted-list-ready': 1 });

    // The 12 November list: both contracted and the accepted agreement.
    const json = JSON.parse(await readFile(join(w.publicationsDir, 'zg-2024-2025', 'gecontracteerde-zorgaanbieders.json'), 'utf8'));
    expect(json.providers.map((p: { agb: string }) => p.agb).sort()).toEqual([...signs, acceptsOnly].map((p) => p.agb).sort());

    // After the close: the accepted agreement can still be signed (by the day before the contract year, as the
    // acceptance email says), and with the year closed that contracts at once; the talks are over for the rest.
    await w.providerDoes(acceptsOnly, 'sign-agreement');
    expect(await w.stateOf(acceptsOnly.agb)).toBe('contracted');
    await expect(w.providerDoes(silent, 'accept-negotiation-agreement')).rejects.toMatchObject({ name: 'TransitionRefusedError' });
    expect(isTerminal((await w.store.getApplication(w.cycle.id, silent.agb))!.state)).toBe(true);
    await expectEveryMessageRenders(w);
  });
});
