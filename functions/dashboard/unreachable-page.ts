/**
 * `/unreachable`: the "Niet bereikbaar" queue, providers nobody can be reached
 * at by email (functions/delivery/), each failed address with a form to correct
 * it; the email that reached nobody then goes to the new address, once.
 */
import { html, type SafeHtml } from '../commons/html.ts';
import type { UnreachableView } from '../operators/views.ts';
import { encodePath, when } from './format.ts';
import type { PageSpec } from './layout.ts';

export interface CorrectionProblem {
  agb: string;
  contact: string;
  fields: Record<string, string>;
  values: Record<string, string>;
}

function correctionForm(agb: string, contact: string, csrf: string, problem?: CorrectionProblem): SafeHtml {
  const mine = problem && problem.agb === agb && problem.contact === contact ? problem : undefined;
  const error = (field: string) => (mine?.fields[field] ? html`<span class="cause">${mine.fields[field]}</span>` : '');
  return html`<form method="post" action="/unreachable/${encodePath(agb)}/correct" class="correct" data-correct="${contact}">
    <input type="hidden" name="csrf" value="${csrf}">
    <input type="hidden" name="contact" value="${contact}">
    <label>New address <input name="email" type="email" required value="${mine?.values.email ?? ''}"></label>${error('email')}
    <label>Reason <input name="reason" required placeholder="gebeld met …" value="${mine?.values.reason ?? ''}"></label>${error('reason')}
    <button type="submit">Correct and re-send</button>
  </form>`;
}

export function unreachablePage(queue: UnreachableView, csrf: string, problem?: CorrectionProblem): PageSpec {
  const body = queue.length
    ? html`<p>Every email address of these providers bounced or drew a complaint: they get no notices until an address is corrected. Phone them.</p>
<table class="unreachable"><thead><tr><th>Provider</th><th>Since</th><th>Cycle</th><th>Failed addresses</th></tr></thead>
<tbody>${queue.map(
        (r) => html`<tr data-unreachable="${r.agb}"><td><a href="/providers/${encodePath(r.agb)}">${r.agb}</a> ${r.providerName}</td><td>${when(r.since)}</td><td>${r.cycleId}</td><td>${r.failed.map(
          (f) => html`<div>${f.address}: ${f.status === 'bounced' ? 'bounced' : 'complaint'}${f.diagnostic ? html` <span class="muted">${f.diagnostic}</span>` : ''}${correctionForm(r.agb, f.contactId, csrf, problem)}</div>`,
        )}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="muted">Every provider can be reached by email.</p>`;
  return { title: `Niet bereikbaar (${queue.length})`, body };
}
