/** Small renderers shared by the dashboard pages. */
import { formatLocalInstant } from '../calendar/time.ts';
import { html, type SafeHtml } from '../commons/html.ts';
import type { ExecutionInfo } from '../operators/ports.ts';

/** "2020-09-04 09:00 +02:00" with the UTC instant on hover. */
export const when = (iso: string | undefined | null): SafeHtml =>
  iso ? html`<time datetime="${iso}" title="${iso} (UTC)">${formatLocalInstant(iso)}</time>` : html`<span class="muted">-</span>`;

/** The local (Europe/Amsterdam) day of an instant: "2020-07-02". */
export const localDay = (iso: string): string => formatLocalInstant(iso).slice(0, 10);

/** Local and UTC side by side, for milestone tables. */
export const bothTimes = (iso: string): SafeHtml =>
  html`<time datetime="${iso}">${formatLocalInstant(iso)}</time> <span class="muted">(${iso.replace('.000Z', 'Z')})</span>`;

/** A status word with its colour class (done, running, failed, due, next, sent, queued, ...). */
export const badge = (status: string, label: string = status): SafeHtml => html`<span class="badge badge-${status}">${label}</span>`;

export function executionBadge(execution: ExecutionInfo | null): SafeHtml {
  if (!execution) return badge('due', 'no execution');
  const status = execution.status.toLowerCase().replace('_', '-');
  const cls = { running: 'running', succeeded: 'done', failed: 'failed', 'timed-out': 'failed', aborted: 'failed' }[status] ?? 'due';
  return html`${badge(cls, execution.status)} <span class="muted">${execution.name}</span>`;
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export const encodePath = (...parts: string[]): string => parts.map(encodeURIComponent).join('/');
