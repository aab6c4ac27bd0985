/** `/providers?q=`: search by AGB code or name; `/providers/:agb`: one provider's history across cycles. */
import { html, type SafeHtml } from '../commons/html.ts';
import type { ProviderHistoryView, ProviderMatch } from '../operators/views.ts';
import { badge, encodePath, localDay, when } from './format.ts';
import type { PageSpec } from './layout.ts';

export function searchPage(q: string, matches: readonly ProviderMatch[]): PageSpec {
  const body = matches.length
    ? html`<table><thead><tr><th>AGB code</th><th>Name</th><th>Care types</th></tr></thead><tbody>${matches.map(
        (m) => html`<tr data-provider="${m.agb}"><td><a href="/providers/${encodePath(m.agb)}">${m.agb}</a></td><td>${m.name}</td><td>${m.careTypes.join(', ')}</td></tr>`,
      )}</tbody></table>`
    : html`<p>No provider matches “${q}”.</p>`;
  return { title: `Providers matching “${q}”`, body };
}

const actorLabel = (a: ProviderHistoryView['applications'][number]['events'][number]['actor']): string =>
  a.kind === 'system' ? 'system' : a.kind === 'provider' ? `provider (${a.contactId})` : `${a.kind} ${a.id}`;

const triggerLabel = (t: ProviderHistoryView['applications'][number]['events'][number]['trigger']): string => {
  switch (t.kind) {
    case 'milestone':
      return `milestone ${t.milestone}${t.phase ? ` (${t.phase})` : ''}`;
    case 'deadline':
      return `deadline ${t.milestone} passed`;
    case 'provider':
      return `provider: ${t.action}`;
    case 'purchaser':
      return `purchaser: ${t.decision}`;
    case 'operator':
      return `operator: ${t.action}`;
  }
};

function application(a: ProviderHistoryView['applications'][number]): SafeHtml {
  return html`<section class="application" data-application="${a.cycleId}">
  <h3><a href="/cycles/${encodePath(a.cycleId)}">${a.cycleId}</a>: ${badge(a.state === 'contracted' ? 'done' : 'due', a.state)} <span class="muted">${a.track} track, version ${a.version}, since ${localDay(a.stateSince)}</span></h3>
  <table class="events"><thead><tr><th>#</th><th>When</th><th>Transition</th><th>Trigger</th><th>By</th><th>Reason</th></tr></thead>
  <tbody>${a.events.map(
    (e) => html`<tr><td>${e.version}</td><td>${when(e.at)}</td><td>${e.from ?? '(new)'} → <strong>${e.to}</strong></td><td>${triggerLabel(e.trigger)}</td><td>${actorLabel(e.actor)}</td><td>${e.reason ?? ''}</td></tr>`,
  )}</tbody></table>
</section>`;
}

function recipient(r: ProviderHistoryView['emails'][number]['to'][number]): SafeHtml {
  const d = r.delivery;
  return html`<div data-delivery="${d?.status ?? 'none'}">${r.address}: ${d ? html`${d.status} ${when(d.at)}${d.status !== 'delivered' && d.status !== 'accepted' && d.diagnostic ? html` <span class="cause">${d.diagnostic}</span>` : ''}` : html`<span class="muted">no report</span>`}</div>`;
}

export function providerPage(h: ProviderHistoryView, agb: string): PageSpec {
  const p = h.provider;
  const body = html`${p
    ? html`<dl class="facts">
      <dt>AGB code</dt><dd>${p.agb}</dd><dt>KvK number</dt><dd>${p.kvk}</dd>
      <dt>Care types</dt><dd>${p.careTypes.join(', ')}</dd>
      <dt>Contracts</dt><dd>${p.contracts.length ? p.contracts.map((c) => `${c.careType} ${c.firstYear}–${c.lastYear}`).join('; ') : 'none'}</dd>
      <dt>Contacts</dt><dd>${p.contacts.map((c) => html`${c.name} &lt;${c.email}&gt; <span class="muted">${c.role}</span>${c.undeliverable ? html` <span class="badge badge-failed">undeliverable: ${c.undeliverable.status} ${when(c.undeliverable.at)}</span>` : ''}<br>`)}</dd>
    </dl>${h.reachability?.status === 'unreachable' ? html`<p class="alert" data-unreachable>Not reachable by email since ${when(h.reachability.since)}: see <a href="/unreachable">Niet bereikbaar</a>.</p>` : ''}`
    : html`<p class="alert">No provider profile for ${agb} (only applications).</p>`}
<h2>Applications and audit trail</h2>
<div data-live="applications">${h.applications.length ? h.applications.map(application) : html`<p class="muted">No applications.</p>`}</div>
<section data-live="emails">
<h2>Emails (${h.emails.length})</h2>
<table class="emails"><thead><tr><th>Created</th><th>Cycle</th><th>Template</th><th>Step</th><th>Status</th><th>Sent</th><th>Recipients: delivery</th></tr></thead>
<tbody>${h.emails.map(
  (e) => html`<tr data-email="${e.template}"><td>${when(e.createdAt)}</td><td>${e.cycleId}</td><td>${e.template}</td><td>${e.step}</td><td>${badge(e.status)}${e.error ? html` <span class="cause">${e.error}</span>` : ''}</td><td>${when(e.sentAt)}</td><td>${e.to.map(recipient)}</td></tr>`,
)}</tbody></table>
</section>
<section data-live="questions">
<h2>Questions and objections (${h.questions.length})</h2>
${h.questions.length
  ? html`<ul>${h.questions.map((q) => html`<li>${badge(q.status === 'open' ? 'due' : 'done', q.status)} <strong>${q.id}</strong> (${q.cycleId}, ${q.kind}): ${q.text}${q.answer ? html`<br><em>${q.public ? 'Public' : 'Private'} answer:</em> ${q.answer.text}` : ''}</li>`)}</ul>`
  : html`<p class="muted">None.</p>`}
</section>`;
  return { title: p ? `${p.name} (${p.agb})` : `Provider ${agb}`, body, live: { poll: `/operator/providers/${encodeURIComponent(agb)}` } };
}
