/**
 * The operator service on the real store (DynamoDB Local): status counts and
 * overdue, the purchaser's decision as an audited, version-checked transition,
 * answering questions, a provider's history, the email log, provider search.
 */
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { calendarSchema } from '../../../functions/calendar/schema.ts';
import { buildTimeline } from '../../../functions/calendar/timeline.ts';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { ConflictError, NotFoundError, TransitionRefusedError } from '../../../functions/commons/errors.ts';
import { render } from '../../../functions/email/templates.ts';
import { createCycleFromCalendar, triggers } from '../../../functions/domain/index.ts';
import type { OperatorDeps } from '../../../functions/operators/deps.ts';
import { findQuestion } from '../../../functions/operators/questions.ts';
import { createOperatorService, type OperatorService } from '../../../functions/operators/service.ts';
import type { Store } from '../../../functions/store/index.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { aMessage, aProviderContent, aQuestion, actors } from '../../support/factories.ts';

const MSR = calendarSchema.parse(JSON.parse(readFileSync(new URL('../../../workflows/calendars/msr-2021.json', import.meta.url), 'utf8')));
const CYCLE = MSR.id;
const local = useDynamoDbLocal();

let clock: VirtualClock;
let store: Store;
let deps: OperatorDeps;
let service: OperatorService;
let newcomers: string[];
let holders: string[];

/** Two new providers under review, three existing holders invited, emails and a question. */
beforeEach(async () => {
  clock = new VirtualClock('2020-06-01T10:00:00Z');
  store = await local.freshStore(clock);
  const { cycle, steps } = createCycleFromCalendar(MSR, { steps: buildTimeline(MSR), clock });
  await store.putCycle({ ...cycle, status: 'running' });
  await store.putSteps(CYCLE, steps);
  for (const stepId of ['policy-publication#notify', 'registration#opens']) {
    await store.updateStep(CYCLE, stepId, { status: 'running' });
    await store.updateStep(CYCLE, stepId, { status: 'done' });
  }

  const providers = [
    aProviderContent({ name: 'Revalidatie Oost', careTypes: ['msr'] }),
    aProviderContent({ name: 'Revalidatie West', careTypes: ['msr'] }),
    ...[1, 2, 3].map((i) => aProviderContent({ name: `Kliniek ${i}`, careTypes: ['msr'], contracts: [{ careType: 'msr', firstYear: 2020, lastYear: 2020 }] })),
  ];
  for (const p of providers) await store.putProvider(p);
  newcomers = providers.slice(0, 2).map((p) => p.agb);
  holders = providers.slice(2).map((p) => p.agb);

  for (const p of providers.slice(2)) {
    await store.createApplication({ cycleId: CYCLE, agb: p.agb, track: 'existing', providerName: p.name, trigger: triggers.milestone('policy-publication', 'notify'), actor: actors.system });
  }
  for (const p of providers.slice(0, 2)) {
    await store.createApplication({ cycleId: CYCLE, agb: p.agb, track: 'new', providerName: p.name, trigger: triggers.operator('register'), actor: actors.operator });
    await store.transition(CYCLE, p.agb, { trigger: triggers.provider('submit-registration'), actor: actors.provider(p.agb) });
  }
  await store.enqueueMessage(aMessage({ key: `${CYCLE}#${newcomers[0]}#a#registration-received`, cycleId: CYCLE, agb: newcomers[0], template: 'registration-received' }));
  await store.enqueueMessage(aMessage({ key: `${CYCLE}#${holders[0]}#a#policy-published`, cycleId: CYCLE, agb: holders[0], template: 'policy-published' }));
  await store.enqueueMessage(aMessage({ key: 'other-2022#-#x#policy-published', cycleId: 'other-2022', agb: holders[0], template: 'policy-published' }));
  await store.claimMessage(`${CYCLE}#${holders[0]}#a#policy-published`);
  await store.markMessageSent(`${CYCLE}#${holders[0]}#a#policy-published`, 'ses-1');
  await store.putQuestion(aQuestion({ cycleId: CYCLE, id: 'q-1', agb: newcomers[0], text: 'Telt een nevenlocatie mee?' }));

  // The window closes: submitted registrations go under review.
  clock.advanceTo('2020-07-01T22:00:00Z');
  for (const agb of newcomers) await store.transition(CYCLE, agb, { trigger: triggers.milestone('registration-window', 'closes'), actor: actors.system });
  clock.advanceTo('2020-07-10T08:00:00Z');

  deps = { store, clock, executions: { describe: async () => ({ name: `${CYCLE}-1`, status: 'RUNNING' }) } };
  service = createOperatorService(deps);
});

