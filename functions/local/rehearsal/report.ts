/**
 * The rehearsal report. Every number comes from what actually ran, never from
 * the simulation's own bookkeeping:
 * - emails: the SES store (what aws-ses-v2-local received), each joined to its
 *   outbox message (SES message id and recipients) for its template and cause;
 * - applications, deadlines missed, the contracted list: the table (state
 *   index, audit events);
 * - milestones: the cycle's steps in the table, their real durations measured
 *   from the workflow's events;
 * - DynamoDB operations, Lambda invocations, state transitions: the runtime's
 *   counters (an SDK middleware, the task wrappers, the executions' events).
 */
import { forecastAws, type AwsForecast } from '../forecast.ts';
import type { ExecutionHistory } from '../history.ts';
import type { Calendar } from '../../calendar/schema.ts';
import { formatLocalInstant } from '../../calendar/time.ts';
import { APPLICATION_STATES, deliveryOf, type Application, type ApplicationState, type Message, type Step } from '../../domain/index.ts';
import { recordedTransition } from '../../domain/transitions.ts';
import { mapLimit } from '../../store/dynamo.ts';
import type { Store } from '../../store/index.ts';
import type { RuntimeCounts } from '../runtime-metrics.ts';
import type { StoredEmail } from '../ses-local.ts';

export interface MilestoneReport {
  stepId: string;
  milestoneId: string;
  title: string;
  kind: string;
  phase: string;
  /** When it ran, UTC. */
  at: string;
  atLocal: string;
  /** The step's status; `skipped` when the rehearsal could not run it (see `skipped`). */
  status: string;
  /** Why the rehearsal skipped it (a step that needs next year's cycle). */
  skipped?: string;
  /** Real time from "running" to "done", ms. */
  durationMs: number | null;
  emails: Record<string, number>;
  emailsTotal: number;
}

export interface RehearsalReport {
  rehearsal: { calendar: string; cycleId: string; providers: number; seed: string; mode: string; resumed: boolean };
  /** Real time, ms (all runs of a resumed rehearsal). */
  wallTimeMs: number;
  virtual: { from: string; to: string };
  cycle: { status: string };
  /** Set when a milestone failed and stopped the year (re-run it with `inkoop milestone retry`, then `--resume`). */
  failure?: { execution: string; status: string; error?: string; cause?: string; stepId?: string };
  milestones: MilestoneReport[];
  /** Emails sent outside milestone steps (confirmations of provider actions), by template. */
  betweenMilestones: Record<string, number>;
  emails: { total: number; byTemplate: Record<string, number>; failed: number; queued: number; unmatched: number };
  /**
   * What SES reported for each recipient of each email sent (the deliveries recorded on the outbox
   * messages by the DeliveryEvents function), by status; `none`: no report yet. `unreachable`: providers
   * nobody could be reached at in this cycle, each escalated once to the purchasers.
   */
  deliveries: { byStatus: Record<string, number>; unreachable: number };
  applications: { total: number; byState: Partial<Record<ApplicationState, number>>; transitions: number };
  deadlinesMissed: { milestoneId: string; kind: string; applications: number }[];
  contracted: { agb: string; name: string }[];
  dynamodb: RuntimeCounts['dynamodb'];
  lambdaInvocations: { total: number; byFunction: Record<string, number>; msByFunction: Record<string, number> };
  stateTransitions: number;
  providerPages: { responses: Record<string, number> };
  /** What the cycle would do and cost in AWS: its executions against Step Functions' limits, and the bill. */
  aws: AwsForecast;
  /** SES calls the sender had to repeat: the local SES answered throttling (429) or unavailable (503) (`--ses-faults`); this run only. */
  sesRetries?: { total: number; throttled: number; unavailable: number };
  /** Checkpoints this run took and the real time they cost (ms). */
  checkpoints?: { count: number; ms: number };
}

