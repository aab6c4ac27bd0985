/**
 * The dashboard's page routes. Reads go through the OperatorService (local
 * store or the remote operator API); form posts parse with the same zod
 * schemas as the API, redirect (303) on success, and re-render the page with
 * the problem beside the field (400) or at the top (409) otherwise.
 */
import { z } from 'zod';
import { formatLocalInstant } from '../calendar/time.ts';
import { ConflictError, NotFoundError, TransitionRefusedError, ValidationError, type DomainError } from '../commons/errors.ts';
import { agbCode } from '../domain/index.ts';
import type { ErrorRenderer } from '../http/edge.ts';
import { parseForm } from '../http/form.ts';
import type { Router, RouteRequest } from '../http/router.ts';
import { seeOther, type HttpEvent, type HttpResult } from '../http/types.ts';
import { html } from '../commons/html.ts';
import { parseWith } from '../operators/api.ts';
import { decisionSchema } from '../operators/decisions.ts';
import { emailFilterSchema, type EmailFilter } from '../operators/emails.ts';
import { answerSchema } from '../operators/questions.ts';
import { correctContactSchema, type CorrectContactInput } from '../operators/contacts.ts';
import type { OperatorService } from '../operators/service.ts';
import { asset } from './assets.ts';
import { cyclePage, type FormProblem } from './cycle-page.ts';
import { emailsPage } from './emails-page.ts';
import { SECURITY_HEADERS, page, pageResult, type PageContext, type PageSpec } from './layout.ts';
import { overviewPage } from './overview-page.ts';
import { providerPage, searchPage } from './provider-pages.ts';
import { unreachablePage } from './unreachable-page.ts';
import type { DashboardSession } from './session.ts';

export interface DashboardOptions {
  service: OperatorService;
  session: DashboardSession;
  /** Who acts in the audit trail when a purchaser decides here (the local OS user). */
  actor: () => string;
  mailboxUrl?: string;
}

