/**
 * What a page costs in DynamoDB requests, counted on the client against
 * DynamoDB Local: one read request per page load (the steps come from the
 * in-process cache), and an amended calendar shows on the very next load.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { amendMilestone } from '../../../functions/cycles/amend.ts';
import { createStore, type Store } from '../../../functions/store/index.ts';
import { recordRequests, useDynamoDbLocal } from '../../support/dynamodb.ts';
import { createHarness, form, generalContact as general, pathOf, text, type Harness } from './harness.ts';

const local = useDynamoDbLocal();
let calls: string[];

beforeAll(() => {
  calls = recordRequests(local.db.client);
});

let h: Harness;
let tableName: string;
/** Another process (the operator's CLI, the workflow): writes that the app's store does not see happen. */
let elsewhere: Store;

beforeEach(async () => {
  tableName = await local.freshTable();
  h = await createHarness(local.db.client, tableName);
  elsewhere = createStore({ client: local.db.client, tableName, clock: h.clock });
});

/** The DynamoDB requests `fn` made, by operation, in order. */
async function requestsOf(fn: () => Promise<unknown>): Promise<string[]> {
  calls.length = 0;
  await fn();
  return [...calls];
}


describe('DynamoDB requests per page', () => {
  it('a link page is one request once the steps are cached; its POST one read and the transaction; the receipt one', async () => {
    const { provider } = await h.providerIn('in-negotiation');
    const path = pathOf(await h.issue({ agb: provider.agb, action: 'submit-proposal', contactId: general(provider).id }));

    // The first page of the cycle reads its steps.
    expect(await requestsOf(async () => expect((await h.get(path)).statusCode).toBe(200))).toEqual(['BatchGetItem', 'Query']);
    expect(await requestsOf(async () => expect((await h.get(path)).statusCode).toBe(200))).toEqual(['BatchGetItem']);

    let location = '';
    expect(
      await requestsOf(async () => {
        const res = await h.post(path, form({ amount: '125.000,00', volume: '250' }));
        expect(res.statusCode).toBe(303);
        location = String(res.headers?.location);
      }),
    ).toEqual(['BatchGetItem', 'TransactWriteItems']);
    expect((await h.snapshot(provider.agb)).state).toBe('proposal-submitted');

    expect(await requestsOf(async () => expect((await h.get(location)).statusCode).toBe(200))).toEqual(['BatchGetItem']);
    // Used: the page says so, still from one request.
    expect(await requestsOf(async () => expect((await h.get(path)).statusCode).toBe(410))).toEqual(['BatchGetItem']);
  });

  it('refusals read no more than the page: a link for a provider without an application, one request', async () => {
    const { provider } = await h.providerIn('none');
    // Validly signed, bound to a version, but the provider has no application in the cycle.
    const token = h.signedProposal(provider, 1);
    const path = `/l/${token}`;
    await h.get(path);
    expect(await requestsOf(async () => expect((await h.get(path)).statusCode).toBe(404))).toEqual(['BatchGetItem']);
  });

  it('the registration form is one request; its POST reads cycle and provider in one before it writes', async () => {
    const formPath = `/aanmelden/${h.cycle.id}`;
    await h.get(formPath);
    expect(await requestsOf(async () => expect((await h.get(formPath)).statusCode).toBe(200))).toEqual(['BatchGetItem']);

    const body = form({
      organisationName: 'Revalidatie Oost',
      agb: '5550 0003',
      kvk: '12345678',
      contactName: 'Anna de Vries',
      contactEmail: 'anna@oost.example',
      careTypes: h.cycle.careType.code,
    });
    const posted = await requestsOf(async () => expect((await h.post(formPath, body)).statusCode).toBe(303));
    const firstWrite = posted.findIndex((op) => !['BatchGetItem', 'GetItem', 'Query'].includes(op));
    expect(posted.slice(0, firstWrite)).toEqual(['BatchGetItem']);
    expect(await h.store.getApplication(h.cycle.id, '55500003')).toMatchObject({ state: 'registration-started' });

    // Known now: the provider read with the cycle is used, not read again.
    const again = await requestsOf(async () => expect((await h.post(formPath, body)).statusCode).toBe(303));
    expect(again[0]).toBe('BatchGetItem');
    expect(again.slice(1)).not.toContain('Query');
    expect(await requestsOf(async () => expect((await h.get(`${formPath}/ontvangen`)).statusCode).toBe(200))).toEqual(['BatchGetItem']);
  });
});

describe('the steps cache', () => {
  it('sees an amended calendar on the next request, and the workflow moving steps along with one read of the steps', async () => {
    const { provider } = await h.providerIn('registration-started', 'new');
    const path = pathOf(await h.issue({ agb: provider.agb, action: 'submit-registration', contactId: provider.contacts[0].id }));
    const formPath = `/aanmelden/${h.cycle.id}`;
    expect(text(await h.get(path))).toContain('tot en met 1 juli 2020');
    expect(text(await h.get(formPath))).toMatch(/1 juli 2020/);

    // Progress is a new steps version (the steps kept are current): read once, then kept again.
    await elsewhere.updateStep(h.cycle.id, 'registration#opens', { status: 'running' });
    await elsewhere.updateStep(h.cycle.id, 'registration#opens', { status: 'done' });
    await elsewhere.updateCycleStatus(h.cycle.id, 'running');
    expect(await requestsOf(() => h.get(path))).toEqual(['BatchGetItem', 'Query']);
    expect(await requestsOf(() => h.get(path))).toEqual(['BatchGetItem']);

    await amendMilestone(
      elsewhere,
      { cycleId: h.cycle.id, milestoneId: 'registration', newCloses: '2020-07-08', reason: 'Meer tijd voor nieuwe aanbieders', actor: { kind: 'operator', id: 'op-1' } },
      { clock: h.clock },
    );

    let page = '';
    expect(await requestsOf(async () => (page = text(await h.get(path))))).toEqual(['BatchGetItem', 'Query']);
    expect(page).toContain('tot en met 8 juli 2020');
    expect(page).not.toContain('tot en met 1 juli 2020');
    expect(await requestsOf(async () => (page = text(await h.get(formPath))))).toEqual(['BatchGetItem']);
    expect(page).toMatch(/8 juli 2020/);
    expect(page).not.toMatch(/1 juli 2020/);
  });
});
