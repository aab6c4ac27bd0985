import { describe, expect, it } from 'vitest';
import { causeOf, formatReport, type RehearsalReport } from '../../../../functions/local/rehearsal/report.ts';
import { messageKey } from '../../../../functions/domain/messages.ts';

describe('the rehearsal report', () => {
  it('reads the cause back out of an outbox key, step ids with # included', () => {
    expect(causeOf(messageKey({ cycleId: 'msr-2021', agb: '12345678', cause: 'registration#closes', template: 'registration-lapsed' }))).toBe('registration#closes');
    expect(causeOf(messageKey({ cycleId: 'msr-2021', cause: 'signing-deadline#deadline', template: 'signing-escalation' }))).toBe('signing-deadline#deadline');
    expect(causeOf(messageKey({ cycleId: 'msr-2021', agb: '12345678', cause: 'submit-proposal@v4', template: 'proposal-received' }))).toBe('submit-proposal@v4');
  });

  it('prints every section', () => {
    const report: RehearsalReport = {
      rehearsal: { calendar: 'msr-2021', cycleId: 'msr-2021', providers: 2, seed: '1', mode: 'fast', resumed: false },
      wallTimeMs: 1234,
      virtual: { from: '2020-03-30T22:00:00.000Z', to: '2020-12-31T23:00:00.000Z' },
      cycle: { status: 'done' },
      milestones: [
        { stepId: 'policy-publication#notify', milestoneId: 'policy-publication', title: 'Publicatie', kind: 'policy-publication', phase: 'notify', at: '2020-04-01T07:00:00.000Z', atLocal: '2020-04-01 09:00 +02:00', status: 'done', durationMs: 500, emails: { 'policy-published': 2 }, emailsTotal: 2 },
      ],
      betweenMilestones: { 'proposal-received': 1 },
      emails: { total: 3, byTemplate: { 'policy-published': 2, 'proposal-received': 1 }, failed: 0, queued: 0, unmatched: 0 },
      deliveries: { byStatus: { delivered: 2, bounced: 1 }, unreachable: 1 },
      applications: { total: 1, byState: { contracted: 1 }, transitions: 5 },
      deadlinesMissed: [{ milestoneId: 'proposal-deadline', kind: 'proposal-deadline', applications: 1 }],
      contracted: [{ agb: '12345678', name: 'Kliniek' }],
      dynamodb: { operations: { GetItem: 10 }, requests: 10, itemsWritten: 4, itemsRead: 9, actionsByFunction: {} },
      lambdaInvocations: { total: 3, byFunction: { SendEmailsFunction: 3 }, msByFunction: { SendEmailsFunction: 40 } },
      stateTransitions: 12,
      providerPages: { responses: { '303': 1 } },
    };
    const text = formatReport(report);
    for (const part of ['2020-04-01T07:00:00Z', 'policy-published 2', 'proposal-received 1', 'contracted', '12345678  Kliniek', 'proposal-deadline', 'GetItem 10', 'SendEmailsFunction 3', 'state transitions: 12', '303: 1', 'Deliveries (per recipient, as SES reported): bounced 1, delivered 2; providers unreachable by email: 1']) {
      expect(text).toContain(part);
    }
  });
});
