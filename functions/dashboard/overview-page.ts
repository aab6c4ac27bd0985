/** `/`: every cycle at a glance. */
import { html, type SafeHtml } from '../commons/html.ts';
import type { CycleStatusView } from '../operators/views.ts';
import { badge, encodePath, executionBadge, when } from './format.ts';
import type { PageSpec } from './layout.ts';

const waitingDecisions = (c: CycleStatusView): number => c.applications.byState['under-review'];

function row(c: CycleStatusView): SafeHtml {
  const late = c.overdue.filter((g) => g.late).reduce((n, g) => n + g.applications.length, 0);
  return html`<tr data-cycle-row="${c.cycle.id}">
  <td><a href="/cycles/${encodePath(c.cycle.id)}"><strong>${c.cycle.id}</strong></a><br><span class="muted">${c.cycle.careType.name}</span></td>
  <td>${c.cycle.contract.firstYear}${c.cycle.contract.termYears > 1 ? `–${c.cycle.contract.firstYear + c.cycle.contract.termYears - 1}` : ''}</td>
  <td>${badge(c.cycle.status)}<br>${executionBadge(c.execution)}</td>
  <td>${c.nextStep ? html`${c.nextStep.title} <span class="muted">(${c.nextStep.phase})</span><br>${when(c.nextStep.at)}` : html`<span class="muted">finished</span>`}</td>
  <td class="num" data-count="applications">${c.applications.total}</td>
  <td class="num" data-count="decisions">${waitingDecisions(c)}</td>
  <td class="num" data-count="questions">${c.questions.open}</td>
  <td class="num">${late ? badge('failed', String(late)) : '0'}</td>
  <td class="num">${c.failed.length ? badge('failed', String(c.failed.length)) : '0'}</td>
  <td class="num"><span title="sent">${c.emails.byStatus.sent}</span> / <span title="queued">${c.emails.byStatus.queued}</span>${c.emails.byStatus.failed ? html` / ${badge('failed', `${c.emails.byStatus.failed} failed`)}` : ''}</td>
</tr>`;
}

export function overviewPage(cycles: readonly CycleStatusView[]): PageSpec {
  const body = cycles.length
    ? html`<section data-live="cycles">
<table class="cycles">
  <thead><tr>
    <th>Cycle</th><th>Contract</th><th>Status</th><th>Next step</th>
    <th class="num">Applications</th><th class="num">Decisions waiting</th><th class="num">Open questions</th>
    <th class="num">Late</th><th class="num">Failed milestones</th><th class="num">Emails sent / queued</th>
  </tr></thead>
  <tbody>${cycles.map(row)}</tbody>
</table>
</section>`
    : html`<p data-live="cycles">No cycles yet. Start one with <code>inkoop cycle start</code> or <code>inkoop rehearse</code>.</p>`;
  return { title: 'Contracting cycles', body, live: { poll: '/operator/cycles' } };
}