export interface ReportInput {
  store: Store;
  cycleId: string;
  calendar: Calendar;
  emails: readonly StoredEmail[];
  counts: RuntimeCounts;
  stepDurations: Record<string, number>;
  linkStatuses: Record<number, number>;
  rehearsal: RehearsalReport['rehearsal'];
  wallTimeMs: number;
  virtual: { from: number; to: number };
  failure?: RehearsalReport['failure'];
  /** The executions' histories and the functions' configured memory, for the AWS forecast. */
  executions: ExecutionHistory[];
  lambdaMemoryMb: Record<string, number>;
  sesFaults?: { throttled: number; unavailable: number };
  checkpoints?: { count: number; ms: number };
}

const PAGE = 500;

async function allPages<T>(read: (cursor: string | null) => Promise<{ items: T[]; cursor: string | null }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: T[]; cursor: string | null } = await read(cursor);
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

/** The cause part of an outbox key (`<cycle>#<agb|->#<cause>#<template>`; a cause may hold `#`). */
export function causeOf(key: string): string {
  const parts = key.split('#');
  return parts.slice(2, -1).join('#');
}

const recipientsKey = (addresses: readonly string[]): string => [...addresses].map((a) => a.toLowerCase()).sort().join(',');

export async function buildReport(input: ReportInput): Promise<RehearsalReport> {
  const { store, cycleId, calendar } = input;
  const [cycle, steps] = await Promise.all([store.getCycle(cycleId), store.getSteps(cycleId)]);

  // -- emails: the SES store, joined to the outbox
  const outbox = new Map<string, Message>();
  const byStatus: Record<string, number> = {};
  for (const status of ['sent', 'failed', 'queued', 'sending'] as const) {
    const messages = await allPages((cursor) => store.queryMessagesByStatus(status, { limit: PAGE, cursor }));
    byStatus[status] = messages.filter((m) => m.cycleId === cycleId).length;
    // Every cycle's: an email of another cycle rehearsed alongside is theirs, not unmatched.
    for (const m of messages) if (m.sesMessageId) outbox.set(`${m.sesMessageId}|${recipientsKey(m.recipients.map((r) => r.address))}`, m);
  }
  const stepIds = new Set(steps.map((s) => s.stepId));
  const perStep = new Map<string, Record<string, number>>();
  const between: Record<string, number> = {};
  const byTemplate: Record<string, number> = {};
  let unmatched = 0;
  let total = 0;
  const deliveries: Record<string, number> = {};
  for (const email of input.emails) {
    const message = outbox.get(`${email.messageId}|${recipientsKey(email.destination.to)}`);
    if (!message) {
      unmatched++;
      continue;
    }
    if (message.cycleId !== cycleId) continue;
    total++;
    byTemplate[message.template] = (byTemplate[message.template] ?? 0) + 1;
    for (const r of message.recipients) {
      if (!email.destination.to.some((a) => a.toLowerCase() === r.address.toLowerCase())) continue;
      const status = deliveryOf(message, r.address)?.status ?? 'none';
      deliveries[status] = (deliveries[status] ?? 0) + 1;
    }
    const cause = causeOf(message.key);
    const bucket = stepIds.has(cause) ? (perStep.get(cause) ?? perStep.set(cause, {}).get(cause)!) : between;
    bucket[message.template] = (bucket[message.template] ?? 0) + 1;
  }

  // -- applications: the state index
  const byState: Partial<Record<ApplicationState, number>> = {};
  const inState = new Map<ApplicationState, Application[]>();
  let transitions = 0;
  await mapLimit(APPLICATION_STATES, 4, async (state) => {
    const apps = await allPages((cursor) => store.queryApplicationsByState(cycleId, state, { limit: PAGE, cursor }));
    inState.set(state, apps);
    if (apps.length) byState[state] = apps.length;
    // Version n: created (1) and moved n−1 times.
    for (const a of apps) transitions += a.version - 1;
  });
  const applicationsTotal = [...inState.values()].reduce((n, apps) => n + apps.length, 0);

  // -- deadlines missed: the audit event that closed each lapsed or not-contracted application
  const missed = new Map<string, { milestoneId: string; kind: string; applications: number }>();
  const milestoneOfKind = (kind: string) => calendar.milestones.find((m) => m.kind === kind)?.id ?? kind;
  const closing = [...(inState.get('lapsed') ?? []), ...(inState.get('not-contracted') ?? [])];
  // The closing transition is on the application (written in the event's transaction); older items: their last event.
  const lastEvents = await mapLimit(closing, 16, async (app) => recordedTransition(app) ?? (await store.listEvents(cycleId, app.agb)).at(-1));
  for (const event of lastEvents) {
    if (!event) continue;
    const t = event.trigger;
    // A deadline trigger (lapsed), or the signing deadline closing an unsigned application.
    const kind = t.kind === 'deadline' ? t.milestone : t.kind === 'milestone' && event.to === 'not-contracted' ? t.milestone : undefined;
    if (!kind) continue;
    const id = milestoneOfKind(kind);
    const entry = missed.get(id) ?? { milestoneId: id, kind, applications: 0 };
    entry.applications++;
    missed.set(id, entry);
  }

  const contracted = (inState.get('contracted') ?? []).map((a) => ({ agb: a.agb, name: a.providerName })).sort((a, b) => a.agb.localeCompare(b.agb));
  const titles = new Map(calendar.milestones.map((m) => [m.id, m.title]));
  const lambdaTotal = Object.values(input.counts.lambda).reduce((n, v) => n + v, 0);

  return {
    rehearsal: input.rehearsal,
    wallTimeMs: Math.round(input.wallTimeMs),
    virtual: { from: new Date(input.virtual.from).toISOString(), to: new Date(input.virtual.to).toISOString() },
    cycle: { status: cycle?.status ?? 'missing' },
    ...(input.failure ? { failure: input.failure } : {}),
    milestones: steps.map((s: Step) => {
      const emails = perStep.get(s.stepId) ?? {};
      return {
        stepId: s.stepId,
        milestoneId: s.milestoneId,
        title: titles.get(s.milestoneId) ?? s.milestoneId,
        kind: s.kind,
        phase: s.phase,
        at: s.at,
        atLocal: formatLocalInstant(s.at),
        status: s.skipped ? 'skipped' : s.status,
        ...(s.skipped ? { skipped: s.skipped } : {}),
        durationMs: input.stepDurations[s.stepId] ?? null,
        emails,
        emailsTotal: Object.values(emails).reduce((n, v) => n + v, 0),
      };
    }),
    betweenMilestones: between,
    emails: { total, byTemplate, failed: byStatus.failed ?? 0, queued: (byStatus.queued ?? 0) + (byStatus.sending ?? 0), unmatched },
    deliveries: { byStatus: deliveries, unreachable: (await store.listUnreachable()).filter((r) => r.cycleId === cycleId).length },
    applications: { total: applicationsTotal, byState, transitions },
    deadlinesMissed: [...missed.values()],
    contracted,
    dynamodb: input.counts.dynamodb,
    lambdaInvocations: { total: lambdaTotal, byFunction: input.counts.lambda, msByFunction: input.counts.lambdaMs },
    stateTransitions: input.counts.stateTransitions,
    providerPages: { responses: Object.fromEntries(Object.entries(input.linkStatuses).map(([k, v]) => [k, v])) },
    aws: forecastAws({
      executions: input.executions,
      lambda: { invocations: input.counts.lambda, ms: input.counts.lambdaMs, memoryMb: input.lambdaMemoryMb },
      dynamodb: { writeUnits: input.counts.dynamodb.writeUnits, readUnits: input.counts.dynamodb.readUnits },
      emails: total,
    }),
    sesRetries: input.sesFaults && { total: input.sesFaults.throttled + input.sesFaults.unavailable, ...input.sesFaults },
    checkpoints: input.checkpoints && { count: input.checkpoints.count, ms: Math.round(input.checkpoints.ms) },
  };
}

