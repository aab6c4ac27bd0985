/**
 * The provider link app: one HttpHandler for API Gateway + Lambda
 * (functions/handlers/provider-links.ts) and the local server
 * (functions/http/node-server.ts `serveHandler`).
 *
 * Routes
 *   GET  /l/:token              the page of the link: who, what, until when, the form. Never acts:
 *                               mail scanners and link previews open every link before the provider does.
 *   POST /l/:token              the action. One TransactWriteItems: the application (conditioned on the
 *                               version the link carries: that is what makes it single-use), its event
 *                               and the confirmation email.
 *   GET  /l/:token/ontvangen    the receipt after a POST (303 target: a reload does not post again)
 *   GET  /aanmelden/:cycleId    the public registration request form (open in the registration window)
 *   POST /aanmelden/:cycleId    creates provider + application idempotently, enqueues the registration link
 *   GET  /aanmelden/:cycleId/ontvangen
 *
 * Statuses: 200 page, 303 after an accepted POST, 400 form errors (fields kept), 403 not the
 * signatory / registration not open yet, 404 tampered, unknown or malformed link, 409 not allowed in
 * the current state (or changed meanwhile), 410 expired, used, superseded, registration closed;
 * 413 and 415 for bodies we cannot take. Never a stack trace (functions/http/edge.ts).
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../commons/clock.ts';
import { ConflictError } from '../commons/errors.ts';
import { messageKey } from '../domain/messages.ts';
import type { Actor, Application, MessageInput } from '../domain/model.ts';
import { signatoryOf, signingAuthorityConfirmed } from '../domain/provider.ts';
import { assertQuestionsOpen } from '../domain/questions.ts';
import { decide, triggers } from '../domain/transitions.ts';
import { withErrorMapping } from '../http/edge.ts';
import { formatMegabytes, parseForm, type FieldErrors, type ParsedForm, type UploadedFile } from '../http/form.ts';
import { Router, type RouteRequest } from '../http/router.ts';
import { seeOther, type HttpHandler, type HttpResult } from '../http/types.ts';
import type { LinksStore } from './ports.ts';
import { enqueueMessageItem } from '../store/index.ts';
import { exceedsLimits, type StoredDocument, type UploadLimits, type UploadStore } from '../uploads/types.ts';
import {
  ACTIONS,
  DEFAULT_QUALITY_CONDITIONS,
  actingRecipients,
  providerParams,
  type Confirmation,
  type LinkContext,
  type RegistrationDocumentRef,
  type TransitionDefinition,
} from './actions.ts';
import { LinkInvalidError, SigningAuthorityUnconfirmedError } from '../commons/errors.ts';
import { MAX_DOCUMENT_BYTES, SUBMIT_REGISTRATION_DOCUMENTS, formValues, submitRegistrationUploads, validateForm, type QualityCondition } from './forms.ts';
import { linkPath, trimBaseUrl, type LinkIssuer } from './issue.ts';
import type { LinkKeyProvider } from './keys.ts';
import { isSingleUse, usedBy, type LinkAction } from '../domain/tokens.ts';
import { renderLinkError, type FieldSpec, type FormValues } from './pages.ts';
import { handleRegistrationRequest, showRegistrationRequest, showRegistrationRequested } from './registration-request.ts';
import { resolveLink } from './resolve.ts';
import { liveLinkExpiry } from './schedule.ts';
import { assertSignatory } from './rules.ts';
import { hashToken, verifyToken } from './token.ts';
import { actionPage, receiptPage, type DocumentState } from './views.ts';

export interface ProviderLinksConfig {
  /** Where these pages are served, e.g. `https://aanbieders.example.nl`; links and redirects use it. */
  baseUrl: string;
  /** What declare-conditions asks. Default: DEFAULT_QUALITY_CONDITIONS. */
  qualityConditions?: readonly QualityCondition[];
  /** Per document. Default 10 MB. */
  maxDocumentBytes?: number;
  /** Form bodies. Default: 1 MB with direct uploads (text only), else 3 documents plus 1 MB. */
  maxBodyBytes?: number;
}

export interface ProviderLinksDeps {
  store: LinksStore;
  clock: Clock;
  keys: LinkKeyProvider;
  uploads: UploadStore;
  config: ProviderLinksConfig;
  /**
   * Not used by the pages: the links in confirmation emails are issued by the
   * sender at send time (functions/email/sender.ts). Accepted so one set of
   * local deps serves both.
   */
  linkIssuer?: LinkIssuer;
}

