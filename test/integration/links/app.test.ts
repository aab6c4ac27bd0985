import { beforeEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../../../functions/commons/logger.ts';
import { amendMilestone } from '../../../functions/cycles/amend.ts';
import { contactIdFor } from '../../../functions/domain/provider.ts';
import { triggers } from '../../../functions/domain/transitions.ts';
import { recordDecision } from '../../../functions/operators/decisions.ts';
import { aProviderContent } from '../../support/factories.ts';
import { render } from '../../../functions/email/templates.ts';
import { signatoryOf } from '../../../functions/domain/provider.ts';
import type { Provider } from '../../../functions/domain/model.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { createHarness, form, generalContact as general, pathOf, text, tokenOf, type Harness } from './harness.ts';

const local = useDynamoDbLocal();
let h: Harness;

beforeEach(async () => {
  h = await createHarness(local.db.client, await local.freshTable());
});

const signatory = (p: Provider) => signatoryOf(p)!;

describe('GET shows a page and never acts', () => {
  it('names the provider, the round, the deadline in Dutch, what happens, and the form', async () => {
    const { provider } = await h.providerIn('in-negotiation');
    const url = await h.issue({ agb: provider.agb, action: 'submit-proposal', contactId: general(provider).id });
    const before = await h.snapshot(provider.agb);

    const res = await h.get(pathOf(url));

    expect(res.statusCode).toBe(200);
    const page = text(res);
    expect(page).toContain(provider.name);
    expect(page).toContain(`AGB-code ${provider.agb}`);
    expect(page).toContain('Medisch specialistische revalidatie, contractjaar 2021');
    expect(page).toContain('dinsdag 15 september 2020, 23:59');
    expect(page).toContain('Wat gebeurt er?');
    expect(res.body).toMatch(/<label for="f-amount">Bedrag in euro&#39;s<\/label>/);
    expect(res.headers?.['cache-control']).toBe('no-store');
    expect(await h.snapshot(provider.agb)).toEqual(before);
    expect((await h.get(pathOf(url))).statusCode).not.toBe(410); // not used
  });
});

describe('refusals: each its page and status, nothing written', () => {
  async function expectRefused(path: string, body: string, status: number, says: RegExp, agb: string) {
    const before = await h.snapshot(agb);
    const get = await h.get(path);
    const post = await h.post(path, body);
    for (const res of [get, post]) {
      expect(res.statusCode).toBe(status);
      expect(text(res)).toMatch(says);
      expect(res.body).not.toMatch(/at \w+ \(|Error:|stack/);
    }
    expect(await h.snapshot(agb)).toEqual(before);
  }
  const proposal = form({ amount: '125.000,00', volume: '250' });

  it('tampered signature: 404', async () => {
    const { provider } = await h.providerIn('in-negotiation');
    const url = await h.issue({ agb: provider.agb, action: 'submit-proposal', contactId: general(provider).id });
    const token = tokenOf(url);
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${token.slice(0, -2)}${last}${token.at(-1)}`;
    await expectRefused(`/l/${tampered}`, proposal, 404, /Deze link werkt niet/, provider.agb);
    // A changed payload (another AGB code) with the old signature: also 404.
    const [payload, sig] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${Buffer.from(JSON.stringify({ ...claims, a: '99999999' })).toString('base64url')}.${sig}`;
    await expectRefused(`/l/${forged}`, proposal, 404, /Deze link werkt niet/, provider.agb);
  });

  it('a single-use token without the application version it is bound to (validly signed): 404', async () => {
    const { provider } = await h.providerIn('in-negotiation');
    const token = h.signedProposal(provider);
    await expectRefused(`/l/${token}`, proposal, 404, /Deze link werkt niet/, provider.agb);
  });

  it('a token for a version the application never had (validly signed): 410, nothing written', async () => {
    const { provider } = await h.providerIn('in-negotiation');
    const version = (await h.store.getApplication(h.cycle.id, provider.agb))!.version;
    const token = h.signedProposal(provider, version + 5);
    await expectRefused(`/l/${token}`, proposal, 410, /Er is een nieuwere link/, provider.agb);
  });

  it('expired token: 410 with the date it expired', async () => {
    const { provider } = await h.providerIn('in-negotiation');
    const url = await h.issue({ agb: provider.agb, action: 'withdraw', contactId: general(provider).id, expiresAt: Date.parse('2020-07-01T21:59:59.999Z') });
    h.clock.advanceTo('2020-07-02T08:00:00Z');
    await expectRefused(pathOf(url), form({ reason: 'Wij stoppen.' }), 410, /De termijn verliep op woensdag 1 juli 2020, 23:59/, provider.agb);
  });

  it('POST after the deadline (GET before it showed the form): 410, nothing written', async () => {
    const { provider } = await h.providerIn('in-negotiation');
    const url = await h.issue({ agb: provider.agb, action: 'submit-proposal', contactId: general(provider).id });
    h.clock.advanceTo('2020-09-15T21:59:00Z');
    expect((await h.get(pathOf(url))).statusCode).toBe(200);
    h.clock.advanceTo('2020-09-15T22:00:00Z'); // 16 September 00:00 in Amsterdam
    const before = await h.snapshot(provider.agb);
    const res = await h.post(pathOf(url), proposal);
    expect(res.statusCode).toBe(410);
    expect(text(res)).toContain('De termijn verliep op dinsdag 15 september 2020, 23:59');
    expect(await h.snapshot(provider.agb)).toEqual(before);
  });

  it('reused token: the second POST is 410 "al gebruikt"; one transition', async () => {
    const { provider } = await h.providerIn('in-negotiation');
    const url = await h.issue({ agb: provider.agb, action: 'submit-proposal', contactId: general(provider).id });
    const first = await h.post(pathOf(url), proposal);
    expect(first.statusCode).toBe(303);
    expect(first.headers?.location).toBe(`${pathOf(url)}/ontvangen`);
    await expectRefused(pathOf(url), proposal, 410, /Deze link is al gebruikt/, provider.agb);
    expect((await h.snapshot(provider.agb)).events).toBe(3); // invited, in-negotiation, proposal-submitted
  });

  it('a superseded link (the application moved since it was sent, not by this link): 410 pointing to the newest email', async () => {
    const { provider } = await h.providerIn('in-negotiation');
    const old = await h.issue({ agb: provider.agb, action: 'withdraw', contactId: general(provider).id });
    // A proposal through its own (newer) link moves the application: the withdraw link sent before is superseded.
    const proposalLink = await h.issue({ agb: provider.agb, action: 'submit-proposal', contactId: general(provider).id });
    expect((await h.post(pathOf(proposalLink), proposal)).statusCode).toBe(303);
    await expectRefused(pathOf(old), form({ reason: 'Wij stoppen.' }), 410, /Er is een nieuwere link/, provider.agb);
    // A withdraw link sent now works.
    const newer = await h.issue({ agb: provider.agb, action: 'withdraw', contactId: general(provider).id });
    expect((await h.get(pathOf(newer))).statusCode).toBe(200);
  });

  it('two links sent at the same version for the same action (an email and its reminder): once one is used, both are dead', async () => {
    const { provider } = await h.providerIn('in-negotiation');
    const first = await h.issue({ agb: provider.agb, action: 'submit-proposal', contactId: general(provider).id });
    const reminder = await h.issue({ agb: provider.agb, action: 'submit-proposal', contactId: general(provider).id });
    expect((await h.post(pathOf(reminder), proposal)).statusCode).toBe(303);
    await expectRefused(pathOf(first), proposal, 410, /Deze link is al gebruikt/, provider.agb);
  });

  it('a token for another application (a provider without one in this cycle): 404', async () => {
    const { provider } = await h.providerIn('none');
    const url = await h.issue({ agb: provider.agb, action: 'submit-proposal', contactId: general(provider).id });
    await expectRefused(pathOf(url), proposal, 404, /Deze link werkt niet/, provider.agb);
  });

  it('action not allowed in the current state: 409', async () => {
    const { provider } = await h.providerIn('in-negotiation');
    const url = await h.issue({ agb: provider.agb, action: 'sign-agreement', contactId: signatory(provider).id });
    await expectRefused(pathOf(url), form({ signatoryName: 'A', confirm: 'ja' }), 409, /Deze stap kan nu niet/, provider.agb);
  });

  it('a withdrawn application cannot withdraw again: 409', async () => {
    const { provider } = await h.providerIn('withdrawn');
    const url = await h.issue({ agb: provider.agb, action: 'withdraw', contactId: general(provider).id });
    await expectRefused(pathOf(url), form({ reason: 'x' }), 409, /Deze stap kan nu niet/, provider.agb);
  });

  it('a non-signatory trying to sign: 403', async () => {
    const { provider } = await h.providerIn('agreement-reached');
    const url = await h.issue({ agb: provider.agb, action: 'sign-agreement', contactId: general(provider).id });
    await expectRefused(pathOf(url), form({ signatoryName: 'Iemand', confirm: 'ja' }), 403, /U kunt de overeenkomst niet ondertekenen/, provider.agb);
  });
});

describe('after an amendment every outstanding link works until the new deadline, and no longer', () => {
  const proposal = form({ amount: '125.000,00', volume: '250' });
  const amend = (newDate: string) =>
    amendMilestone(h.store, { cycleId: h.cycle.id, milestoneId: 'proposal-deadline', newDate, reason: 'Gewijzigde planning', actor: { kind: 'operator', id: 'op-1' } }, { clock: h.clock });

  it('a deadline moved later: the links sent before it work until the new day (the page says so), then 410', async () => {
    const early = await h.providerIn('in-negotiation');
    const late = await h.providerIn('in-negotiation');
    const earlyUrl = await h.issue({ agb: early.provider.agb, action: 'submit-proposal', contactId: general(early.provider).id });
    const lateUrl = await h.issue({ agb: late.provider.agb, action: 'submit-proposal', contactId: general(late.provider).id });
    await amend('2020-09-30');

    h.clock.advanceTo('2020-09-20T10:00:00Z');
    const page = await h.get(pathOf(earlyUrl));
    expect(page.statusCode).toBe(200);
    expect(text(page)).toContain('woensdag 30 september 2020, 23:59');
    expect((await h.post(pathOf(earlyUrl), proposal)).statusCode).toBe(303);

    h.clock.advanceTo('2020-09-30T21:59:59.999Z'); // the last instant of 30 September in Amsterdam
    expect((await h.get(pathOf(lateUrl))).statusCode).toBe(200);
    h.clock.advanceTo('2020-09-30T22:00:00Z');
    const before = await h.snapshot(late.provider.agb);
    const refused = await h.post(pathOf(lateUrl), proposal);
    expect(refused.statusCode).toBe(410);
    expect(text(refused)).toContain('De termijn verliep op woensdag 30 september 2020, 23:59');
    expect(await h.snapshot(late.provider.agb)).toEqual(before);
  });

  it('a deadline moved earlier: the links sent before it end on the new day', async () => {
    const { provider } = await h.providerIn('in-negotiation');
    const url = await h.issue({ agb: provider.agb, action: 'submit-proposal', contactId: general(provider).id });
    await amend('2020-09-10');

    h.clock.advanceTo('2020-09-10T21:59:00Z');
    expect(text(await h.get(pathOf(url)))).toContain('donderdag 10 september 2020, 23:59');
    h.clock.advanceTo('2020-09-10T22:00:00Z');
    const before = await h.snapshot(provider.agb);
    for (const res of [await h.get(pathOf(url)), await h.post(pathOf(url), proposal)]) {
      expect(res.statusCode).toBe(410);
      expect(text(res)).toContain('De termijn verliep op donderdag 10 september 2020, 23:59');
    }
    expect(await h.snapshot(provider.agb)).toEqual(before);
  });
});

describe('signing authority of a provider registered through the public form', () => {
  /** A new provider whose only contact claimed to be its signatory on the public form, up to an accepted agreement. */
  async function registeredAndAgreed(signatoryConfirmed: boolean) {
    const agb = String(20_000_000 + Math.floor(Math.random() * 9_999_999));
    const contact = { id: contactIdFor(`teken-${agb}@nieuw.example.nl`), name: 'Sam Nieuw', email: `teken-${agb}@nieuw.example.nl`, role: 'signatory' as const, authority: 'claimed' as const };
    const { provider } = await h.store.putProvider(aProviderContent({ agb, careTypes: [h.cycle.careType.code], contacts: [contact] }));
    const as = { kind: 'provider', agb, contactId: contact.id } as const;
    let { application: app } = await h.store.createApplication({ cycleId: h.cycle.id, agb, providerName: provider.name, track: 'new', trigger: triggers.operator('register'), actor: { kind: 'operator', id: 'op-1' } });
    app = await h.store.transition(app, { to: 'registration-submitted', trigger: triggers.provider('submit-registration'), actor: as });
    app = await h.store.transition(app, { to: 'under-review', trigger: triggers.milestone('registration-window', 'closes'), actor: { kind: 'system' } });
    await recordDecision({ store: h.store, clock: h.clock }, app, { decision: 'eligible', reason: 'Voldoet aan de voorwaarden.', signatoryConfirmed }, 'inkoper-1');
    app = (await h.store.getApplication(h.cycle.id, agb))!;
    app = await h.store.transition(app, { to: 'in-negotiation', trigger: triggers.milestone('eligibility-notification', 'notify'), actor: { kind: 'system' } });
    app = await h.store.transition(app, { to: 'proposal-submitted', trigger: triggers.provider('submit-proposal'), actor: as });
    await h.store.transition(app, { to: 'agreement-reached', trigger: triggers.provider('accept-negotiation-agreement'), actor: as });
    return { provider, contact, url: await h.issue({ agb, action: 'sign-agreement', contactId: contact.id }) };
  }
  const sign = form({ signatoryName: 'Sam Nieuw', confirm: 'ja' });

  it('cannot sign before a purchaser confirmed the authority (403, the page says why in Dutch, nothing written)', async () => {
    const { provider, url } = await registeredAndAgreed(false);
    const before = await h.snapshot(provider.agb);
    for (const res of [await h.get(pathOf(url)), await h.post(pathOf(url), sign)]) {
      expect(res.statusCode).toBe(403);
      expect(text(res)).toContain('Uw tekenbevoegdheid is nog niet bevestigd');
      expect(text(res)).toContain('uittreksel van de Kamer van Koophandel');
    }
    expect(await h.snapshot(provider.agb)).toEqual(before);
    expect((await h.get(pathOf(url))).statusCode).not.toBe(410); // not used
  });

  it('signs once the purchaser confirmed it with the eligibility decision, which the audit trail records', async () => {
    const { provider, contact, url } = await registeredAndAgreed(true);
    const events = await h.store.listEvents(h.cycle.id, provider.agb);
    expect(events.find((e) => e.to === 'eligible')).toMatchObject({ actor: { kind: 'purchaser', id: 'inkoper-1' }, reason: expect.stringContaining('signing authority of Sam Nieuw confirmed from the KvK extract') });
    expect((await h.store.getApplication(h.cycle.id, provider.agb))?.decision).toMatchObject({ signatoryConfirmed: { contactId: contact.id, by: 'inkoper-1' } });
    expect((await h.get(pathOf(url))).statusCode).toBe(200);
    const res = await h.post(pathOf(url), sign);
    expect(res.statusCode, text(res)).toBe(303);
    expect(await h.store.getApplication(h.cycle.id, provider.agb)).toMatchObject({ state: 'signed' });
  });

  it('a confirmation goes with an eligible decision only', async () => {
    const { provider } = await h.providerIn('none');
    await expect(
      recordDecision({ store: h.store, clock: h.clock }, { cycleId: h.cycle.id, agb: provider.agb }, { decision: 'not-eligible', reason: 'Voldoende gecontracteerd.', signatoryConfirmed: true }, 'inkoper-1'),
    ).rejects.toThrow(/eligible decision/);
  });
});

describe('forms', () => {
  it('an invalid form comes back 400 with the error beside the field and the input kept; nothing written', async () => {
    const { provider } = await h.providerIn('in-negotiation');
    const url = await h.issue({ agb: provider.agb, action: 'submit-proposal', contactId: general(provider).id });
    const before = await h.snapshot(provider.agb);
    const res = await h.post(pathOf(url), form({ amount: 'veel', volume: '250', note: '<b>toelichting</b>' }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('<title>Fout: ');
    expect(res.body).toMatch(/<p class="error" id="f-amount-error">.*Vul een bedrag in euro/);
    expect(res.body).toContain('value="veel"');
    expect(res.body).toContain('&lt;b&gt;toelichting&lt;/b&gt;</textarea>');
    expect(await h.snapshot(provider.agb)).toEqual(before);
    expect((await h.get(pathOf(url))).statusCode).not.toBe(410); // not used
  });
});

describe('each accepted POST: one transition, its event, the token used, the confirmation email', () => {
  async function accepted(path: string, body: string) {
    const res = await h.post(path, body);
    expect(res.statusCode, text(res)).toBe(303);
    const receipt = await h.get(String(res.headers?.location));
    expect(receipt.statusCode).toBe(200);
    expect(text(receipt)).toContain('Ontvangen');
    return res;
  }

  it('submit-proposal → proposal-submitted, proposal-received', async () => {
    const { provider } = await h.providerIn('in-negotiation');
    const url = await h.issue({ agb: provider.agb, action: 'submit-proposal', contactId: general(provider).id });
    await accepted(pathOf(url), form({ amount: '125.000,50', volume: '250', note: 'Zie bijlage' }));
    const app = (await h.store.getApplication(h.cycle.id, provider.agb))!;
    expect(app).toMatchObject({ state: 'proposal-submitted', proposal: { amountCents: 12_500_050, volume: 250, note: 'Zie bijlage' } });
    const events = await h.store.listEvents(h.cycle.id, provider.agb);
    expect(events.at(-1)).toMatchObject({ to: 'proposal-submitted', actor: { kind: 'provider', contactId: general(provider).id } });
    const messages = await h.store.listMessagesOfProvider(provider.agb);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ template: 'proposal-received', status: 'queued', recipients: [{ contactId: general(provider).id }] });
    expect(text(await h.get(pathOf(url)))).toMatch(/Deze link is al gebruikt/);
  });

  it('a proposal stays amendable until the deadline: its confirmation carries a link to amend it, which does', async () => {
    const { provider } = await h.providerIn('in-negotiation');
    const url = await h.issue({ agb: provider.agb, action: 'submit-proposal', contactId: general(provider).id });
    expect(text(await h.get(pathOf(url)))).toContain('met een link waarmee u uw voorstel tot en met 15 september 2020 nog kunt wijzigen');
    await accepted(pathOf(url), form({ amount: '125.000,00', volume: '250' }));
    const [confirmation] = await h.store.listMessagesOfProvider(provider.agb);
    expect(confirmation).toMatchObject({
      template: 'proposal-received',
      params: { deadline: '2020-09-15' },
      link: { action: 'submit-proposal', contactId: general(provider).id, expiresAt: '2020-09-15T21:59:59.999Z' },
    });
    const email = render(confirmation.template, { ...confirmation.params, actionUrl: 'https://aanbieders.example/l/x' });
    expect(email.text).toContain('Tot de uiterste datum kunt u uw voorstel nog wijzigen: uiterlijk dinsdag 15 september 2020, 23:59.');
    expect(email.text).toContain('https://aanbieders.example/l/x');

    // The sender issues the confirmation's link (as it does at send time): it amends the proposal.
    h.clock.advanceTo('2020-09-10T10:00:00Z');
    const amendUrl = await h.issue({ agb: provider.agb, action: 'submit-proposal', contactId: general(provider).id });
    const page = text(await h.get(pathOf(amendUrl)));
    expect(page).toContain('125.000,00');
    await accepted(pathOf(amendUrl), form({ amount: '130.000,00', volume: '260' }));
    expect(await h.store.getApplication(h.cycle.id, provider.agb)).toMatchObject({ state: 'proposal-submitted', proposal: { amountCents: 13_000_000, volume: 260 } });
    const messages = await h.store.listMessagesOfProvider(provider.agb);
    expect(messages.map((m) => m.template)).toEqual(['proposal-received', 'proposal-received']);

    // On the deadline day itself the proposal is still amendable until 23:59: still a link.
    const late = await h.providerIn('in-negotiation');
    const lateUrl = await h.issue({ agb: late.provider.agb, action: 'submit-proposal', contactId: general(late.provider).id });
    h.clock.advanceTo('2020-09-15T21:00:00Z');
    await accepted(pathOf(lateUrl), form({ amount: '1.000,00', volume: '1' }));
    const [lastMinute] = await h.store.listMessagesOfProvider(late.provider.agb);
    expect(lastMinute.link).toMatchObject({ action: 'submit-proposal' }); // still the deadline day: amendable until 23:59
  });

  it('declare-conditions → conditions-confirmed', async () => {
    const { provider } = await h.providerIn('invited');
    const url = await h.issue({ agb: provider.agb, action: 'declare-conditions', contactId: general(provider).id, expiresAt: Date.parse('2020-09-01T21:59:59.999Z') });
    const page = await h.get(pathOf(url));
    const names = [...String(page.body).matchAll(/name="(condition-[a-z-]+)"/g)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(0);
    await accepted(pathOf(url), form(Object.fromEntries(names.map((n) => [n, 'ja']))));
    expect((await h.snapshot(provider.agb)).state).toBe('conditions-confirmed');
    expect((await h.store.listMessagesOfProvider(provider.agb))[0].template).toBe('conditions-confirmed');
  });

  it('accept-negotiation-agreement → agreement-reached; the signatory gets the sign link until the signing deadline', async () => {
    const { provider } = await h.providerIn('proposal-submitted');
    const url = await h.issue({ agb: provider.agb, action: 'accept-negotiation-agreement', contactId: general(provider).id });
    await accepted(pathOf(url), form({ confirm: 'ja' }));
    expect((await h.snapshot(provider.agb)).state).toBe('agreement-reached');
    const [message] = await h.store.listMessagesOfProvider(provider.agb);
    expect(message).toMatchObject({
      template: 'agreement-accepted',
      params: { deadline: '2020-12-31', signatoryName: signatory(provider).name },
      recipients: [{ contactId: signatory(provider).id }],
      link: { action: 'sign-agreement', contactId: signatory(provider).id, expiresAt: '2020-12-31T22:59:59.999Z' },
    });
  });

  it('sign-agreement by the signatory → signed', async () => {
    const { provider } = await h.providerIn('agreement-reached');
    const url = await h.issue({ agb: provider.agb, action: 'sign-agreement', contactId: signatory(provider).id });
    await accepted(pathOf(url), form({ signatoryName: signatory(provider).name, confirm: 'ja' }));
    const app = (await h.store.getApplication(h.cycle.id, provider.agb))!;
    expect(app.state).toBe('signed');
    expect(app.agreement).toMatchObject({ signed: { signatoryName: signatory(provider).name, contactId: signatory(provider).id } });
    expect((await h.store.listMessagesOfProvider(provider.agb))[0].template).toBe('agreement-signed');
  });

  it('ZG: signed after the talks closed the year → contracted at once, with the contracted email', async () => {
    h = await createHarness(local.db.client, await local.freshTable(), { calendarId: 'zg-2024-2025', now: '2023-12-01T10:00:00Z' });
    const { provider } = await h.providerIn('agreement-reached');
    // The link the acceptance gave: valid until the day before the contract year (links/schedule.ts).
    const expiresAt = Date.parse('2023-12-31T22:59:59.999Z');
    const url = await h.issue({ agb: provider.agb, action: 'sign-agreement', contactId: signatory(provider).id, expiresAt });
    await accepted(pathOf(url), form({ signatoryName: signatory(provider).name, confirm: 'ja' }));
    expect((await h.store.getApplication(h.cycle.id, provider.agb))!.state).toBe('contracted');
    expect((await h.store.listEvents(h.cycle.id, provider.agb)).at(-1)).toMatchObject({
      from: 'agreement-reached',
      to: 'contracted',
      trigger: { kind: 'provider', action: 'sign-agreement' },
    });
    expect((await h.store.listMessagesOfProvider(provider.agb)).map((m) => m.template)).toEqual(['contracted']);
  });

  it('withdraw from an open state → withdrawn, the reason in the event', async () => {
    const { provider } = await h.providerIn('proposal-submitted');
    const url = await h.issue({ agb: provider.agb, action: 'withdraw', contactId: general(provider).id });
    await accepted(pathOf(url), form({ reason: 'Wij stoppen met deze zorg.' }));
    expect((await h.snapshot(provider.agb)).state).toBe('withdrawn');
    expect((await h.store.listEvents(h.cycle.id, provider.agb)).at(-1)).toMatchObject({ to: 'withdrawn', reason: 'Wij stoppen met deze zorg.' });
    expect((await h.store.listMessagesOfProvider(provider.agb))[0].template).toBe('withdrawal-confirmed');
  });
});

describe('100 concurrent POSTs of the same valid token', () => {
  it('exactly one transition, one event, one confirmation email', async () => {
    const { provider } = await h.providerIn('in-negotiation');
    const url = await h.issue({ agb: provider.agb, action: 'submit-proposal', contactId: general(provider).id });
    const before = await h.snapshot(provider.agb);
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 100 }, () => h.post(pathOf(url), form({ amount: '1000', volume: '1' }))));
    const ms = Math.round(performance.now() - started);
    const statuses: Record<number, number> = {};
    for (const r of results) statuses[r.statusCode!] = (statuses[r.statusCode!] ?? 0) + 1;
    console.log(`100 concurrent POSTs of one token: ${JSON.stringify(statuses)} in ${ms} ms`);

    expect(statuses[303]).toBe(1);
    expect((statuses[410] ?? 0) + (statuses[409] ?? 0)).toBe(99);
    const after = await h.snapshot(provider.agb);
    expect(after.events).toBe(before.events + 1);
    expect(after.version).toBe(before.version! + 1);
    expect(after.messages).toBe(before.messages + 1);
    expect(after.state).toBe('proposal-submitted');
  });
});

describe('logs', () => {
  it('never carry a token or an email address', async () => {
    const lines: unknown[] = [];
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      vi.spyOn(logger, level).mockImplementation((...args: unknown[]) => void lines.push(args));
    }
    try {
      const { provider } = await h.providerIn('in-negotiation');
      const url = await h.issue({ agb: provider.agb, action: 'submit-proposal', contactId: general(provider).id });
      const token = tokenOf(url);
      await h.get(pathOf(url));
      await h.post(pathOf(url), form({ amount: 'x', volume: '1' }));
      await h.post(pathOf(url), form({ amount: '10', volume: '1' }));
      await h.post(pathOf(url), form({ amount: '10', volume: '1' })); // 410
      await h.get(`/l/${token.slice(0, -3)}abc`); // 404
      await h.post('/aanmelden/msr-2021', form({ organisationName: 'X', agb: '55512345', kvk: '12345678', contactName: 'Y', contactEmail: 'y@x.example.nl', careTypes: 'msr' }));
      expect(lines.length).toBeGreaterThan(0);
      const text = JSON.stringify(lines);
      expect(text).not.toContain(token.split('.')[0]);
      expect(text).not.toContain(token.split('.')[1]);
      expect(text).not.toMatch(/@/);
    } finally {
      vi.restoreAllMocks();
    }
  });
});