// ---------------------------------------------------------------- text

const pad = (s: string | number, n: number): string => String(s).padEnd(n);
const lpad = (s: string | number, n: number): string => String(s).padStart(n);
const seconds = (ms: number | null): string => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);

export function formatReport(r: RehearsalReport): string {
  const lines: string[] = [];
  lines.push(
    `Rehearsal ${r.rehearsal.calendar} (cycle ${r.rehearsal.cycleId}), ${r.rehearsal.providers} providers, seed ${r.rehearsal.seed}: ` +
      `${r.virtual.from.slice(0, 10)} → ${r.virtual.to.slice(0, 10)} in ${(r.wallTimeMs / 1000).toFixed(1)} s; cycle ${r.cycle.status}`,
  );
  if (r.failure) {
    lines.push(
      `The year stopped: ${r.failure.stepId ?? 'a milestone'} failed (${r.failure.cause ?? r.failure.error ?? r.failure.status}).`,
      `Re-run it with \`inkoop milestone retry ${r.rehearsal.cycleId} ${r.failure.stepId?.split('#')[0] ?? '<milestone>'}\`, then \`inkoop rehearse --resume\`.`,
    );
  }
  lines.push(...cycleLines(r), ...runtimeLines(r));
  return `${lines.join('\n')}\n`;
}