describe('status', () => {
  it('counts applications per state, emails per status (this cycle only), questions; lists undecided eligibility', async () => {
    const s = await service.cycle(CYCLE);
    expect(s.execution).toEqual({ name: `${CYCLE}-1`, status: 'RUNNING' });
    expect(s.applications.total).toBe(5);
    expect(s.applications.byState).toMatchObject({ invited: 3, 'under-review': 2 });
    expect(s.emails).toEqual({ total: 2, byStatus: { queued: 1, sending: 0, sent: 1, failed: 0 } });
    expect(s.questions).toEqual({ open: 1, answered: 0 });
    expect(s.nextStep?.stepId).toBe('registration#reminder-14');
    expect(s.overdue).toEqual([
      expect.objectContaining({ kind: 'undecided-eligibility', due: '2020-09-04T07:00:00.000Z', late: false, applications: expect.any(Array) }),
    ]);
    expect(s.overdue[0].applications.map((a) => a.agb).sort()).toEqual([...newcomers].sort());
    expect((await service.cycles()).map((c) => c.cycle.id)).toEqual([CYCLE]);
  });
});

describe('decisions', () => {
  it('a decision is a transition: audited with the purchaser and reason, kept on the application, gone from the queue', async () => {
    const [agb] = newcomers;
    const result = await service.decide({ cycleId: CYCLE, agb }, { decision: 'eligible', reason: 'Voldoet aan de minimumnormen', expectedVersion: 3 }, 'inkoper-anna');
    expect(result).toMatchObject({ agb, state: 'eligible', version: 4, by: 'inkoper-anna' });

    const events = await store.listEvents(CYCLE, agb);
    expect(events.at(-1)).toMatchObject({
      from: 'under-review',
      to: 'eligible',
      trigger: { kind: 'purchaser', decision: 'eligible' },
      actor: { kind: 'purchaser', id: 'inkoper-anna' },
      reason: 'Voldoet aan de minimumnormen',
      at: '2020-07-10T08:00:00.000Z',
    });
    expect((await store.getApplication(CYCLE, agb))?.decision).toEqual({ decision: 'eligible', reason: 'Voldoet aan de minimumnormen', by: 'inkoper-anna', at: '2020-07-10T08:00:00.000Z' });
    expect((await service.decisionQueue(CYCLE)).applications.map((a) => a.agb)).toEqual([newcomers[1]]);
  });

  it('version-checked: a decision on a version someone else moved on is a conflict; deciding twice is refused', async () => {
    const [agb] = newcomers;
    await expect(service.decide({ cycleId: CYCLE, agb }, { decision: 'eligible', reason: 'oude pagina', expectedVersion: 2 }, 'b')).rejects.toBeInstanceOf(ConflictError);
    await service.decide({ cycleId: CYCLE, agb }, { decision: 'not-eligible', reason: 'Geen VOG', expectedVersion: 3 }, 'a');
    await expect(service.decide({ cycleId: CYCLE, agb }, { decision: 'eligible', reason: 'toch wel' }, 'b')).rejects.toBeInstanceOf(TransitionRefusedError);
    // An existing contract holder has no eligibility to decide.
    await expect(service.decide({ cycleId: CYCLE, agb: holders[0] }, { decision: 'eligible', reason: 'n.v.t.' }, 'b')).rejects.toBeInstanceOf(TransitionRefusedError);
  });

  it('the queue names the date the decisions are due before', async () => {
    const queue = await service.decisionQueue(CYCLE);
    expect(queue.due).toMatchObject({ milestoneId: 'eligibility-notification', at: '2020-09-04T07:00:00.000Z', atLocal: '2020-09-04 09:00 +02:00', late: false });
    expect(queue.applications).toHaveLength(2);
  });
});

