import { beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { ConflictError, TransitionRefusedError } from '../../../functions/commons/errors.ts';
import type { Application } from '../../../functions/domain/model.ts';
import { triggers } from '../../../functions/domain/transitions.ts';
import type { Store } from '../../../functions/store/index.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { actors, anAgb, aTimeline } from '../../support/factories.ts';

const local = useDynamoDbLocal();
const CYCLE = 'test-2021';
let store: Store;
let clock: VirtualClock;

beforeEach(async () => {
  clock = new VirtualClock('2020-06-01T10:00:00Z');
  store = await local.freshStore(clock);
  await store.putSteps(CYCLE, aTimeline());
});

async function invited(agb = anAgb(), cycleId = CYCLE): Promise<Application> {
  const { application } = await store.createApplication({
    cycleId,
    agb,
    track: 'existing',
    providerName: `Aanbieder ${agb}`,
    trigger: triggers.milestone('policy-publication', 'notify'),
    actor: actors.system,
  });
  return application;
}

describe('transitions against DynamoDB Local', () => {
  it('50 concurrent transitions from the same version: exactly one wins, one event', async () => {
    const app = await invited();
    const steps = await store.getSteps(CYCLE);
    const started = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        store.transition(CYCLE, app.agb, {
          trigger: triggers.provider('declare-conditions'),
          actor: actors.provider(app.agb),
          reason: `attempt ${i}`,
          expectedVersion: 1,
          context: { steps },
        }),
      ),
    );
    const ms = performance.now() - started;
    console.info(`50 concurrent transitions: ${ms.toFixed(0)} ms`);

    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.every((r) => r.reason instanceof ConflictError)).toBe(true);

    const events = await store.listEvents(CYCLE, app.agb);
    expect(events.map((e) => [e.version, e.from, e.to])).toEqual([
      [1, null, 'invited'],
      [2, 'invited', 'conditions-confirmed'],
    ]);
    expect(events[1].reason).toMatch(/^attempt \d+$/);
    expect(await store.getApplication(CYCLE, app.agb)).toMatchObject({ state: 'conditions-confirmed', version: 2 });
  });

  it('without an expected version the losers either conflict or find the move already made', async () => {
    const app = await invited();
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => store.transition(CYCLE, app.agb, { trigger: triggers.provider('withdraw'), actor: actors.provider(app.agb) })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason instanceof ConflictError || r.reason instanceof TransitionRefusedError).toBe(true);
    }
    expect(await store.listEvents(CYCLE, app.agb)).toHaveLength(2);
  });

  it('a refused transition writes nothing', async () => {
    const app = await invited();
    await expect(store.transition(app, { trigger: triggers.provider('sign-agreement'), actor: actors.provider(app.agb) })).rejects.toBeInstanceOf(TransitionRefusedError);
    expect(await store.getApplication(CYCLE, app.agb)).toEqual(app);
    expect(await store.listEvents(CYCLE, app.agb)).toHaveLength(1);
  });

  it('a stale application from a page gets a conflict, not a second move', async () => {
    const app = await invited();
    await store.transition(app, { trigger: triggers.provider('declare-conditions'), actor: actors.provider(app.agb) });
    await expect(store.transition(app, { trigger: triggers.provider('withdraw'), actor: actors.provider(app.agb) })).rejects.toBeInstanceOf(ConflictError);
  });

  it('creating an application twice (a re-run milestone) keeps the first', async () => {
    const app = await invited();
    clock.advanceBy(60_000);
    const again = await store.createApplication({
      cycleId: CYCLE,
      agb: app.agb,
      track: 'existing',
      providerName: 'x',
      trigger: triggers.milestone('policy-publication', 'notify'),
      actor: actors.system,
    });
    expect(again).toEqual({ created: false, application: app });
    expect(await store.listEvents(CYCLE, app.agb)).toHaveLength(1);
  });

  it('walks the new-provider track with guards that read the stored timeline and provider', async () => {
    const agb = anAgb();
    const { application } = await store.createApplication({
      cycleId: CYCLE,
      agb,
      track: 'new',
      providerName: 'Nieuw',
      trigger: triggers.provider('request-registration'),
      actor: actors.provider(agb),
    });
    let app = await store.transition(application, { trigger: triggers.provider('submit-registration'), actor: actors.provider(agb), patch: { registration: { documents: ['kvk.pdf'] } } });
    clock.advanceTo('2020-07-02T00:00:00+02:00');
    await expect(store.transition(app, { trigger: triggers.provider('submit-registration'), actor: actors.provider(agb) })).rejects.toBeInstanceOf(TransitionRefusedError);
    app = await store.transition(app, { trigger: triggers.milestone('registration-window', 'closes'), actor: actors.system });
    app = await store.transition(app, { trigger: triggers.purchaser('eligible'), actor: actors.purchaser, reason: 'voldoet' });
    expect(app).toMatchObject({ state: 'eligible', version: 4, registration: { documents: ['kvk.pdf'] } });
    expect((await store.listEvents(CYCLE, agb)).map((e) => e.actor.kind)).toEqual(['provider', 'provider', 'system', 'purchaser']);
  });
});

describe('the milestone fan-out query', () => {
  it('returns exactly the applications in the asked state, across pages', async () => {
    const apps = await Promise.all(Array.from({ length: 23 }, () => invited()));
    // move 9 of them on, so the cycle holds two states
    await Promise.all(
      apps.slice(0, 9).map((a) => store.transition(a, { trigger: triggers.provider('declare-conditions'), actor: actors.provider(a.agb) })),
    );
    await invited(anAgb(), 'other-2021'); // same state, other cycle
    for (const state of ['invited', 'conditions-confirmed'] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await store.queryApplicationsByState(CYCLE, state, { limit: 4, cursor });
        expect(page.items.every((a) => a.state === state && a.cycleId === CYCLE)).toBe(true);
        seen.push(...page.items.map((a) => a.agb));
        cursor = page.cursor;
        pages++;
      } while (cursor);
      const expected = (state === 'invited' ? apps.slice(9) : apps.slice(0, 9)).map((a) => a.agb).sort();
      expect(seen).toEqual(expected); // sorted by AGB code, no duplicates, none missing
      expect(pages).toBeGreaterThan(2);
    }
  });

  it('lists a provider\'s applications across cycles', async () => {
    const agb = anAgb();
    await invited(agb, CYCLE);
    await invited(agb, 'other-2022');
    expect((await store.listApplicationsOfProvider(agb)).map((a) => a.cycleId).sort()).toEqual(['other-2022', CYCLE]);
  });
});
