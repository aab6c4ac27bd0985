/**
 * `/cycles/:id`: one cycle. The timeline and the applications chart are
 * canvases the client script draws with Chart.js from the cycle's JSON
 * (`/operator/cycles/:id`); the tables beside them carry the same facts for
 * reading and for screen readers. Sections marked `data-live` are refreshed
 * in place when the JSON changes.
 */
import { APPLICATION_STATES, MESSAGE_STATUSES } from '../domain/index.ts';
import { html, type SafeHtml } from '../commons/html.ts';
import type { CycleStatusView, DecisionQueueView, EmailView, MilestoneView, OverdueGroup, QuestionView } from '../operators/views.ts';
import { badge, bothTimes, encodePath, executionBadge, localDay, plural, when } from './format.ts';
import type { PageSpec } from './layout.ts';

/** A failed form: which row it was and what to say beside it. */
export interface FormProblem {
  /** `decision:<agb>` or `answer:<questionId>`. */
  form: string;
  fields: Record<string, string>;
  values: Record<string, string>;
}

export interface CyclePageData {
  status: CycleStatusView;
  queue: DecisionQueueView;
  questions: QuestionView[];
  emails: EmailView[];
  csrf: string;
  problem?: FormProblem;
}

const csrfField = (csrf: string): SafeHtml => html`<input type="hidden" name="csrf" value="${csrf}">`;

function fieldError(problem: FormProblem | undefined, form: string, field: string): SafeHtml | '' {
  const message = problem?.form === form ? problem.fields[field] : undefined;
  return message ? html`<span class="field-error" id="${form}-${field}-error">${message}</span>` : '';
}

function summary(s: CycleStatusView, queue: DecisionQueueView): SafeHtml {
  const tile = (label: string, value: SafeHtml | string | number, key: string) =>
    html`<div class="tile"><span class="tile-label">${label}</span><span class="tile-value${typeof value === 'number' ? '' : ' tile-text'}" data-count="${key}">${value}</span></div>`;
  return html`<section class="tiles" data-live="summary">
  ${tile('Cycle', badge(s.cycle.status), 'cycle-status')}
  ${tile('Execution', executionBadge(s.execution), 'execution')}
  ${tile('Next step', s.nextStep ? html`${s.nextStep.title}<br><small>${when(s.nextStep.at)}</small>` : 'finished', 'next')}
  ${tile('Applications', s.applications.total, 'applications')}
  ${tile('Decisions waiting', queue.applications.length, 'decisions')}
  ${tile('Open questions', s.questions.open, 'questions')}
  ${tile('Emails sent', s.emails.byStatus.sent, 'emails-sent')}
  ${tile('Failed milestones', s.failed.length, 'failed')}
</section>`;
}

function milestoneRow(m: MilestoneView): SafeHtml {
  const dates = m.date ? m.date : `${m.opens} – ${m.closes}`;
  return html`<tr data-milestone="${m.id}" class="${m.next ? 'next' : ''}">
  <td><strong>${m.title}</strong><br><span class="muted">${m.kind}</span></td>
  <td>${dates}</td>
  <td>${m.next ? badge('next', 'next') : ''} ${badge(m.status)}${m.cause ? html`<br><span class="cause">${m.cause}</span>` : ''}</td>
  <td><ul class="steps">${m.steps.map(
    (st) =>
      html`<li>${st.skipped ? badge('skipped') : badge(st.status)} ${st.phase}: ${bothTimes(st.at)}${st.attempts > 1 ? html` <span class="muted">(${plural(st.attempts, 'attempt')})</span>` : ''}${st.skipped ? html`<br><span class="muted" data-skipped="${st.stepId}">skipped in the rehearsal: ${st.skipped}</span>` : ''}</li>`,
  )}</ul></td>
</tr>`;
}

