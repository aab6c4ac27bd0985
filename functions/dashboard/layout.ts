/**
 * The dashboard's page frame: navigation, the clock in use, and the headers.
 * Scripts and styles are files under /assets (no inline code, so the CSP can
 * forbid it); every interpolation goes through the escaping `html` template.
 */
import { html, type SafeHtml } from '../commons/html.ts';
import { oneLine } from '../commons/text.ts';
import type { HttpResult } from '../http/types.ts';
import type { ClockView } from '../operators/views.ts';

export const SECURITY_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  // Not no-referrer: with it, Chromium sends `Origin: null` on form posts, which the CSRF check must refuse.
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
};

export interface PageContext {
  csrf: string;
  clock: ClockView;
  /** The local mailbox, in a rehearsal. */
  mailboxUrl?: string;
  /** A notice after a successful POST. */
  notice?: string;
  /** An error to show at the top (refused transitions, conflicts). */
  error?: string;
  /** The page's path, where a no-JavaScript clock advance returns to. */
  back?: string;
}

export interface PageSpec {
  title: string;
  body: SafeHtml;
  /** Attributes the client script reads: which JSON to poll. */
  live?: { poll: string; cycle?: string };
}

export function clockBar(ctx: PageContext): SafeHtml {
  const { clock } = ctx;
  return html`<div class="clock" data-live="clock">
  <span>Now: <strong data-now="${clock.now}">${clock.nowLocal}</strong> <span class="muted">(${clock.now})</span></span>
  ${clock.nextWakeUp ? html`<span class="muted">next step at ${clock.nextWakeUp}</span>` : ''}
  ${clock.canAdvance
    ? html`<form method="post" action="/clock/advance" class="inline" data-advance>
      <input type="hidden" name="csrf" value="${ctx.csrf}">
      <input type="hidden" name="back" value="${ctx.back ?? '/'}">
      <button type="submit">Advance to the next milestone</button>
    </form>`
    : ''}
</div>`;
}

export function page(spec: PageSpec, ctx: PageContext): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${ctx.csrf}">
<title>${oneLine(spec.title)} - inkoopkalender</title>
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/chart.umd.js" defer></script>
<script src="/assets/dashboard.js" defer></script>
</head>
<body${spec.live ? html` data-poll="${spec.live.poll}"` : ''}${spec.live?.cycle ? html` data-cycle="${spec.live.cycle}"` : ''}>
<header>
  <nav>
    <a href="/" class="brand">inkoopkalender</a>
    <a href="/emails">Email log</a>
    <a href="/unreachable">Niet bereikbaar</a>
    ${ctx.mailboxUrl ? html`<a href="${ctx.mailboxUrl}" target="_blank" rel="noopener">Local mailbox</a>` : ''}
    <form method="get" action="/providers" class="search" role="search">
      <label for="provider-search" class="visually-hidden">Provider: AGB code or name</label>
      <input id="provider-search" name="q" type="search" placeholder="Provider: AGB code or name" minlength="2" required>
      <button type="submit">Search</button>
    </form>
  </nav>
  ${clockBar(ctx)}
</header>
<main>
${ctx.notice ? html`<p class="notice" role="status">${ctx.notice}</p>` : ''}
${ctx.error ? html`<p class="alert" role="alert">${ctx.error}</p>` : ''}
<h1>${spec.title}</h1>
${spec.body}
</main>
</body>
</html>
`;
}

export const pageResult = (statusCode: number, markup: SafeHtml): HttpResult => ({
  statusCode,
  headers: { ...SECURITY_HEADERS },
  body: markup.value,
});
