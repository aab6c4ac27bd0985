/** Plain-text renderings of the operator views for the CLI (`--json` prints the views as they are). */
import { formatLocalInstant } from '../calendar/time.ts';
import type { CycleStatusView, EmailView, ProviderHistoryView, QuestionView, UnreachableView } from './views.ts';

/** Columns padded to their widest cell; the last column is not padded. */
export function table(rows: readonly (readonly string[])[], indent = ''): string {
  if (rows.length === 0) return '';
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => indent + r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd()).join('\n');
}

const local = (iso: string | undefined): string => (iso ? formatLocalInstant(iso) : '-');

export function statusText(s: CycleStatusView): string {
  const years = s.cycle.contract.termYears > 1 ? `${s.cycle.contract.firstYear}-${s.cycle.contract.firstYear + s.cycle.contract.termYears - 1}` : `${s.cycle.contract.firstYear}`;
  const ex = s.execution;
  const lines = [
    `${s.cycle.id}: ${s.cycle.careType.name} ${years} (${s.cycle.regime})`,
    `  cycle ${s.cycle.status}; execution ${ex ? `${ex.status} ${ex.name}${ex.startedAt ? `, started ${local(ex.startedAt)}` : ''}${ex.error ? ` (${ex.error}: ${ex.cause ?? ''})` : ''}` : 'none'}`,
    ...(s.stalled
      ? [`  STALLED: its last execution ${s.stalled.execution} ended ${s.stalled.status}${s.stalled.stoppedAt ? ` at ${local(s.stalled.stoppedAt)}` : ''}; nothing runs its next step. Resume it with: ${s.stalled.resumeCommand}`]
      : []),
    `  now ${s.nowLocal} (${s.now})`,
    s.nextStep ? `  next: ${s.nextStep.title} (${s.nextStep.stepId}) at ${s.nextStep.atLocal}` : '  next: nothing, the calendar is finished',
    '',
    '  Milestones',
    table(
      [
        ['STATUS', 'MILESTONE', 'STEP', 'RUNS AT (EUROPE/AMSTERDAM)', 'RUNS AT (UTC)', 'TITLE'],
        ...s.milestones.flatMap((m) =>
          m.steps.map((st) => [
            st.stepId === s.nextStep?.stepId ? `${st.status} (next)` : st.skipped ? 'skipped' : st.status,
            m.id,
            st.phase,
            st.atLocal,
            st.at,
            st.skipped ? `${m.title} (skipped in the rehearsal: ${st.skipped})` : m.title,
          ]),
        ),
      ],
      '    ',
    ),
    '',
    `  Applications: ${s.applications.total}`,
    table(
      Object.entries(s.applications.byState)
        .filter(([, n]) => n > 0)
        .map(([state, n]) => [state, String(n)]),
      '    ',
    ),
    `  Emails: ${s.emails.total} (${Object.entries(s.emails.byStatus)
      .map(([status, n]) => `${status} ${n}`)
      .join(', ')})`,
    `  Questions: ${s.questions.open} open, ${s.questions.answered} answered`,
  ];
  if (s.overdue.length) {
    lines.push('', '  Due and overdue');
    for (const g of s.overdue) {
      const what = g.kind === 'undecided-eligibility' ? 'undecided eligibility' : 'unsigned agreements';
      lines.push(`    ${g.late ? 'LATE ' : ''}${what}: ${g.applications.length} before ${g.title} (${g.dueLocal}, ${g.late ? `${-g.daysLeft} days ago` : `${g.daysLeft} days left`})`);
      lines.push(table(g.applications.map((a) => [a.agb, a.providerName, `${a.state} since ${local(a.stateSince).slice(0, 10)}`]), '      '));
    }
  }
  if (s.failed.length) {
    lines.push('', '  Failed milestones');
    for (const f of s.failed) {
      lines.push(`    ${f.stepId} (${f.title}), ${f.attempts} attempts: ${f.cause ?? 'no cause recorded'}`);
      lines.push(`      re-run: ${f.retryCommand}`);
    }
  }
  return lines.filter((l) => l !== undefined).join('\n');
}

const actor = (a: ProviderHistoryView['applications'][number]['events'][number]['actor']): string =>
  a.kind === 'system' ? 'system' : a.kind === 'provider' ? `provider ${a.contactId}` : `${a.kind} ${a.id}`;

const trigger = (t: ProviderHistoryView['applications'][number]['events'][number]['trigger']): string =>
  t.kind === 'milestone' ? `milestone ${t.milestone}${t.phase ? `#${t.phase}` : ''}` : t.kind === 'deadline' ? `deadline ${t.milestone}` : t.kind === 'provider' ? `provider ${t.action}` : t.kind === 'purchaser' ? `purchaser ${t.decision}` : `operator ${t.action}`;

