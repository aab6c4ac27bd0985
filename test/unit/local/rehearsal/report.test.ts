import { describe, expect, it } from 'vitest';
import { causeOf, formatReport, type RehearsalReport } from '../../../../functions/local/rehearsal/report.ts';
import { messageKey } from '../../../../functions/domain/messages.ts';
import { forecastAws } from '../../../../functions/local/forecast.ts';
import { AWS_PRICES } from '../../../../functions/local/aws-prices.ts';

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
      dynamodb: { operations: { GetItem: 10 }, requests: 10, itemsWritten: 4, itemsRead: 9, writtenBy: { 'outbox put': 4 }, readBy: { 'page read': 9 }, indexWrites: 8, mix: { 'batch-write': 0, 'transact-write': 4, 'single-write': 0, 'batch-read': 9, 'query-read': 0, 'single-read': 0 }, writeUnits: 8, readUnits: 4.5, actionsByFunction: {} },
      lambdaInvocations: { total: 3, byFunction: { SendEmailsFunction: 3 }, msByFunction: { SendEmailsFunction: 40 } },
      stateTransitions: 12,
      providerPages: { responses: { '303': 1 } },
      aws: forecastAws({
        executions: [
          { name: 'msr-2021', start: '2020-03-30T22:00:00.000Z', stop: '2020-04-01T07:00:05.000Z', status: 'SUCCEEDED', days: 1.4, historyEvents: 60, stateTransitions: 12 },
          { name: 'msr-2021--signing-deadline-deadline', start: '2020-04-01T07:00:05.000Z', status: 'RUNNING', days: 400, historyEvents: 21_000, stateTransitions: 5 },
        ],
        lambda: { invocations: { SendEmailsFunction: 3 }, ms: { SendEmailsFunction: 40 }, memoryMb: { SendEmailsFunction: 512 } },
        dynamodb: { writeUnits: 8, readUnits: 4.5 },
        emails: 3,
      }),
    };
    const text = formatReport(report);
    for (const part of [
      'msr-2021--signing-deadline-deadline',
      'LIMIT CROSSED: execution msr-2021--signing-deadline-deadline runs 400 days (at most 365)',
      'LIMIT CROSSED: execution msr-2021--signing-deadline-deadline records 21000 history events (at most 20000)',
      '17 transitions',
      '2020-04-01T07:00:00Z', 'policy-published 2', 'proposal-received 1', 'contracted', '12345678  Kliniek', 'proposal-deadline', 'GetItem 10', 'SendEmailsFunction 3', 'state transitions: 12', '303: 1', 'Deliveries (per recipient, as SES reported): bounced 1, delivered 2; providers unreachable by email: 1']) {
      expect(text).toContain(part);
    }
  });

  it('forecasts the bill from the counts and the one price table', () => {
    const forecast = forecastAws({
      executions: [{ name: 'a', start: '2021-01-01T00:00:00.000Z', status: 'SUCCEEDED', days: 1, historyEvents: 10, stateTransitions: 1_000_000 }],
      // 2,000,000 requests; 1,000,000 s at 1 GB and 1,024,000 s at 512 MB: 1,512,000 GB-s
      lambda: { invocations: { A: 1_000_000, B: 1_000_000 }, ms: { A: 1_000_000_000, B: 1_024_000_000 }, memoryMb: { A: 1024, B: 512 } },
      dynamodb: { writeUnits: 2_000_000, readUnits: 4_000_000 },
      emails: 10_000,
    });
    const p = AWS_PRICES;
    expect(forecast.usage).toMatchObject({ stateTransitions: 1_000_000, lambdaRequests: 2_000_000, lambdaGbSeconds: 1_512_000 });
    expect(forecast.costUsd.stepFunctions).toBeCloseTo(25, 4);
    expect(forecast.costUsd.lambda).toBeCloseTo(2_000_000 * p.lambda.perRequest + 1_512_000 * p.lambda.perGbSecond, 3);
    expect(forecast.costUsd.dynamodb).toBeCloseTo(2_000_000 * p.dynamodb.perWriteRequestUnit + 4_000_000 * p.dynamodb.perReadRequestUnit, 3);
    expect(forecast.costUsd.ses).toBeCloseTo(1, 4);
    expect(forecast.costUsd.total).toBeCloseTo(forecast.costUsd.stepFunctions + forecast.costUsd.lambda + forecast.costUsd.dynamodb + forecast.costUsd.ses, 3);
    expect(forecast.limitsCrossed).toEqual([]);
  });
});
