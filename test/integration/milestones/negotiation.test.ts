/** From the agreement to the signature (MSR 2021), against DynamoDB Local. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { expectEveryMessageRenders, makeWorld, PUBLICATIONS_URL, type World } from './harness.ts';

const local = useDynamoDbLocal();
let w: World;

beforeEach(async () => {
  w = await makeWorld(local.db.client, await local.freshTable(), 'msr-2021');
});
afterEach(async () => w.close());

describe('agreement available', () => {
  it('moves invited and conditions-confirmed into negotiation and asks for a proposal by 15 September', async () => {
    const invited = await w.application(await w.provider(), 'invited');
    const confirmed = await w.application(await w.provider(), 'conditions-confirmed');
    const negotiating = await w.application(await w.provider(), 'in-negotiation', { track: 'new' });
    const eligible = await w.application(await w.provider(), 'eligible');

    await w.runStep('agreement-available#notify');

    expect(await w.stateOf(invited.agb)).toBe('in-negotiation');
    expect(await w.stateOf(confirmed.agb)).toBe('in-negotiation');
    expect(await w.stateOf(eligible.agb)).toBe('eligible'); // told on 4 September, not before
    const messages = await w.messages();
    expect(messages.map((m) => m.agb).sort()).toEqual([invited.agb, confirmed.agb, negotiating.agb].sort());
    for (const m of messages) {
      expect(m).toMatchObject({
        template: 'agreement-available',
        params: { proposalRequested: true, deadline: '2020-09-15' },
        link: { action: 'submit-proposal', expiresAt: '2020-09-15T21:59:59.999Z' },
      });
    }
    await expectEveryMessageRenders(w);
  });
});

describe('eligibility notification (4 September)', () => {
  it('decided ones get their decision (eligible → in negotiation, with the agreement); undecided ones nothing, the purchasers ONE escalation', async () => {
    await w.markDone('agreement-available#notify');
    const eligible = [await w.application(await w.provider(), 'eligible'), await w.application(await w.provider(), 'eligible')];
    const refused = await w.application(await w.provider(), 'not-eligible', { patch: { decision: { reason: 'Er is voldoende zorg ingekocht in uw regio.' } } });
    const undecided = [
      await w.application(await w.provider({ name: 'Revalidatie Oost' }), 'under-review'),
      await w.application(await w.provider({ name: 'Revalidatie West' }), 'under-review'),
      await w.application(await w.provider({ name: 'Revalidatie Zuid' }), 'under-review'),
    ];

    await w.runStep('eligibility-notification#notify');

    for (const a of eligible) expect(await w.stateOf(a.agb)).toBe('in-negotiation');
    for (const a of undecided) expect(await w.stateOf(a.agb)).toBe('under-review');
    expect(await w.countByTemplate()).toEqual({ 'eligibility-decision': 3, 'agreement-available': 2, 'eligibility-escalation': 1 });
    const messages = await w.messages();
    expect(messages.find((m) => m.agb === refused.agb)).toMatchObject({
      params: { decision: 'not-eligible', reason: 'Er is voldoende zorg ingekocht in uw regio.' },
    });
    const escalation = messages.find((m) => m.template === 'eligibility-escalation')!;
    expect(escalation).toMatchObject({ key: 'msr-2021#-#eligibility-notification#notify#eligibility-escalation', recipients: [{ role: 'purchaser', address: 'inkoop@zorgverzekeraar.example' }] });
    expect((escalation.params.applications as { agb: string }[]).map((a) => a.agb).sort()).toEqual(undecided.map((a) => a.agb).sort());
    expect(messages.filter((m) => undecided.some((u) => u.agb === m.agb))).toEqual([]);
    await expectEveryMessageRenders(w);
  });
});

describe('proposal deadline', () => {
  it('reminds those still in negotiation, then lapses them with a deadline-missed email', async () => {
    const waiting = await w.application(await w.provider(), 'in-negotiation');
    const submitted = await w.application(await w.provider(), 'proposal-submitted');

    await w.runStep('proposal-deadline#reminder-3');
    expect((await w.messages()).map((m) => [m.agb, m.template, m.params.daysLeft])).toEqual([[waiting.agb, 'reminder', 3]]);

    await w.runStep('proposal-deadline#deadline');
    expect(await w.stateOf(waiting.agb)).toBe('lapsed');
    expect(await w.stateOf(submitted.agb)).toBe('proposal-submitted');
    expect(await w.countByTemplate()).toEqual({ reminder: 1, 'deadline-missed': 1 });
    expect((await w.messages()).find((m) => m.template === 'deadline-missed')).toMatchObject({ agb: waiting.agb, params: { missed: 'proposal', deadline: '2020-09-15' } });
    await expectEveryMessageRenders(w);
  });
});

describe('negotiation agreements', () => {
  it('offers the negotiation agreement to those who submitted a proposal, to accept before the 12 November list', async () => {
    const submitted = await w.application(await w.provider(), 'proposal-submitted');
    await w.application(await w.provider(), 'in-negotiation');

    await w.runStep('negotiation-agreements#notify');

    const messages = await w.messages();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      agb: submitted.agb,
      template: 'negotiation-agreement-offered',
      params: { deadline: '2020-11-11', includesQualityConditions: true },
      link: { action: 'accept-negotiation-agreement' },
    });
    await expectEveryMessageRenders(w);
  });
});

describe('contracted-provider publication (12 November)', () => {
  it('publishes the list (JSON, CSV, Dutch HTML) of agreement-reached, signed and contracted, and emails customer communication', async () => {
    const listed = [
      await w.application(await w.provider({ name: 'Basalt' }), 'agreement-reached'),
      await w.application(await w.provider({ name: 'Adelante' }), 'signed'),
    ];
    await w.application(await w.provider({ name: 'Nog in gesprek' }), 'proposal-submitted');

    await w.runStep('contracted-publication#notify');

    const json = JSON.parse(await readFile(join(w.publicationsDir, 'msr-2021', 'gecontracteerde-zorgaanbieders.json'), 'utf8'));
    expect(json.providers.map((p: { name: string }) => p.name)).toEqual(['Adelante', 'Basalt']);
    expect(json).toMatchObject({ contractPeriod: { from: '2021-01-01', to: '2021-12-31' }, notAllContractsClosed: true, lastChanged: expect.any(String) });
    const html = await readFile(join(w.publicationsDir, 'msr-2021', 'gecontracteerde-zorgaanbieders.html'), 'utf8');
    expect(html).toContain('Laatst gewijzigd');
    expect(html).toContain('Nog niet alle overeenkomsten zijn gesloten');
    expect(html).toContain('12 november 2020');
    const csv = await readFile(join(w.publicationsDir, 'msr-2021', 'gecontracteerde-zorgaanbieders.csv'), 'utf8');
    expect(csv.split('\r\n')[0]).toBe('agb,naam');
    expect(csv).toContain(`${listed[1].agb},Adelante`);

    const messages = await w.messages();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      template: 'contracted-list-ready',
      recipients: [{ role: 'customer-communication', address: 'klantcommunicatie@zorgverzekeraar.example' }],
      params: { listUrl: `${PUBLICATIONS_URL}/msr-2021/gecontracteerde-zorgaanbieders.html`, providerCount: 2, deadline: '2020-11-12' },
    });
    await expectEveryMessageRenders(w);
  });
});

describe('signing deadline (31 December)', () => {
  it('signed → contracted (email); every other open application → not contracted, ONE escalation to the purchasers; the list is republished', async () => {
    const signed = [await w.application(await w.provider({ name: 'Getekend A' }), 'signed'), await w.application(await w.provider({ name: 'Getekend B' }), 'signed')];
    const unsigned = [
      await w.application(await w.provider(), 'agreement-reached'),
      await w.application(await w.provider(), 'proposal-submitted'),
      await w.application(await w.provider(), 'invited'),
    ];
    const lapsed = await w.application(await w.provider(), 'lapsed');

    await w.runStep('signing-deadline#reminder-3');
    expect((await w.messages()).map((m) => [m.agb, m.template, m.link?.action])).toEqual([[unsigned[0].agb, 'reminder', 'sign-agreement']]);

    await w.runStep('signing-deadline#deadline');

    for (const a of signed) expect(await w.stateOf(a.agb)).toBe('contracted');
    for (const a of unsigned) expect(await w.stateOf(a.agb)).toBe('not-contracted');
    expect(await w.stateOf(lapsed.agb)).toBe('lapsed');
    expect(await w.countByTemplate()).toEqual({ reminder: 1, contracted: 2, 'signing-escalation': 1, 'contracted-list-ready': 1 });
    const escalation = (await w.messages()).find((m) => m.template === 'signing-escalation')!;
    expect((escalation.params.applications as { agb: string }[]).map((a) => a.agb).sort()).toEqual(unsigned.map((a) => a.agb).sort());
    const json = JSON.parse(await readFile(join(w.publicationsDir, 'msr-2021', 'gecontracteerde-zorgaanbieders.json'), 'utf8'));
    expect(json.providers.map((p: { name: string }) => p.name)).toEqual(['Getekend A', 'Getekend B']);
    // Every application is closed now: the republication says so (12 November said the opposite).
    expect(json).toMatchObject({ notAllContractsClosed: false, notice: 'Alle overeenkomsten voor deze contractperiode zijn gesloten.' });
    const html = await readFile(join(w.publicationsDir, 'msr-2021', 'gecontracteerde-zorgaanbieders.html'), 'utf8');
    expect(html).not.toContain('Nog niet alle overeenkomsten zijn gesloten');
    expect(html).toContain('Alle overeenkomsten voor deze contractperiode zijn gesloten.');
    await expectEveryMessageRenders(w);
  });
});