export function providerText(h: ProviderHistoryView, agb: string): string {
  const p = h.provider;
  const lines = p
    ? [
        `${p.agb} ${p.name} (KvK ${p.kvk})`,
        `  care types: ${p.careTypes.join(', ')}; contracts: ${p.contracts.map((c) => `${c.careType} ${c.firstYear}-${c.lastYear}`).join(', ') || 'none'}`,
        `  contacts: ${p.contacts.map((c) => `${c.name} <${c.email}> (${c.role}${c.undeliverable ? `, UNDELIVERABLE: ${c.undeliverable.status} ${local(c.undeliverable.at)}` : ''})`).join('; ')}`,
      ]
    : [`${agb}: no provider profile`];
  if (h.reachability?.status === 'unreachable') {
    lines.push(`  NOT REACHABLE by email since ${local(h.reachability.since)}: purchasers told (${h.reachability.escalationKey}); correct an address with inkoop contact correct`);
  }
  for (const c of h.corrections) lines.push(`  address corrected ${local(c.at)} by ${c.by}: ${c.from} -> ${c.to} (${c.reason})${c.resentKey ? `; re-sent ${c.resentKey}` : ''}`);
  for (const a of h.applications) {
    lines.push('', `  ${a.cycleId}: ${a.state} (${a.track} track, version ${a.version}, since ${local(a.stateSince)})`);
    lines.push(table([['#', 'AT (EUROPE/AMSTERDAM)', 'TRANSITION', 'TRIGGER', 'BY', 'REASON'], ...a.events.map((e) => [String(e.version), local(e.at), `${e.from ?? '(new)'} -> ${e.to}`, trigger(e.trigger), actor(e.actor), e.reason ?? ''])], '    '));
  }
  lines.push('', `  Emails: ${h.emails.length}`);
  if (h.emails.length) {
    lines.push(
      table(
        [
          ['CREATED (EUROPE/AMSTERDAM)', 'CYCLE', 'TEMPLATE', 'STEP', 'STATUS', 'SENT', 'TO: DELIVERY'],
          ...h.emails.map((e) => [local(e.createdAt), e.cycleId, e.template, e.step, e.status, local(e.sentAt), e.error ?? e.to.map(recipientDelivery).join('; ')]),
        ],
        '    ',
      ),
    );
  }
  lines.push('', `  Questions and objections: ${h.questions.length}`);
  for (const q of h.questions) lines.push(`    ${q.id} (${q.cycleId}, ${q.kind}, ${q.status}): ${q.text}${q.answer ? `\n      ${q.public ? 'public' : 'private'} answer: ${q.answer.text}` : ''}`);
  return lines.join('\n');
}

/** One recipient and what SES reported: `<address>: delivered 2020-04-01 09:00 +02:00`, or bounced with the reason. */
function recipientDelivery(r: EmailView['to'][number]): string {
  const d = r.delivery;
  if (!d) return `${r.address}: no report`;
  return `${r.address}: ${d.status} ${local(d.at)}${d.status !== 'delivered' && d.status !== 'accepted' && d.diagnostic ? ` (${d.diagnostic})` : ''}`;
}

/**
 * Proof of notification: per cycle, every email the provider was sent, oldest
 * first, with who it went to and what SES reported for each recipient. What a
 * purchaser attaches when a provider says it never got an email.
 */
export function proofText(h: ProviderHistoryView, agb: string, cycleId?: string): string {
  const name = h.provider?.name ?? agb;
  const emails = h.emails.filter((e) => e.agb === agb && e.to.some((t) => t.role !== 'purchaser' && t.role !== 'customer-communication' && t.role !== 'operator') && (!cycleId || e.cycleId === cycleId));
  const cycles = [...new Set(emails.map((e) => e.cycleId))].sort();
  if (!cycles.length) return `${agb} ${name}: no emails${cycleId ? ` in ${cycleId}` : ''}`;
  const blocks = cycles.map((c) => {
    const of = emails.filter((e) => e.cycleId === c).sort((a, b) => (a.sentAt ?? a.createdAt).localeCompare(b.sentAt ?? b.createdAt));
    const delivered = of.filter((e) => e.to.some((t) => t.delivery?.status === 'delivered' || t.delivery?.status === 'complained')).length;
    const lines = [`Proof of notification: ${name} (AGB ${agb}), cycle ${c}: ${of.length} emails, ${delivered} delivered to at least one contact`];
    for (const e of of) {
      lines.push(`  ${e.sentAt ? `sent ${local(e.sentAt)}` : `not sent (${e.status}${e.error ? `: ${e.error}` : ''})`}  ${e.template} (${e.step})`);
      for (const t of e.to) lines.push(`    ${recipientDelivery(t)}`);
    }
    return lines.join('\n');
  });
  return blocks.join('\n\n');
}

/** The "Niet bereikbaar" queue. */
export function unreachableText(queue: UnreachableView): string {
  if (!queue.length) return 'No provider is unreachable by email.';
  return [
    `Niet bereikbaar: ${queue.length} providers nobody can be reached at by email`,
    ...queue.map((r) => `  ${r.agb} ${r.providerName} since ${local(r.since)} (${r.cycleId}): ${r.failed.map((f) => `${f.address} ${f.status}${f.diagnostic ? ` (${f.diagnostic})` : ''} [${f.contactId}]`).join('; ')}`),
  ].join('\n');
}

export function questionsText(cycleId: string, questions: readonly QuestionView[]): string {
  if (questions.length === 0) return `${cycleId}: no questions or objections`;
  return questions
    .map((q) => {
      const head = `${q.id}  ${q.status.toUpperCase()}  ${q.kind} from ${q.agb}, ${local(q.askedAt)}`;
      const answer = q.answer ? `\n    ${q.public ? 'public (Q&A memo)' : 'private'} answer by ${q.answer.by}, ${local(q.answer.at)}:\n    ${q.answer.text}` : '';
      return `${head}\n    ${q.text}${answer}`;
    })
    .join('\n\n');
}
