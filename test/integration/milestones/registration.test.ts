/** Policy publication and the registration window (MSR 2021), against DynamoDB Local. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { LINKS_BASE_URL, makeWorld, render, withLinkUrl, type World } from './harness.ts';

const local = useDynamoDbLocal();
let w: World;

beforeEach(async () => {
  w = await makeWorld(local.db.client, await local.freshTable(), 'msr-2021');
});
afterEach(async () => w.close());

const CYCLE_PARTS = { existing: [{ careType: 'msr', firstYear: 2020, lastYear: 2020 }], running: [{ careType: 'msr', firstYear: 2020, lastYear: 2021 }] };

describe('policy publication', () => {
  it('tells every provider of the care type (key dates + .ics) and invites the existing contract holders, once', async () => {
    const existing = [await w.provider({ contracts: CYCLE_PARTS.existing }), await w.provider({ contracts: CYCLE_PARTS.existing })];
    const running = await w.provider({ contracts: CYCLE_PARTS.running });
    const fresh = await w.provider();
    await w.provider({ careTypes: ['zg'] });

    await w.runStep('policy-publication#notify');

    expect(await w.countByTemplate()).toEqual({ 'policy-published': 4 });
    for (const p of existing) expect(await w.stateOf(p.agb)).toBe('invited');
    expect(await w.stateOf(running.agb)).toBeUndefined(); // contract runs through 2021
    expect(await w.stateOf(fresh.agb)).toBeUndefined();
    const [message] = await w.messages();
    expect(message.key).toMatch(/^msr-2021#\d{8}#policy-publication#notify#policy-published$/);
    expect(message.recipients).toHaveLength(2); // every contact, no link
    const email = render(message.template, message.params);
    expect(email.attachments?.[0]).toMatchObject({ contentType: 'text/calendar' });
    expect(email.text).toContain('1 mei t/m 1 juli 2020');

    // Run again (a retry): nothing new.
    await w.store.updateStep(w.cycle.id, 'policy-publication#notify', { status: 'running', rerun: true });
    await w.acts.runMilestone({ cycleId: w.cycle.id, stepId: 'policy-publication#notify', cursor: null });
    expect(await w.countByTemplate()).toEqual({ 'policy-published': 4 });
    expect(await w.store.listEvents(w.cycle.id, existing[0].agb)).toHaveLength(1);
  });
});

describe('registration window', () => {
  it('opens: invites known providers without an application and without a running contract, with the public form URL', async () => {
    const fresh = [await w.provider(), await w.provider()];
    const registered = await w.provider();
    await w.application(registered, 'registration-started');
    const existing = await w.provider({ contracts: CYCLE_PARTS.existing });
    await w.application(existing, 'invited');
    await w.provider({ contracts: CYCLE_PARTS.running });

    await w.runStep('registration#opens');

    const messages = await w.messages();
    expect(messages.map((m) => m.agb).sort()).toEqual(fresh.map((p) => p.agb).sort());
    expect(messages[0]).toMatchObject({ template: 'registration-invitation', params: { actionUrl: `${LINKS_BASE_URL}/aanmelden/msr-2021`, opens: '2020-05-01', closes: '2020-07-01' } });
    expect(messages[0].link).toBeUndefined();
  });

  it('reminds only those who started and did not submit, with a submit-registration link to one contact', async () => {
    const started = await w.provider();
    await w.application(started, 'registration-started');
    await w.application(await w.provider(), 'registration-submitted');

    await w.runStep('registration#reminder-14');

    const messages = await w.messages();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      agb: started.agb,
      template: 'reminder',
      params: { action: 'submit-registration', deadline: '2020-07-01', daysLeft: 14 },
      link: { action: 'submit-registration', expiresAt: '2020-07-01T21:59:59.999Z' },
    });
    expect(messages[0].recipients).toEqual([expect.objectContaining({ role: 'signatory', contactId: messages[0].link!.contactId })]);
    expect(() => render(messages[0].template, withLinkUrl(messages[0]))).not.toThrow();
  });

  it('closes: of 10 applications in mixed states, started → lapsed (with an email), submitted → under review, the rest untouched', async () => {
    const plan = [
      ...Array.from({ length: 4 }, () => 'registration-started' as const),
      ...Array.from({ length: 3 }, () => 'registration-submitted' as const),
      'invited' as const,
      'eligible' as const,
      'withdrawn' as const,
    ];
    const apps = [];
    for (const state of plan) apps.push(await w.application(await w.provider(), state, state === 'withdrawn' ? { track: 'new' } : {}));

    await w.runStep('registration#closes');

    const states = await Promise.all(apps.map((a) => w.stateOf(a.agb)));
    expect(states).toEqual([
      ...Array(4).fill('lapsed'),
      ...Array(3).fill('under-review'),
      'invited',
      'eligible',
      'withdrawn',
    ]);
    expect(await w.countByTemplate()).toEqual({ 'registration-lapsed': 4 });
    const lapsed = (await w.messages()).map((m) => m.agb).sort();
    expect(lapsed).toEqual(apps.slice(0, 4).map((a) => a.agb).sort());
    const events = await w.store.listEvents(w.cycle.id, apps[0].agb);
    expect(events.at(-1)).toMatchObject({ from: 'registration-started', to: 'lapsed', trigger: { kind: 'deadline', milestone: 'registration-window' } });

    // Twice: nothing moves or queues again.
    await w.store.updateStep(w.cycle.id, 'registration#closes', { status: 'running', rerun: true });
    let page = await w.acts.runMilestone({ cycleId: w.cycle.id, stepId: 'registration#closes', cursor: null });
    while (page.more) page = await w.acts.runMilestone({ cycleId: w.cycle.id, stepId: 'registration#closes', cursor: page.cursor });
    expect(await w.countByTemplate()).toEqual({ 'registration-lapsed': 4 });
    for (const a of apps.slice(0, 7)) expect(await w.store.listEvents(w.cycle.id, a.agb)).toHaveLength(1);
  });
});