const MAX_FORM_BYTES = 64 * 1024;
const cycleIdSchema = z.object({ cycleId: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a cycle id') });

async function formFields(event: HttpEvent): Promise<Record<string, string>> {
  const form = await parseForm(event, { maxBodyBytes: MAX_FORM_BYTES });
  return Object.fromEntries(Object.entries(form.fields).map(([k, v]) => [k, v[0] ?? '']));
}

/** Field messages by form field name, from a ValidationError of `parseWith(…, 'body')`. */
const fieldMessages = (error: ValidationError): Record<string, string> =>
  Object.fromEntries(error.issues.map((i) => [i.path.replace(/^body\./, ''), i.message]));

function notice(query: Record<string, string | undefined>): string | undefined {
  switch (query.notice) {
    case 'decided':
      return `Decision recorded for ${query.agb ?? 'the provider'}: ${query.decision ?? ''}.`;
    case 'answered':
      return `Answer to ${query.id ?? 'the question'} saved (${query.visibility ?? ''}).`;
    case 'retried':
      return `Retry of ${query.milestone ?? 'the milestone'}: back to due, resumed by execution ${query.execution ?? '(none yet)'}.`;
    case 'corrected':
      return `Address of ${query.agb ?? 'the provider'} corrected${query.resent ? '; the undelivered email goes out again to it' : ''}.`;
    case 'resumed':
      return `Resumed: execution ${query.execution ?? '(none yet)'} picks up at the first step not done.`;
    case 'advanced':
      return query.to ? `Clock moved to ${formatLocalInstant(query.to)}.` : 'Nothing was waiting: the clock did not move.';
    default:
      return undefined;
  }
}

const withQuery = (path: string, params: Record<string, string>, hash = ''): string => `${path}?${new URLSearchParams(params)}${hash}`;

export function addDashboardRoutes(router: Router, options: DashboardOptions): Router {
  const { service, session } = options;

  async function render(event: HttpEvent, spec: PageSpec, extra: Partial<PageContext> = {}, status = 200): Promise<HttpResult> {
    const ctx: PageContext = {
      csrf: session.csrf,
      clock: await service.clock(),
      mailboxUrl: options.mailboxUrl,
      notice: notice(event.queryStringParameters ?? {}),
      back: event.rawPath,
      ...extra,
    };
    return pageResult(status, page(spec, ctx));
  }

  async function renderCycle(r: RouteRequest, cycleId: string, problem?: FormProblem, error?: string, status = 200): Promise<HttpResult> {
    const [cycle, queue, questions, emails] = await Promise.all([
      service.cycle(cycleId),
      service.decisionQueue(cycleId),
      service.questions(cycleId),
      service.emails({ cycle: cycleId, limit: 15 }),
    ]);
    const spec = cyclePage({ status: cycle, queue, questions, emails: emails.emails, csrf: session.csrf, problem });
    return render(r.event, spec, error ? { error } : {}, status);
  }

  /** A refused or conflicting action re-renders the page with the reason on top. */
  async function orRefused(r: RouteRequest, cycleId: string, action: () => Promise<HttpResult>): Promise<HttpResult> {
    try {
      return await action();
    } catch (error) {
      if (error instanceof ConflictError || error instanceof TransitionRefusedError) return renderCycle(r, cycleId, undefined, error.message, 409);
      throw error;
    }
  }

  return router
    .get('/', async (r) => render(r.event, overviewPage(await service.cycles())))
    .get('/cycles/:cycleId', async (r) => renderCycle(r, parseWith(cycleIdSchema, r.params, 'path').cycleId))
    .post('/cycles/:cycleId/decisions', async (r) => {
      const { cycleId } = parseWith(cycleIdSchema, r.params, 'path');
      const fields = await formFields(r.event);
      const form = `decision:${fields.agb}`;
      const agb = parseWith(z.object({ agb: agbCode }), fields, 'body').agb;
      let input: z.infer<typeof decisionSchema>;
      try {
        input = parseWith(decisionSchema, fields, 'body');
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return renderCycle(r, cycleId, { form, fields: fieldMessages(error), values: fields }, undefined, 400);
      }
      return orRefused(r, cycleId, async () => {
        await service.decide({ cycleId, agb }, input, options.actor());
        return seeOther(withQuery(`/cycles/${encodeURIComponent(cycleId)}`, { notice: 'decided', agb, decision: input.decision }, '#decisions'));
      });
    })
    .post('/cycles/:cycleId/questions/:questionId/answer', async (r) => {
      const { cycleId, questionId } = parseWith(cycleIdSchema.extend({ questionId: z.string().min(1) }), r.params, 'path');
      const fields = await formFields(r.event);
      const form = `answer:${questionId}`;
      const visibility = fields.visibility;
      let input: z.infer<typeof answerSchema>;
      try {
        if (visibility !== 'public' && visibility !== 'private') {
          throw new ValidationError('Invalid body: visibility', [{ path: 'body.visibility', message: 'choose public or private' }]);
        }
        input = parseWith(answerSchema, { text: fields.text, public: visibility === 'public' }, 'body');
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return renderCycle(r, cycleId, { form, fields: fieldMessages(error), values: fields }, undefined, 400);
      }
      return orRefused(r, cycleId, async () => {
        await service.answer({ cycleId, id: questionId }, input, options.actor());
        return seeOther(withQuery(`/cycles/${encodeURIComponent(cycleId)}`, { notice: 'answered', id: questionId, visibility }, '#questions'));
      });
    })
    .post('/cycles/:cycleId/milestones/:milestoneId/retry', async (r) => {
      const { cycleId, milestoneId } = parseWith(cycleIdSchema.extend({ milestoneId: z.string().min(1) }), r.params, 'path');
      return orRefused(r, cycleId, async () => {
        const result = await service.retry(cycleId, milestoneId, options.actor());
        return seeOther(withQuery(`/cycles/${encodeURIComponent(cycleId)}`, { notice: 'retried', milestone: milestoneId, execution: result.executionName }));
      });
    })
    .post('/cycles/:cycleId/resume', async (r) => {
      const { cycleId } = parseWith(cycleIdSchema, r.params, 'path');
      return orRefused(r, cycleId, async () => {
        const result = await service.resume(cycleId, options.actor());
        return seeOther(withQuery(`/cycles/${encodeURIComponent(cycleId)}`, { notice: 'resumed', execution: result.executionName }));
      });
    })
    .post('/clock/advance', async (r) => {
      const fields = await formFields(r.event);
      const back = /^\/[a-z0-9/-]*$/i.test(fields.back ?? '') ? fields.back : '/';
      const result = await service.advanceClock();
      return seeOther(withQuery(back, { notice: 'advanced', ...(result.moved ? { to: result.moved.to } : {}) }));
    })
    .get('/emails', async (r) => {
      const raw = Object.fromEntries(Object.entries(r.event.queryStringParameters ?? {}).filter(([, v]) => v)) as EmailFilter;
      const filter = parseWith(emailFilterSchema, raw, 'query');
      const [log, cycles] = await Promise.all([service.emails(filter), service.cycles()]);
      return render(r.event, emailsPage(log, raw, cycles.map((c) => c.cycle.id)));
    })
    .get('/providers', async (r) => {
      const q = (r.event.queryStringParameters?.q ?? '').trim();
      const matches = await service.searchProviders({ q });
      if (matches.length === 1 && matches[0].agb === q) return seeOther(`/providers/${encodeURIComponent(q)}`);
      return render(r.event, searchPage(q, matches));
    })
    .get('/unreachable', async (r) => render(r.event, unreachablePage(await service.unreachable(), session.csrf)))
    .post('/unreachable/:agb/correct', async (r) => {
      const { agb } = parseWith(z.object({ agb: agbCode }), r.params, 'path');
      const fields = await formFields(r.event);
      const problem = async (messages: Record<string, string>, status: number, error?: string) =>
        render(r.event, unreachablePage(await service.unreachable(), session.csrf, { agb, contact: fields.contact ?? '', fields: messages, values: fields }), error ? { error } : {}, status);
      let input: CorrectContactInput;
      try {
        input = parseWith(correctContactSchema, fields, 'body');
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return problem(fieldMessages(error), 400);
      }
      try {
        const result = await service.correctContact(agb, input, options.actor());
        return seeOther(withQuery('/unreachable', { notice: 'corrected', agb, ...(result.resent ? { resent: '1' } : {}) }));
      } catch (error) {
        if (error instanceof ValidationError) return problem(fieldMessages(error), 400, error.message);
        if (error instanceof ConflictError || error instanceof NotFoundError) return problem({}, error instanceof ConflictError ? 409 : 404, error.message);
        throw error;
      }
    })
    .get('/providers/:agb', async (r) => {
      const { agb } = parseWith(z.object({ agb: agbCode }), r.params, 'path');
      return render(r.event, providerPage(await service.provider(agb), agb));
    })
    .get('/favicon.ico', async () => ({ statusCode: 204, headers: { 'cache-control': 'max-age=86400' }, body: '' }))
    .get('/assets/:name', async (r) => {
      const found = await asset(r.params.name);
      if (!found) throw new NotFoundError('No such asset');
      return found;
    });
}

/** Errors on pages: the status and the message (the operator is on their own machine), never a stack. */
export const renderHtmlError: ErrorRenderer = (error: DomainError | undefined) => {
  const status = error?.httpStatus ?? 500;
  const message = error?.message ?? 'Something went wrong; see the terminal running the dashboard.';
  const issues = error instanceof ValidationError ? error.issues.map((i) => `${i.path}: ${i.message}`) : [];
  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${status} - inkoopkalender</title><link rel="stylesheet" href="/assets/dashboard.css"></head>
<body><main><h1>${status}</h1><p>${message}</p>${issues.length ? html`<ul>${issues.map((i) => html`<li>${i}</li>`)}</ul>` : ''}
<p><a href="/">Back to the overview</a></p></main></body></html>`;
  return { statusCode: status, headers: { ...SECURITY_HEADERS }, body: body.value };
};
