/** What `inkoop status`, `provider` and `questions` print. */
import { describe, expect, it } from 'vitest';
import { proofText, providerText, questionsText, statusText, table } from '../../../functions/operators/text.ts';
import type { ProviderHistoryView } from '../../../functions/operators/views.ts';
import { aQuestionView, aStatus } from './fixtures.ts';

describe('CLI text', () => {
  it('status: execution, now, each step with local and UTC times and the next marked, counts, overdue, failed with the retry command', () => {
    const text = statusText(aStatus({ failed: 'agreement-available#notify' }));
    const lines = text.split('\n');
    expect(lines[0]).toBe('msr-2021: Medisch specialistische revalidatie 2021 (zvw)');
    expect(text).toContain('execution RUNNING msr-2021-1');
    expect(text).toContain('now 2020-07-10 10:00 +02:00 (2020-07-10T08:00:00.000Z)');
    expect(lines.find((l) => l.includes('registration') && l.includes('closes'))).toMatch(/done\s+registration\s+closes\s+2020-07-02 00:00 \+02:00\s+2020-07-01T22:00:00.000Z/);
    expect(lines.find((l) => /agreement-available\s+notify/.test(l))).toMatch(/^\s+failed \(next\)\s+agreement-available/);
    expect(text).toContain('Applications: 5');
    expect(text).toMatch(/under-review\s+2/);
    expect(text).toContain('undecided eligibility: 2 before');
    expect(text).toContain('re-run: inkoop milestone retry msr-2021 agreement-available');
  });

  it('provider: the audit trail, emails and questions', () => {
    const history: ProviderHistoryView = {
      provider: { agb: '12345678', kvk: '87654321', name: 'Revalidatie Oost', careTypes: ['msr'], contacts: [{ id: 'c-1', name: 'Anna', role: 'signatory', email: 'anna@oost.example' }], contracts: [] },
      applications: [
        {
          cycleId: 'msr-2021',
          track: 'new',
          state: 'eligible',
          version: 4,
          stateSince: '2020-07-10T08:00:00.000Z',
          events: [{ version: 4, from: 'under-review', to: 'eligible', trigger: { kind: 'purchaser', decision: 'eligible' }, actor: { kind: 'purchaser', id: 'inkoper-anna' }, reason: 'Voldoet', at: '2020-07-10T08:00:00.000Z' }],
        },
      ],
      emails: [
        {
          key: 'msr-2021#12345678#submit-registration@v2#registration-received',
          cycleId: 'msr-2021',
          agb: '12345678',
          template: 'registration-received',
          step: 'submit-registration@v2',
          status: 'sent',
          attempts: 1,
          createdAt: '2020-05-15T02:45:00.000Z',
          sentAt: '2020-05-15T02:46:00.000Z',
          to: [
            { role: 'signatory', address: 'anna@oost.example', delivery: { status: 'delivered', at: '2020-05-15T02:46:05.000Z' } },
            { role: 'general', address: 'info@oost.example', delivery: { status: 'bounced', at: '2020-05-15T02:46:09.000Z', diagnostic: 'Permanent/General: smtp; 550 5.1.1 user unknown', permanent: true } },
          ],
        },
      ],
      questions: [aQuestionView({ status: 'answered', public: true, answer: { text: 'Ja.', by: 'x', at: '2020-06-01T00:00:00.000Z' } })],
      reachability: null,
      corrections: [],
    };
    const text = providerText(history, '12345678');
    expect(text).toContain('12345678 Revalidatie Oost (KvK 87654321)');
    expect(text).toMatch(/4\s+2020-07-10 10:00 \+02:00\s+under-review -> eligible\s+purchaser eligible\s+purchaser inkoper-anna\s+Voldoet/);
    expect(text).toMatch(/2020-05-15 04:45 \+02:00\s+msr-2021\s+registration-received\s+submit-registration@v2\s+sent\s+2020-05-15 04:46 \+02:00\s+anna@oost.example: delivered 2020-05-15 04:46 \+02:00; info@oost.example: bounced 2020-05-15 04:46 \+02:00 \(Permanent\/General: smtp; 550 5.1.1 user unknown\)/);
    expect(proofText(history, '12345678')).toBe(
      [
        'Proof of notification: Revalidatie Oost (AGB 12345678), cycle msr-2021: 1 emails, 1 delivered to at least one contact',
        '  sent 2020-05-15 04:46 +02:00  registration-received (submit-registration@v2)',
        '    anna@oost.example: delivered 2020-05-15 04:46 +02:00',
        '    info@oost.example: bounced 2020-05-15 04:46 +02:00 (Permanent/General: smtp; 550 5.1.1 user unknown)',
      ].join('\n'),
    );
    expect(proofText(history, '12345678', 'zvt-2021')).toBe('12345678 Revalidatie Oost: no emails in zvt-2021');
    expect(text).toContain('public answer: Ja.');
  });

  it('questions: open and answered, with who answered and whether it is public', () => {
    expect(questionsText('msr-2021', [])).toBe('msr-2021: no questions or objections');
    const text = questionsText('msr-2021', [aQuestionView(), aQuestionView({ id: 'q-2', status: 'answered', public: false, answer: { text: 'Nee.', by: 'inkoper-anna', at: '2020-06-01T10:00:00.000Z' } })]);
    expect(text).toContain('q-1  OPEN  question from 12345678');
    expect(text).toContain('private answer by inkoper-anna, 2020-06-01 12:00 +02:00:\n    Nee.');
  });

  it('tables pad every column but the last', () => {
    expect(table([['A', 'BB', 'C'], ['AAA', 'B', 'CCC']])).toBe('A    BB  C\nAAA  B   CCC');
  });
});