describe('questions', () => {
  it('answered publicly or privately by a purchaser; found by id across cycles', async () => {
    expect(await findQuestion(deps, 'q-1')).toMatchObject({ cycleId: CYCLE, status: 'open' });
    const answered = await service.answer({ cycleId: CYCLE, id: 'q-1' }, { text: 'Ja, elke locatie telt mee.', public: true }, 'inkoper-anna');
    expect(answered).toMatchObject({ status: 'answered', public: true, answer: { text: 'Ja, elke locatie telt mee.', by: 'inkoper-anna' } });
    expect(await service.questions(CYCLE, { status: 'open' })).toEqual([]);
    expect((await store.listQuestions(CYCLE, { publicOnly: true })).map((q) => q.id)).toEqual(['q-1']);
    // A public answer waits for the Q&A memo: no email of its own.
    expect((await store.listMessagesOfProvider(newcomers[0])).map((m) => m.template)).toEqual(['registration-received']);
  });

  it('a private answer is emailed to the contact who asked, once per answer text', async () => {
    const provider = (await store.getProvider(newcomers[0]))!;
    const asker = provider.contacts.find((c) => c.role !== 'signatory')!;
    await store.putQuestion(aQuestion({ cycleId: CYCLE, id: 'q-2', agb: newcomers[0], contactId: asker.id, kind: 'objection', text: 'De norm is te streng.' }));
    const answers = async () => (await store.listMessagesOfProvider(newcomers[0])).filter((m) => m.template === 'question-answered');

    const answered = await service.answer({ cycleId: CYCLE, id: 'q-2' }, { text: 'Wij handhaven de norm.', public: false }, 'inkoper-anna');
    expect(answered).toMatchObject({ status: 'answered', public: false, answer: { text: 'Wij handhaven de norm.', by: 'inkoper-anna' } });
    const [email] = await answers();
    expect(email).toMatchObject({
      status: 'queued',
      recipients: [{ address: asker.email, contactId: asker.id }],
      params: { questionReference: 'q-2', kind: 'objection', question: 'De norm is te streng.', answer: 'Wij handhaven de norm.', providerName: 'Revalidatie Oost' },
    });
    expect(render('question-answered', email.params).subject).toBe('Antwoord op uw bezwaar over het inkoopbeleid Medisch specialistische revalidatie 2021');

    // The same answer again (a double click): recorded, not emailed twice. A corrected answer: one more email.
    await service.answer({ cycleId: CYCLE, id: 'q-2' }, { text: 'Wij handhaven de norm.', public: false }, 'inkoper-anna');
    expect(await answers()).toHaveLength(1);
    await service.answer({ cycleId: CYCLE, id: 'q-2' }, { text: 'Wij handhaven de norm, met een overgangsjaar.', public: false }, 'inkoper-bob');
    expect((await answers()).map((m) => m.params.answer).sort()).toEqual(['Wij handhaven de norm, met een overgangsjaar.', 'Wij handhaven de norm.']);
    expect((await store.listQuestions(CYCLE)).find((q) => q.id === 'q-2')?.answer).toMatchObject({ text: 'Wij handhaven de norm, met een overgangsjaar.', by: 'inkoper-bob' });
  });

  it('an unknown question is a NotFoundError, and nothing is queued', async () => {
    await expect(service.answer({ cycleId: CYCLE, id: 'q-404' }, { text: 'Antwoord', public: false }, 'inkoper-anna')).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.answerQuestion(CYCLE, 'q-404', { text: 'Antwoord', by: 'x', public: false }, { message: aMessage({ cycleId: CYCLE }) })).rejects.toBeInstanceOf(NotFoundError);
    expect((await store.queryMessagesByStatus('queued')).items.map((m) => m.template).sort()).toEqual(['policy-published', 'registration-received']);
  });
});

describe('provider history, email log, search', () => {
  it('one provider: profile, application with its full audit trail, emails across cycles, questions', async () => {
    const h = await service.provider(newcomers[0]);
    expect(h.provider?.name).toBe('Revalidatie Oost');
    expect(h.applications).toHaveLength(1);
    expect(h.applications[0].events.map((e) => `${e.from ?? '-'}>${e.to}`)).toEqual(['->registration-started', 'registration-started>registration-submitted', 'registration-submitted>under-review']);
    expect(h.emails.map((e) => e.template)).toEqual(['registration-received']);
    expect(h.questions.map((q) => q.id)).toEqual(['q-1']);
    expect((await service.provider(holders[0])).emails.map((e) => e.cycleId).sort()).toEqual([CYCLE, 'other-2022']);
  });

  it('the email log filters by cycle, status, template and provider, newest first', async () => {
    expect((await service.emails({})).total).toBe(3);
    expect((await service.emails({ cycle: CYCLE })).total).toBe(2);
    expect((await service.emails({ status: 'sent' })).emails.map((e) => e.template)).toEqual(['policy-published']);
    expect((await service.emails({ template: 'registration-received' })).emails.map((e) => e.agb)).toEqual([newcomers[0]]);
    expect((await service.emails({ agb: holders[0], cycle: 'other-2022' })).total).toBe(1);
    const [email] = (await service.emails({ cycle: CYCLE, status: 'sent' })).emails;
    expect(email).not.toHaveProperty('params');
    expect(email.to[0]).toMatchObject({ role: 'signatory' });
  });

  it('providers are found by AGB code or by part of the name', async () => {
    expect(await service.searchProviders({ q: newcomers[1] })).toEqual([{ agb: newcomers[1], name: 'Revalidatie West', careTypes: ['msr'] }]);
    expect((await service.searchProviders({ q: 'revalidatie' })).map((p) => p.name).sort()).toEqual(['Revalidatie Oost', 'Revalidatie West']);
    expect(await service.searchProviders({ q: 'Nergens' })).toEqual([]);
  });
});