function timeline(): SafeHtml {
  return html`<section aria-labelledby="timeline-h">
  <h2 id="timeline-h">Timeline</h2>
  <p class="legend">${badge('done')} ${badge('next')} ${badge('running')} ${badge('failed')} ${badge('due')} <span class="now-key">now</span></p>
  <div class="chart chart-timeline"><canvas id="timeline-chart" role="img" aria-label="Timeline of the calendar's milestones with a line for now"></canvas></div>
  <p class="muted">Each bar covers the milestone's local days; the table below has every step.</p>
</section>`;
}

function milestones(s: CycleStatusView): SafeHtml {
  return html`<section aria-labelledby="milestones-h" data-live="milestones">
  <h2 id="milestones-h">Milestones and their steps</h2>
  <p class="muted">Times in Europe/Amsterdam, UTC in brackets.</p>
  <table class="milestones">
    <thead><tr><th>Milestone</th><th>Dates</th><th>Status</th><th>Steps</th></tr></thead>
    <tbody>${s.milestones.map(milestoneRow)}</tbody>
  </table>
</section>`;
}

function applications(s: CycleStatusView): SafeHtml {
  return html`<section aria-labelledby="applications-h" class="split">
  <div>
    <h2 id="applications-h">Applications per state</h2>
    <div class="chart chart-states"><canvas id="states-chart" role="img" aria-label="Applications per state"></canvas></div>
  </div>
  <div data-live="counts">
    <table class="counts">
      <thead><tr><th>State</th><th class="num">Applications</th></tr></thead>
      <tbody>${APPLICATION_STATES.filter((st) => s.applications.byState[st] > 0).map(
        (st) => html`<tr><td>${st}</td><td class="num" data-state="${st}">${s.applications.byState[st]}</td></tr>`,
      )}</tbody>
      <tfoot><tr><th>Total</th><th class="num" data-state="total">${s.applications.total}</th></tr></tfoot>
    </table>
    <h3>Emails per status</h3>
    <table class="counts">
      <tbody>${MESSAGE_STATUSES.map(
        (st) => html`<tr><td>${badge(st)}</td><td class="num" data-email-status="${st}">${s.emails.byStatus[st]}</td></tr>`,
      )}</tbody>
    </table>
    <p><a href="/emails?cycle=${encodeURIComponent(s.cycle.id)}">Email log of this cycle</a></p>
  </div>
</section>`;
}

function overdueGroup(g: OverdueGroup): SafeHtml {
  const what = g.kind === 'undecided-eligibility' ? 'Undecided eligibility' : 'Unsigned agreements';
  const left = g.late ? `${-g.daysLeft} days late` : `${plural(g.daysLeft, 'day')} left`;
  return html`<div class="overdue ${g.late ? 'late' : ''}" data-overdue="${g.kind}">
  <h3>${what}: ${g.applications.length} before ${g.title} (${g.dueLocal}, ${left})</h3>
  <ul>${g.applications.map((a) => html`<li><a href="/providers/${encodePath(a.agb)}">${a.providerName}</a> <span class="muted">${a.agb}, ${a.state} since ${localDay(a.stateSince)}</span></li>`)}</ul>
</div>`;
}

function overdue(s: CycleStatusView): SafeHtml {
  return html`<section aria-labelledby="overdue-h" data-live="overdue">
  <h2 id="overdue-h">Due and overdue</h2>
  ${s.overdue.length ? s.overdue.map(overdueGroup) : html`<p class="muted">Nothing waiting on a date.</p>`}
</section>`;
}

/** A stalled cycle (its chain of executions ended early): what ended, and the button that resumes it. */
function stalled(s: CycleStatusView, csrf: string): SafeHtml | '' {
  if (!s.stalled) return '';
  return html`<section aria-labelledby="stalled-h" data-live="stalled" class="stalled">
  <h2 id="stalled-h">Stalled</h2>
  <p>Its last execution <strong>${s.stalled.execution}</strong> ended ${badge(s.stalled.status)}${s.stalled.stoppedAt ? html` ${when(s.stalled.stoppedAt)}` : ''}: nothing runs the next step.
  Resuming starts a new execution at the first step not done; no email is sent twice.</p>
  <form method="post" action="/cycles/${encodePath(s.cycle.id)}/resume">
    ${csrfField(csrf)}
    <button type="submit">Resume</button>
  </form><code class="muted">${s.stalled.resumeCommand}</code>
</section>`;
}

