/** Pure parts of the milestone work: cursor, config, causes, run order, messages (the plans: ./plan.test.ts, ./plan/). */
import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../../../functions/calendar/timeline.ts';
import { loadCalendar } from '../../../functions/calendar/validate.ts';
import { ValidationError } from '../../../functions/commons/errors.ts';
import type { Step } from '../../../functions/domain/model.ts';
import { milestoneConfigSchema, registrationFormUrl } from '../../../functions/milestones/config.ts';
import { decodeRunCursor, encodeRunCursor, gather } from '../../../functions/milestones/cursor.ts';
import { describeCause, inRunOrder } from '../../../functions/milestones/loop.ts';
import { linkContact, providerMessage, teamMessage } from '../../../functions/milestones/messages.ts';
import { aProvider } from '../../support/factories.ts';
import { stepContextFor } from '../../support/step-context.ts';

const contextFor = stepContextFor;

describe('the page cursor', () => {
  it('round-trips, starts at the beginning without one, and refuses anything else', () => {
    const cursor = { p: 2, c: 'abc', a: { undecided: [['12345678', 'Zorg B.V.']] as [string, string][] } };
    expect(decodeRunCursor(encodeRunCursor(cursor))).toEqual(cursor);
    expect(decodeRunCursor(null)).toEqual({ p: 0, c: null, a: {} });
    expect(() => decodeRunCursor('not-a-cursor')).toThrow(ValidationError);
    expect(() => decodeRunCursor(Buffer.from(JSON.stringify({ v: 2, p: 0, c: null, a: {} })).toString('base64url'))).toThrow(ValidationError);
  });

  it('gathers each provider once', () => {
    const into = {};
    gather(into, 'x', [['1', 'A'], ['2', 'B']]);
    gather(into, 'x', [['2', 'B'], ['3', 'C']]);
    expect(into).toEqual({ x: [['1', 'A'], ['2', 'B'], ['3', 'C']] });
  });
});

describe('the milestone config', () => {
  it('has defaults for everything but the links base URL (the stack sets them all: test/unit/handlers/environment.test.ts)', () => {
    expect(milestoneConfigSchema.parse({ linksBaseUrl: 'https://aanbieders.example.nl/' })).toEqual({
      pageSize: 100,
      linksBaseUrl: 'https://aanbieders.example.nl/',
      purchasersEmail: 'inkoop@zorgverzekeraar.example',
      customerCommunicationEmail: 'klantcommunicatie@zorgverzekeraar.example',
    });
    expect(() => milestoneConfigSchema.parse({})).toThrow();
    expect(() => milestoneConfigSchema.parse({ linksBaseUrl: 'https://a.example', pageSize: 0 })).toThrow();
    expect(registrationFormUrl({ linksBaseUrl: 'https://aanbieders.example.nl/' }, 'msr-2021')).toBe('https://aanbieders.example.nl/aanmelden/msr-2021');
  });
});

describe('the loop', () => {
  it('describes a Lambda error by its type and message only, without addresses', () => {
    expect(describeCause({ Error: 'Error', Cause: JSON.stringify({ errorType: 'ConflictError', errorMessage: 'Lost a race', trace: ['x'] }) })).toBe('ConflictError: Lost a race');
    expect(describeCause({ Error: 'States.Timeout', Cause: 'Task timed out' })).toBe('States.Timeout: Task timed out');
    expect(describeCause({ Error: 'Error', Cause: 'mail to a@b.example.nl failed' })).toBe('Error: mail to [email] failed');
    expect(describeCause({})).toBe('Error');
  });

  it('orders steps by instant, ties in calendar order', async () => {
    const calendar = await loadCalendar('zg-2024-2025');
    const order = buildTimeline(calendar).map((s) => s.stepId);
    const steps = [{ stepId: 'registration#opens', at: '2023-04-01T07:00:00.000Z' }, { stepId: 'policy-publication#notify', at: '2023-04-01T07:00:00.000Z' }] as Step[];
    expect(inRunOrder(steps, order).map((s) => s.stepId)).toEqual(['policy-publication#notify', 'registration#opens']);
    expect(inRunOrder(steps, [...order].reverse()).map((s) => s.stepId)).toEqual(['registration#opens', 'policy-publication#notify']);
  });
});

describe('messages', () => {
  const provider = aProvider({ agb: '12345678', name: 'Revalidatie Noord' });
  const signatory = provider.contacts.find((c) => c.role === 'signatory')!;

  it('send a link to one contact: the signatory, or the first contact — never a sign link to anyone else', () => {
    expect(linkContact(provider, 'submit-proposal')).toBe(signatory);
    const noSignatory = { contacts: provider.contacts.filter((c) => c.role !== 'signatory') };
    expect(linkContact(noSignatory, 'submit-registration')).toBe(noSignatory.contacts[0]);
    expect(linkContact(noSignatory, 'sign-agreement')).toBeUndefined();
  });

  it('are keyed by cycle, provider, step and template, checked against the template', async () => {
    const ctx = await contextFor('msr-2021', 'proposal-deadline#reminder-3');
    const message = providerMessage(ctx, provider, 'reminder', { action: 'submit-proposal', deadline: '2020-09-15' }, { action: 'submit-proposal', until: '2020-09-15' });
    expect(message).toMatchObject({
      key: 'msr-2021#12345678#proposal-deadline#reminder-3#reminder',
      recipients: [{ role: 'signatory', address: signatory.email, contactId: signatory.id }],
      params: { providerName: 'Revalidatie Noord', careTypeName: 'Medisch specialistische revalidatie', contractYear: 2021, contractTermYears: 1 },
      link: { action: 'submit-proposal', contactId: signatory.id, expiresAt: '2020-09-15T21:59:59.999Z' },
    });
    expect(providerMessage(ctx, provider, 'contracted', {})?.recipients).toHaveLength(2);
    expect(() => providerMessage(ctx, provider, 'reminder', { action: 'submit-proposal', deadline: '15-09-2020' } as never)).toThrow(ValidationError);
    expect(teamMessage(ctx, 'purchaser', 'signing-escalation', { deadline: '2020-12-31', applications: [{ agb: '12345678', providerName: 'X' }] })).toMatchObject({
      key: 'msr-2021#-#proposal-deadline#reminder-3#signing-escalation',
      recipients: [{ role: 'purchaser', address: 'inkoop@zorgverzekeraar.example' }],
    });
  });
});