export const uploadLimitMessage = (limits: UploadLimits): string =>
  `U hebt voor deze aanmelding al het maximum aan documenten gestuurd (${limits.files} bestanden, samen ${formatMegabytes(limits.bytes)}). Neem contact op met uw zorginkoper.`;

/** A lost race is retried: the retry either sees the token used (410) or acts on the new state. */
const MAX_ATTEMPTS = 3;

export function createProviderLinksApp(deps: ProviderLinksDeps): HttpHandler {
  const { store, clock, uploads } = deps;
  const baseUrl = trimBaseUrl(deps.config.baseUrl);
  const basePath = new URL(baseUrl).pathname.replace(/\/+$/, '');
  const maxDocumentBytes = deps.config.maxDocumentBytes ?? MAX_DOCUMENT_BYTES;
  const maxBodyBytes =
    deps.config.maxBodyBytes ?? (uploads.mode === 'direct' ? 1024 * 1024 : SUBMIT_REGISTRATION_DOCUMENTS.length * maxDocumentBytes + 1024 * 1024);
  const qualityConditions = deps.config.qualityConditions ?? DEFAULT_QUALITY_CONDITIONS;
  const shared = { store, clock, basePath, maxBodyBytes };

  // ------------------------------------------------------------------ context

  /** Token → claims, cycle, provider, application: one read request. Read-only. */
  async function load(token: string): Promise<LinkContext> {
    const key = await deps.keys.getKey();
    const { claims, reads, expiresAt } = await resolveLink(token, {
      key,
      clock,
      // The signed claims name the cycle, the provider and the application: one read.
      read: async (claims) => {
        const reads = await store.getPageReads(claims.cycleId, { agb: claims.agb, application: true });
        // A link for a cycle or provider we do not have is as good as forged.
        if (!reads.cycle || !reads.provider) throw new LinkInvalidError('no cycle or provider for link');
        if (!reads.application && isSingleUse(claims.action)) throw new LinkInvalidError('no application for link');
        return reads;
      },
      applicationOf: (reads) => reads.application,
      // The deadline as the cycle's calendar has it now (amendments included), read in the same request.
      liveExpiry: (reads, claims) => (reads.cycle ? liveLinkExpiry(reads.cycle, claims) : undefined),
    });
    const { steps, application } = reads;
    const cycle = reads.cycle!;
    const provider = reads.provider!;
    return {
      claims,
      tokenHash: hashToken(token),
      cycle,
      steps,
      provider,
      application,
      contact: provider.contacts.find((c) => c.id === claims.contactId),
      expiresAt,
      now: clock.now(),
      qualityConditions,
      maxDocumentBytes,
    };
  }

  const actorOf = (ctx: LinkContext): Actor => ({ kind: 'provider', agb: ctx.claims.agb, contactId: ctx.claims.contactId });

  /** Refuses, before any form is read, what the POST would refuse: the same page on GET and POST. */
  function gate(ctx: LinkContext): void {
    const def = ACTIONS[ctx.claims.action];
    if (def.kind === 'question') {
      assertQuestionsOpen(ctx.steps, ctx.now);
      return;
    }
    if (def.action === 'sign-agreement') {
      const signatory = signatoryOf(ctx.provider);
      assertSignatory(ctx.claims, signatory?.id);
      // A signatory named on the public form signs only once a purchaser confirmed the authority (KvK extract).
      if (!signingAuthorityConfirmed(signatory!, ctx.application)) throw new SigningAuthorityUnconfirmedError();
    }
    // The domain's own decision (table + guards): 409 when the state does not allow it.
    decide(
      ctx.application!,
      { to: def.to, trigger: triggers.provider(def.action), actor: actorOf(ctx) },
      { now: ctx.now, steps: ctx.steps, provider: ctx.provider },
    );
  }

  // ------------------------------------------------------------------ documents (submit-registration)

  const scopeOf = (ctx: LinkContext) => ({ cycleId: ctx.claims.cycleId, agb: ctx.claims.agb });
  const documentRule = { type: 'application/pdf', maxBytes: maxDocumentBytes };

  async function documentStates(ctx: LinkContext, token: string, fields: FieldSpec[]): Promise<DocumentState[]> {
    if (ctx.claims.action !== 'submit-registration') return [];
    return Promise.all(
      SUBMIT_REGISTRATION_DOCUMENTS.map(async (field) => {
        const label = fields.find((f) => f.name === field)?.label ?? field;
        const stored = await uploads.latest(scopeOf(ctx), field);
        if (uploads.mode !== 'direct') return { field, label, stored };
        const direct = await uploads.directUpload(scopeOf(ctx), field, documentRule, `${baseUrl}${linkPath(token)}?document=${field}`);
        return { field, label, stored, direct, limitReached: !direct };
      }),
    );
  }

  /**
   * The form fields as the page shows them: with direct uploads the files are
   * not in this form; a document stored already need not be chosen again.
   */
  function pageFields(fields: FieldSpec[], documents: DocumentState[]): FieldSpec[] {
    return fields.flatMap((f): FieldSpec[] => {
      const doc = documents.find((d) => d.field === f.name);
      if (!doc) return [f];
      if (uploads.mode === 'direct') return [];
      if (!doc.stored) return [f];
      return [{ ...f, required: false, hint: `${f.hint ?? ''} Ontvangen: ${doc.stored.name}. Kies alleen een bestand als u het wilt vervangen.`.trim() }];
    });
  }

  const asUploaded = (doc: StoredDocument): UploadedFile => ({ name: doc.name, type: doc.type, size: doc.size, bytes: doc.head });
  const asRef = (doc: StoredDocument): RegistrationDocumentRef => ({ name: doc.name, type: doc.type, size: doc.size, key: doc.key, storedAt: doc.storedAt });

  // ------------------------------------------------------------------ GET /l/:token

  async function show({ params, event }: RouteRequest): Promise<HttpResult> {
    const ctx = await load(params.token);
    gate(ctx);
    const def = ACTIONS[ctx.claims.action];
    const fields = def.fields(ctx);
    const documents = await documentStates(ctx, params.token, fields);
    const justUploaded = event.queryStringParameters?.document;
    return actionPage({ def, ctx, fields: pageFields(fields, documents), values: def.initialValues?.(ctx), documents, justUploaded });
  }

  // ------------------------------------------------------------------ POST /l/:token

  async function act({ params, event }: RouteRequest): Promise<HttpResult> {
    const token = params.token;
    let ctx = await load(token);
    gate(ctx);
    const def = ACTIONS[ctx.claims.action];
    const isRegistration = def.action === 'submit-registration';
    const form = await parseForm(event, {
      maxBodyBytes,
      files: isRegistration && uploads.mode === 'inline' ? submitRegistrationUploads(maxDocumentBytes) : undefined,
    });

    // Documents: a new file from this post, else the one stored before (an amendment, or a direct upload).
    const stored = new Map<string, StoredDocument>();
    if (isRegistration) {
      for (const field of SUBMIT_REGISTRATION_DOCUMENTS) {
        if (form.files[field]?.length || form.errors[field]) continue;
        const doc = await uploads.latest(scopeOf(ctx), field);
        if (doc) stored.set(field, doc);
      }
    }
    const input: ParsedForm = { ...form, files: { ...form.files, ...Object.fromEntries([...stored].map(([f, d]) => [f, [asUploaded(d)]])) } };
    const result = validateForm(def.schema(ctx), input);

    const refused = async (errors: FieldErrors, values: FormValues): Promise<HttpResult> => {
      const fields = def.fields(ctx);
      const documents = await documentStates(ctx, token, fields);
      // A stored document is shown as received, not as a file to choose again.
      const kept = Object.fromEntries(Object.entries(values).filter(([name]) => !documents.some((d) => d.field === name && d.stored)));
      return actionPage({ def, ctx, fields: pageFields(fields, documents), values: kept, errors, documents });
    };
    // A refused post writes nothing, files included: the page names the files to choose again.
    if (!result.ok) return refused(result.errors, result.values);

    const fresh = isRegistration && uploads.mode === 'inline' ? SUBMIT_REGISTRATION_DOCUMENTS.filter((f) => form.files[f]?.length) : [];
    if (fresh.length && exceedsLimits(uploads.limits, await uploads.usage(scopeOf(ctx)), fresh.map((f) => form.files[f][0].size))) {
      return refused({ [fresh[0]]: uploadLimitMessage(uploads.limits) }, formValues(form));
    }

    // Files are written just before the transaction, and removed again when it does not happen
    // (lost race, used or expired link, a failure): only a successful post keeps its files.
    const saved: StoredDocument[] = [];
    try {
      for (const field of fresh) {
        const doc = await uploads.save(scopeOf(ctx), field, form.files[field][0]);
        saved.push(doc);
        stored.set(field, doc);
      }

      let data = result.data as Record<string, unknown>;
      if (isRegistration) {
        const documents = Object.fromEntries(SUBMIT_REGISTRATION_DOCUMENTS.map((f) => [f, asRef(stored.get(f)!)]));
        const { kvkExtract: _k, vog: _v, businessPlan: _b, ...rest } = data;
        data = { ...rest, documents };
      }

      if (def.kind === 'question') {
        await ask(ctx, data as { kind: 'question' | 'objection'; text: string });
        return seeOther(receiptLocation(token));
      }

      for (let attempt = 1; ; attempt++) {
        try {
          await transition(def as TransitionDefinition<unknown>, ctx, data);
          return seeOther(receiptLocation(token));
        } catch (error) {
          if (!(error instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw error;
          // Someone else wrote first: perhaps this very token (a double click), perhaps a milestone.
          // Load again: a used token now refuses with 410; otherwise act on the new state.
          ctx = await load(token);
          gate(ctx);
        }
      }
    } catch (error) {
      await Promise.allSettled(saved.map((doc) => uploads.discard(doc)));
      throw error;
    }
  }

  /**
   * One transaction: application + event + confirmation email. The application
   * is written only if still at the version the link carries (ctx.application
   * was checked against it): the link's single use.
   */
  async function transition(def: TransitionDefinition<unknown>, ctx: LinkContext, data: unknown): Promise<Application> {
    const app = ctx.application!;
    return store.transition(app, {
      to: def.to,
      trigger: triggers.provider(def.action),
      actor: actorOf(ctx),
      reason: def.reason?.(data),
      patch: def.patch(data, ctx),
      context: { steps: ctx.steps, provider: ctx.provider },
      alsoWrite: (next) => [
        enqueueMessageItem(
          store.tableName,
          confirmationMessage(ctx, def.confirmation(ctx, next, data), `${def.action}@v${next.version}`, next.version),
          new Date(ctx.now).toISOString(),
        ),
      ],
    });
  }

  /** `version`: the application's version after the move this confirms; a single-use link in it is bound to that one. */
  function confirmationMessage(ctx: LinkContext, c: Confirmation, cause: string, version?: number): MessageInput {
    const link = c.link && version !== undefined && isSingleUse(c.link.action as LinkAction) ? { ...c.link, version } : c.link;
    return {
      key: messageKey({ cycleId: ctx.claims.cycleId, agb: ctx.claims.agb, cause, template: c.template }),
      cycleId: ctx.claims.cycleId,
      agb: ctx.claims.agb,
      recipients: c.recipients,
      template: c.template,
      params: c.params,
      ...(link ? { link } : {}),
    };
  }

  /**
   * A question or objection. The link is reusable (a provider may ask several),
   * so nothing is consumed; the question id comes from the link and the text,
   * so a double click stores and confirms it once.
   */
  async function ask(ctx: LinkContext, data: { kind: 'question' | 'objection'; text: string }): Promise<void> {
    const id = `q-${createHash('sha256').update(`${ctx.tokenHash}\n${data.kind}\n${data.text}`).digest('hex').slice(0, 16)}`;
    try {
      await store.putQuestion({ cycleId: ctx.claims.cycleId, id, agb: ctx.claims.agb, contactId: ctx.claims.contactId, kind: data.kind, text: data.text });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
    await store.enqueueMessage(
      confirmationMessage(
        ctx,
        { template: 'question-received', params: { ...providerParams(ctx), questionReference: id }, recipients: actingRecipients(ctx) },
        `ask-question#${id}`,
      ),
    );
  }

  const receiptLocation = (token: string) => `${basePath}${linkPath(token)}/ontvangen`;

  // ------------------------------------------------------------------ GET /l/:token/ontvangen

  async function receipt({ params }: RouteRequest): Promise<HttpResult> {
    const token = params.token;
    const key = await deps.keys.getKey();
    // The receipt stays readable after the deadline; a bad signature does not.
    const claims = verifyToken(key, token, clock, { expiry: 'unchecked' });
    const single = isSingleUse(claims.action);
    const { cycle, provider, application } = await store.getPageReads(claims.cycleId, { agb: claims.agb, application: single, steps: false });
    if (!cycle || !provider) throw new LinkInvalidError();
    // Not (yet) used through this link: the page of the link says what holds.
    if (single && usedBy(claims, application) === undefined) return seeOther(`${basePath}${linkPath(token)}`);
    return receiptPage('Ontvangen', ACTIONS[claims.action].receipt, { cycle, provider });
  }

  const router = new Router()
    .get('/l/:token', show)
    .post('/l/:token', act)
    .get('/l/:token/ontvangen', receipt)
    .get('/aanmelden/:cycleId', (r) => showRegistrationRequest(shared, r))
    .post('/aanmelden/:cycleId', (r) => handleRegistrationRequest(shared, r))
    .get('/aanmelden/:cycleId/ontvangen', (r) => showRegistrationRequested(shared, r));

  return withErrorMapping(router.handle, renderLinkError);
}