function failed(s: CycleStatusView, csrf: string): SafeHtml {
  return html`<section aria-labelledby="failed-h" data-live="failed">
  <h2 id="failed-h">Failed milestones</h2>
  ${s.failed.length
    ? html`<table class="failed">
      <thead><tr><th>Milestone</th><th>Step</th><th>Cause</th><th></th></tr></thead>
      <tbody>${s.failed.map(
        (f) => html`<tr data-failed="${f.milestoneId}">
          <td><strong>${f.title}</strong><br><span class="muted">${f.milestoneId}</span></td>
          <td>${f.stepId}<br>${when(f.finishedAt ?? f.at)} <span class="muted">(${plural(f.attempts, 'attempt')})</span></td>
          <td class="cause">${f.cause ?? 'no cause recorded'}</td>
          <td><form method="post" action="/cycles/${encodePath(s.cycle.id)}/milestones/${encodePath(f.milestoneId)}/retry">
            ${csrfField(csrf)}
            <button type="submit">Retry</button>
          </form><code class="muted">${f.retryCommand}</code></td>
        </tr>`,
      )}</tbody>
    </table>`
    : html`<p class="muted">No failed milestones.</p>`}
</section>`;
}

function decisionRow(cycleId: string, a: DecisionQueueView['applications'][number], data: CyclePageData): SafeHtml {
  const form = `decision:${a.agb}`;
  const values = data.problem?.form === form ? data.problem.values : {};
  const error = fieldError(data.problem, form, 'reason');
  return html`<tr data-decision="${a.agb}">
  <td><a href="/providers/${encodePath(a.agb)}">${a.providerName}</a><br><span class="muted">${a.agb}</span></td>
  <td>${when(a.stateSince)}</td>
  <td><form method="post" action="/cycles/${encodePath(cycleId)}/decisions" class="decision">
    ${csrfField(data.csrf)}
    <input type="hidden" name="agb" value="${a.agb}">
    <input type="hidden" name="expectedVersion" value="${a.version}">
    <label for="reason-${a.agb}">Reason (required)</label>
    <input id="reason-${a.agb}" name="reason" type="text" required minlength="3" value="${values.reason ?? ''}"${error ? html` aria-invalid="true" aria-describedby="${form}-reason-error"` : ''}>
    ${error}
    <span class="buttons">
      <button type="submit" name="decision" value="eligible" class="approve">Approve: eligible</button>
      <button type="submit" name="decision" value="not-eligible" class="reject">Reject: not eligible</button>
    </span>
  </form></td>
</tr>`;
}

function decisions(data: CyclePageData): SafeHtml {
  const { queue } = data;
  return html`<section aria-labelledby="decisions-h" id="decisions" data-live="decisions">
  <h2 id="decisions-h">Decisions waiting (${queue.applications.length})</h2>
  ${queue.due ? html`<p>Due before <strong>${queue.due.title}</strong>, ${when(queue.due.at)}${queue.due.late ? html` ${badge('failed', 'late')}` : ''}.</p>` : ''}
  ${queue.applications.length
    ? html`<table class="queue"><thead><tr><th>Provider</th><th>Under review since</th><th>Decision</th></tr></thead>
      <tbody>${queue.applications.map((a) => decisionRow(queue.cycleId, a, data))}</tbody></table>`
    : html`<p class="muted">No eligibility decisions waiting.</p>`}
</section>`;
}