/** What one cycle did: milestones, emails, deliveries, applications, deadlines missed, contracted providers. */
function cycleLines(r: Pick<RehearsalReport, 'milestones' | 'betweenMilestones' | 'emails' | 'deliveries' | 'applications' | 'deadlinesMissed' | 'contracted'>): string[] {
  const lines: string[] = [];
  lines.push('', 'Milestones (UTC; real duration; emails by template)');
  for (const m of r.milestones) {
    const emails = Object.entries(m.emails)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([t, n]) => `${t} ${n}`)
      .join(', ');
    lines.push(`  ${m.at.replace('.000Z', 'Z')}  ${pad(m.stepId, 36)} ${pad(m.status, 7)} ${lpad(seconds(m.durationMs), 8)}  ${emails || '–'}`);
    if (m.skipped) lines.push(`      skipped: ${m.skipped}`);
  }
  const between = Object.entries(r.betweenMilestones).map(([t, n]) => `${t} ${n}`).join(', ');
  lines.push(`  between milestones (confirmations of provider actions): ${between || '–'}`);
  lines.push('', `Emails: ${r.emails.total} sent, ${r.emails.failed} failed, ${r.emails.queued} still queued${r.emails.unmatched ? `, ${r.emails.unmatched} in the mailbox without an outbox message` : ''}`);
  const reported = Object.entries(r.deliveries.byStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  lines.push(`Deliveries (per recipient, as SES reported): ${reported || '–'}; providers unreachable by email: ${r.deliveries.unreachable}`);
  lines.push('', `Applications: ${r.applications.total} (${r.applications.transitions} transitions)`);
  for (const [state, n] of Object.entries(r.applications.byState)) lines.push(`  ${pad(state, 24)} ${lpad(n, 6)}`);
  lines.push('', 'Deadlines missed');
  if (!r.deadlinesMissed.length) lines.push('  none');
  for (const d of r.deadlinesMissed) lines.push(`  ${pad(d.milestoneId, 28)} ${lpad(d.applications, 6)}`);
  lines.push('', `Contracted: ${r.contracted.length}`);
  const shown = r.contracted.slice(0, 10).map((c) => `  ${c.agb}  ${c.name}`);
  lines.push(...shown);
  if (r.contracted.length > shown.length) lines.push(`  … and ${r.contracted.length - shown.length} more (--json for all)`);
  return lines;
}

