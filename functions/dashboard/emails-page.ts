/** `/emails`: the email log with filters (cycle, status, template, provider). */
import { MESSAGE_STATUSES } from '../domain/index.ts';
import { html, type SafeHtml } from '../commons/html.ts';
import type { EmailFilter } from '../operators/emails.ts';
import type { EmailLogView, EmailView } from '../operators/views.ts';
import { badge, encodePath, when } from './format.ts';
import type { PageSpec } from './layout.ts';

function row(e: EmailView): SafeHtml {
  return html`<tr data-email="${e.template}">
  <td>${when(e.createdAt)}</td>
  <td><a href="/cycles/${encodePath(e.cycleId)}">${e.cycleId}</a></td>
  <td>${e.agb ? html`<a href="/providers/${encodePath(e.agb)}">${e.agb}</a>` : '-'}</td>
  <td>${e.template}${e.link ? html`<br><span class="muted">link: ${e.link.action}</span>` : ''}</td>
  <td>${e.to.map((t) => html`${t.name ?? ''} &lt;${t.address}&gt; <span class="muted">${t.role}</span><br>`)}</td>
  <td>${badge(e.status)}${e.attempts > 1 ? html` <span class="muted">${e.attempts} attempts</span>` : ''}${e.error ? html`<br><span class="cause">${e.error}</span>` : ''}</td>
  <td>${when(e.sentAt)}</td>
</tr>`;
}

export function emailsPage(log: EmailLogView, filter: EmailFilter, cycleIds: readonly string[]): PageSpec {
  const option = (value: string, current: string | undefined, label = value) =>
    html`<option value="${value}"${value === (current ?? '') ? html` selected` : ''}>${label}</option>`;
  const body = html`<form method="get" action="/emails" class="filters">
  <label>Cycle <select name="cycle">${option('', filter.cycle, 'all')}${cycleIds.map((c) => option(c, filter.cycle))}</select></label>
  <label>Status <select name="status">${option('', filter.status, 'all')}${MESSAGE_STATUSES.map((s) => option(s, filter.status))}</select></label>
  <label>Template <input name="template" value="${filter.template ?? ''}" pattern="[a-z0-9-]+" placeholder="e.g. eligibility-decision"></label>
  <label>AGB code <input name="agb" value="${filter.agb ?? ''}" pattern="[0-9]{8}" inputmode="numeric"></label>
  <button type="submit">Filter</button>
</form>
<section data-live="email-log">
<p>${log.total} matching${log.total > log.emails.length ? `, newest ${log.emails.length} shown` : ''}.</p>
<table class="emails">
  <thead><tr><th>Created</th><th>Cycle</th><th>Provider</th><th>Template</th><th>To</th><th>Status</th><th>Sent</th></tr></thead>
  <tbody>${log.emails.map(row)}</tbody>
</table>
</section>`;
  const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)]));
  return { title: 'Email log', body, live: { poll: `/operator/emails?${query}` } };
}