function questionItem(cycleId: string, q: QuestionView, data: CyclePageData): SafeHtml {
  const form = `answer:${q.id}`;
  const values = data.problem?.form === form ? data.problem.values : {};
  const textError = fieldError(data.problem, form, 'text');
  const visibilityError = fieldError(data.problem, form, 'visibility');
  return html`<li data-question="${q.id}">
  <p>${badge(q.kind === 'objection' ? 'failed' : 'due', q.kind)} <strong>${q.id}</strong> from <a href="/providers/${encodePath(q.agb)}">${q.agb}</a>, ${when(q.askedAt)}</p>
  <blockquote>${q.text}</blockquote>
  <form method="post" action="/cycles/${encodePath(cycleId)}/questions/${encodePath(q.id)}/answer" class="answer">
    ${csrfField(data.csrf)}
    <label for="answer-${q.id}">Answer</label>
    <textarea id="answer-${q.id}" name="text" rows="3" required minlength="3"${textError ? html` aria-invalid="true"` : ''}>${values.text ?? ''}</textarea>
    ${textError}
    <fieldset><legend>Who reads it</legend>
      <label><input type="radio" name="visibility" value="public" required${values.visibility === 'public' ? html` checked` : ''}> Public: in the Q&amp;A memo</label>
      <label><input type="radio" name="visibility" value="private"${values.visibility === 'private' ? html` checked` : ''}> Private: only the asker</label>
      ${visibilityError}
    </fieldset>
    <button type="submit">Answer</button>
  </form>
</li>`;
}

function questions(data: CyclePageData): SafeHtml {
  const open = data.questions.filter((q) => q.status === 'open');
  const answered = data.questions.filter((q) => q.status === 'answered');
  const cycleId = data.status.cycle.id;
  return html`<section aria-labelledby="questions-h" id="questions" data-live="questions">
  <h2 id="questions-h">Questions and objections (${open.length} open)</h2>
  ${open.length ? html`<ul class="questions">${open.map((q) => questionItem(cycleId, q, data))}</ul>` : html`<p class="muted">No open questions.</p>`}
  ${answered.length
    ? html`<details><summary>${plural(answered.length, 'answered question')}</summary><ul class="answered">${answered.map(
        (q) => html`<li><strong>${q.id}</strong> ${badge(q.public ? 'sent' : 'due', q.public ? 'public' : 'private')} <blockquote>${q.text}</blockquote><p>${q.answer?.text} <span class="muted">(${q.answer?.by}, ${when(q.answer?.at)})</span></p></li>`,
      )}</ul></details>`
    : ''}
</section>`;
}

function recentEmails(data: CyclePageData): SafeHtml {
  return html`<section aria-labelledby="emails-h" data-live="emails">
  <h2 id="emails-h">Latest emails</h2>
  ${data.emails.length
    ? html`<table class="emails"><thead><tr><th>Created</th><th>Template</th><th>Provider</th><th>Status</th></tr></thead>
      <tbody>${data.emails.map(
        (e) => html`<tr data-email="${e.template}"><td>${when(e.createdAt)}</td><td>${e.template}</td><td>${e.agb ? html`<a href="/providers/${encodePath(e.agb)}">${e.agb}</a>` : '-'}</td><td>${badge(e.status)}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="muted">No emails yet.</p>`}
</section>`;
}

export function cyclePage(data: CyclePageData): PageSpec {
  const s = data.status;
  const years = s.cycle.contract.termYears > 1 ? `${s.cycle.contract.firstYear}–${s.cycle.contract.firstYear + s.cycle.contract.termYears - 1}` : String(s.cycle.contract.firstYear);
  return {
    title: `${s.cycle.careType.name} ${years} (${s.cycle.id})`,
    body: html`${summary(s, data.queue)}
${timeline()}
${stalled(s, data.csrf)}
${failed(s, data.csrf)}
${decisions(data)}
${questions(data)}
${overdue(s)}
${applications(s)}
${milestones(s)}
${recentEmails(data)}`,
    live: { poll: `/operator/cycles/${encodeURIComponent(s.cycle.id)}`, cycle: s.cycle.id },
  };
}