/** What the runtime did for all of it: DynamoDB, Lambda, Step Functions, provider pages, the AWS forecast, SES retries, checkpoints. */
function runtimeLines(r: Pick<RehearsalReport, 'dynamodb' | 'lambdaInvocations' | 'stateTransitions' | 'providerPages' | 'aws' | 'sesRetries' | 'checkpoints'>): string[] {
  const lines: string[] = [];
  const ops = Object.entries(r.dynamodb.operations)
    .sort(([, a], [, b]) => b - a)
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');
  lines.push('', `DynamoDB: ${r.dynamodb.requests} requests (${ops}); ${r.dynamodb.itemsWritten} items written, ${r.dynamodb.itemsRead} read`);
  const lambda = Object.entries(r.lambdaInvocations.byFunction)
    .map(([f, n]) => `${f} ${n} in ${((r.lambdaInvocations.msByFunction[f] ?? 0) / 1000).toFixed(1)} s`)
    .join(', ');
  lines.push(`Lambda invocations: ${r.lambdaInvocations.total} (${lambda})`);
  lines.push(`Step Functions state transitions: ${r.stateTransitions}`);
  const pages = Object.entries(r.providerPages.responses).map(([s, n]) => `${s}: ${n}`).join(', ');
  lines.push(`Provider pages answered: ${pages || '–'}`);
  lines.push('', ...formatForecast(r.aws));
  if (r.sesRetries?.total) lines.push(`SES calls retried: ${r.sesRetries.total} (throttled ${r.sesRetries.throttled}, unavailable ${r.sesRetries.unavailable})`);
  if (r.checkpoints) lines.push(`Checkpoints: ${r.checkpoints.count} in ${(r.checkpoints.ms / 1000).toFixed(1)} s`);
  return lines;
}

const usd = (n: number): string => `$${n.toFixed(n < 1 ? 4 : 2)}`;

/** The AWS forecast: each execution against the limits, then the bill by service. */
export function formatForecast(aws: AwsForecast): string[] {
  const lines = [
    `AWS forecast (${aws.prices.region} prices looked up ${aws.prices.lookedUp}, ${aws.prices.source}); ` +
      `each execution at most ${aws.budget.days} days and ${aws.budget.historyEvents.toLocaleString('en')} history events`,
    `  ${pad('EXECUTION', 52)} ${pad('START (UTC)', 20)} ${lpad('DAYS', 7)} ${lpad('EVENTS', 7)} ${lpad('TRANSITIONS', 11)}`,
  ];
  for (const e of aws.executions) {
    lines.push(`  ${pad(e.name, 52)} ${pad(e.start.slice(0, 16), 20)} ${lpad(e.days.toFixed(1), 7)} ${lpad(e.historyEvents, 7)} ${lpad(e.stateTransitions, 11)}`);
  }
  for (const c of aws.limitsCrossed) {
    lines.push(`  LIMIT CROSSED: execution ${c.execution} ${c.limit === 'days' ? `runs ${c.value} days` : `records ${c.value} history events`} (at most ${c.max})`);
  }
  const u = aws.usage;
  const cost = aws.costUsd;
  lines.push(
    `  Step Functions ${usd(cost.stepFunctions)} (${u.stateTransitions} transitions); Lambda ${usd(cost.lambda)} (${u.lambdaRequests} requests, ${u.lambdaGbSeconds} GB-s); ` +
      `DynamoDB ${usd(cost.dynamodb)} (${u.writeRequestUnits} WRU, ${u.readRequestUnits} RRU); SES ${usd(cost.ses)} (${u.emails} emails); total ${usd(cost.total)}`,
  );
  return lines;
}

// ---------------------------------------------------------------- several cycles at once

/** One cycle of a year rehearsed with others: what its own report says about it (the runtime's counts are the year's). */
export type CycleSection = Pick<
  RehearsalReport,
  'cycle' | 'failure' | 'milestones' | 'betweenMilestones' | 'emails' | 'deliveries' | 'applications' | 'deadlinesMissed' | 'contracted'
> & {
  calendar: string;
  cycleId: string;
  /** Providers with an application in this cycle that have one in another cycle of the year too. */
  sharedProviders: number;
};

/** The report of several cycles rehearsed at once: a section per cycle, the totals, and what the runtime did for all. */
export interface YearReport
  extends Pick<RehearsalReport, 'wallTimeMs' | 'virtual' | 'dynamodb' | 'lambdaInvocations' | 'stateTransitions' | 'providerPages' | 'aws' | 'sesRetries' | 'checkpoints'> {
  rehearsal: {
    calendars: string[];
    providers: number;
    seed: string;
    mode: string;
    resumed: boolean;
    /** The population's overlap (population.ts OVERLAP_SHARE): providers in a second cycle, holding or seeking a contract there. */
    overlap: { share: number; providers: number; holds: number; seeks: number };
  };
  cycles: CycleSection[];
  totals: {
    emails: RehearsalReport['emails'];
    deliveries: RehearsalReport['deliveries'];
    applications: RehearsalReport['applications'];
    contracted: number;
    deadlinesMissed: number;
    /** Providers with an application in more than one cycle. */
    providersInSeveralCycles: number;
  };
}

export interface YearReportInput extends Omit<ReportInput, 'cycleId' | 'calendar' | 'rehearsal' | 'stepDurations' | 'failure'> {
  cycles: { cycleId: string; calendar: Calendar; stepDurations: Record<string, number>; failure?: RehearsalReport['failure'] }[];
  rehearsal: YearReport['rehearsal'];
}

const add = (into: Record<string, number>, from: Record<string, number | undefined>): void => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + (v ?? 0);
};

export async function buildYearReport(input: YearReportInput): Promise<YearReport> {
  const reports: RehearsalReport[] = [];
  const agbsOf: Set<string>[] = [];
  for (const c of input.cycles) {
    reports.push(
      await buildReport({
        ...input,
        cycleId: c.cycleId,
        calendar: c.calendar,
        stepDurations: c.stepDurations,
        failure: c.failure,
        rehearsal: { calendar: c.calendar.id, cycleId: c.cycleId, providers: input.rehearsal.providers, seed: input.rehearsal.seed, mode: input.rehearsal.mode, resumed: input.rehearsal.resumed },
      }),
    );
    const agbs = new Set<string>();
    for (const state of APPLICATION_STATES) {
      for (const a of await allPages((cursor) => input.store.queryApplicationsByState(c.cycleId, state, { limit: PAGE, cursor }))) agbs.add(a.agb);
    }
    agbsOf.push(agbs);
  }
  const cycleCount = new Map<string, number>();
  for (const agbs of agbsOf) for (const agb of agbs) cycleCount.set(agb, (cycleCount.get(agb) ?? 0) + 1);

  const emails: RehearsalReport['emails'] = { total: 0, byTemplate: {}, failed: 0, queued: 0, unmatched: reports[0]?.emails.unmatched ?? 0 };
  const deliveries: RehearsalReport['deliveries'] = { byStatus: {}, unreachable: 0 };
  const applications: RehearsalReport['applications'] = { total: 0, byState: {}, transitions: 0 };
  for (const r of reports) {
    emails.total += r.emails.total;
    emails.failed += r.emails.failed;
    emails.queued += r.emails.queued;
    add(emails.byTemplate, r.emails.byTemplate);
    add(deliveries.byStatus, r.deliveries.byStatus);
    deliveries.unreachable += r.deliveries.unreachable;
    applications.total += r.applications.total;
    applications.transitions += r.applications.transitions;
    add(applications.byState, r.applications.byState);
  }
  const [first] = reports;
  return {
    rehearsal: input.rehearsal,
    wallTimeMs: Math.round(input.wallTimeMs),
    virtual: { from: new Date(input.virtual.from).toISOString(), to: new Date(input.virtual.to).toISOString() },
    cycles: reports.map((r, i) => ({
      calendar: r.rehearsal.calendar,
      cycleId: r.rehearsal.cycleId,
      cycle: r.cycle,
      ...(r.failure ? { failure: r.failure } : {}),
      milestones: r.milestones,
      betweenMilestones: r.betweenMilestones,
      emails: { ...r.emails, unmatched: 0 },
      deliveries: r.deliveries,
      applications: r.applications,
      deadlinesMissed: r.deadlinesMissed,
      contracted: r.contracted,
      sharedProviders: [...agbsOf[i]].filter((agb) => (cycleCount.get(agb) ?? 0) > 1).length,
    })),
    totals: {
      emails,
      deliveries,
      applications,
      contracted: reports.reduce((n, r) => n + r.contracted.length, 0),
      deadlinesMissed: reports.reduce((n, r) => n + r.deadlinesMissed.reduce((m, d) => m + d.applications, 0), 0),
      providersInSeveralCycles: [...cycleCount.values()].filter((n) => n > 1).length,
    },
    // The runtime's counts and the AWS forecast cover every cycle (one table, one state machine, one SES account): the year's emails.
    dynamodb: first.dynamodb,
    lambdaInvocations: first.lambdaInvocations,
    stateTransitions: first.stateTransitions,
    providerPages: first.providerPages,
    aws: forecastAws({
      executions: input.executions,
      lambda: { invocations: input.counts.lambda, ms: input.counts.lambdaMs, memoryMb: input.lambdaMemoryMb },
      dynamodb: { writeUnits: input.counts.dynamodb.writeUnits, readUnits: input.counts.dynamodb.readUnits },
      emails: emails.total,
    }),
    ...(first.sesRetries ? { sesRetries: first.sesRetries } : {}),
    ...(first.checkpoints ? { checkpoints: first.checkpoints } : {}),
  };
}

export function formatYearReport(r: YearReport): string {
  const o = r.rehearsal.overlap;
  const lines: string[] = [
    `Rehearsal of ${r.rehearsal.calendars.length} cycles at once (${r.rehearsal.calendars.join(', ')}), ${r.rehearsal.providers} providers, seed ${r.rehearsal.seed}: ` +
      `${r.virtual.from.slice(0, 10)} → ${r.virtual.to.slice(0, 10)} in ${(r.wallTimeMs / 1000).toFixed(1)} s`,
    `Providers in a second cycle: ${o.providers} (${o.holds} holding a contract there, ${o.seeks} seeking one; share ${o.share}); ` +
      `with applications in several cycles: ${r.totals.providersInSeveralCycles}`,
  ];
  for (const c of r.cycles) {
    lines.push('', `=== Cycle ${c.cycleId}: ${c.cycle.status}; ${c.emails.total} emails, ${c.applications.total} applications (${c.sharedProviders} of providers in another cycle too), ${c.contracted.length} contracted`);
    if (c.failure) {
      lines.push(
        `The cycle stopped: ${c.failure.stepId ?? 'a milestone'} failed (${c.failure.cause ?? c.failure.error ?? c.failure.status}).`,
        `Re-run it with \`inkoop milestone retry ${c.cycleId} ${c.failure.stepId?.split('#')[0] ?? '<milestone>'}\`, then \`inkoop rehearse --resume\`.`,
      );
    }
    lines.push(...cycleLines(c).map((l) => (l ? `  ${l}` : l)));
  }
  const t = r.totals;
  const byCycle = (f: (c: CycleSection) => number) => r.cycles.map((c) => `${c.cycleId} ${f(c)}`).join(', ');
  lines.push('', '=== The year: all cycles');
  lines.push(
    `Emails: ${t.emails.total} sent (${byCycle((c) => c.emails.total)}), ${t.emails.failed} failed, ${t.emails.queued} still queued` +
      `${t.emails.unmatched ? `, ${t.emails.unmatched} in the mailbox without an outbox message` : ''}`,
  );
  const templates = Object.entries(t.emails.byTemplate)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  lines.push(`  by template: ${templates || '–'}`);
  const reported = Object.entries(t.deliveries.byStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  lines.push(`Deliveries (per recipient): ${reported || '–'}; unreachable (provider and cycle): ${t.deliveries.unreachable}`);
  lines.push(`Applications: ${t.applications.total} (${byCycle((c) => c.applications.total)}; ${t.applications.transitions} transitions)`);
  for (const [state, n] of Object.entries(t.applications.byState)) lines.push(`  ${pad(state, 24)} ${lpad(n ?? 0, 6)}`);
  lines.push(`Deadlines missed: ${t.deadlinesMissed}; contracted: ${t.contracted} (${byCycle((c) => c.contracted.length)})`);
  lines.push('', ...runtimeLines(r));
  return `${lines.join('\n')}\n`;
}
