import { describe, expect, it } from 'vitest';
import { endOfDutchDay, formatDutchDeadline, startOfDutchDay } from '../../../functions/links/dutch-dates.ts';
import {
  TransitionRefusedError,
  LinkExpiredError,
  LinkInvalidError,
  LinkSupersededError,
  LinkUsedError,
  NotSignatoryError,
  RegistrationClosedError,
  RegistrationNotOpenError,
} from '../../../functions/commons/errors.ts';
import { html, raw } from '../../../functions/commons/html.ts';
import { formPage, layout, renderForm, renderLinkError, type FormSpec } from '../../../functions/links/pages.ts';
import type { HttpEvent } from '../../../functions/http/types.ts';

const event = {} as HttpEvent;
const text = (body: string | undefined) => (body ?? '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('html template', () => {
  it('escapes interpolations unless they are SafeHtml', () => {
    const evil = `<script>alert("x")</script>' & "`;
    expect(html`<p title="${evil}">${evil}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; &amp; &quot;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; &amp; &quot;</p>',
    );
    expect(html`<div>${html`<b>${'<i>'}</b>`}${raw('<hr>')}</div>`.value).toBe('<div><b>&lt;i&gt;</b><hr></div>');
    expect(html`${['<a>', html`<b></b>`]}${null}${undefined}${false}${0}`.value).toBe('&lt;a&gt;<b></b>0');
  });
});

describe('layout', () => {
  it('is Dutch, has a main landmark and escapes the title', () => {
    const page = layout({ title: 'Aanmelding <AGB>', body: html`<p>x</p>` }).value;
    expect(page).toMatch(/^<!doctype html>\n<html lang="nl">/);
    expect(page).toContain('<main id="inhoud">');
    expect(page).toContain('<h1>Aanmelding &lt;AGB&gt;</h1>');
    expect(page).not.toContain('<script');
  });
});

const spec: FormSpec = {
  submitLabel: 'Versturen',
  fields: [
    { kind: 'text', name: 'organisationName', label: 'Naam van uw organisatie', hint: 'Zoals bij de KvK.' },
    { kind: 'textarea', name: 'note', label: 'Toelichting', required: false },
    {
      kind: 'checkboxes',
      name: 'careTypes',
      label: 'Zorg',
      options: [
        { value: 'msr', label: 'Revalidatie' },
        { value: 'zg', label: 'Zintuiglijk' },
      ],
    },
    { kind: 'checkbox', name: 'confirm', label: 'Ik ga akkoord' },
    { kind: 'file', name: 'vog', label: 'VOG RP' },
  ],
};

describe('form renderer', () => {
  it('binds labels to inputs and marks optional fields', () => {
    const form = renderForm(spec).value;
    expect(form).toContain('<label for="f-organisationName">Naam van uw organisatie</label>');
    expect(form).toContain('id="f-organisationName" name="organisationName"');
    expect(form).toContain('aria-describedby="f-organisationName-hint"');
    expect(form).toContain('Toelichting (niet verplicht)');
    expect(form).toContain('<legend>Zorg</legend>');
    expect(form).toContain('<label for="f-careTypes-1">Zintuiglijk</label>');
    expect(form).toContain('enctype="multipart/form-data"');
    expect(form).not.toContain('aria-invalid');
  });

  it('keeps entered values escaped, and shows errors beside fields', () => {
    const result = formPage({
      title: 'Aanmelden',
      form: spec,
      state: {
        values: {
          organisationName: '"><script>x</script>',
          note: '</textarea><b>',
          careTypes: ['zg'],
          confirm: 'ja',
          vog: 'mijn <vog>.pdf',
        },
        errors: { organisationName: 'Vul de naam <echt> in.', vog: 'Kies een PDF-bestand.' },
      },
    });
    const page = result.body ?? '';
    expect(result.statusCode).toBe(400);
    expect(page).not.toContain('<script>x');
    expect(page).not.toContain('</textarea><b>');
    expect(page).toContain('value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
    expect(page).toContain('&lt;/textarea&gt;&lt;b&gt;</textarea>');
    expect(page).toMatch(/id="f-careTypes-1" name="careTypes" value="zg" checked/);
    expect(page).toMatch(/id="f-confirm" name="confirm" value="ja" checked/);
    // The error is beside the field, referenced by it, and the field is marked invalid.
    expect(page).toContain('<p class="error" id="f-organisationName-error">');
    expect(page).toContain('Vul de naam &lt;echt&gt; in.');
    expect(page).toMatch(
      /id="f-organisationName"[^>]*aria-describedby="f-organisationName-hint f-organisationName-error" aria-invalid="true"/,
    );
    // The summary links to the fields; the title says there is an error.
    expect(page).toContain('<a href="#f-organisationName">Vul de naam &lt;echt&gt; in.</a>');
    expect(page).toContain('<title>Fout: Aanmelden - Zorginkoop</title>');
    // A file input cannot be refilled: say which file to choose again.
    expect(page).toContain('U koos eerder mijn &lt;vog&gt;.pdf. Kies het bestand opnieuw.');
  });

  it('sends pages with headers that keep the token private', () => {
    const { headers } = formPage({ title: 'x', form: spec });
    expect(headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    });
    expect(String(headers?.['content-security-policy'])).toMatch(/default-src 'none'; style-src 'sha256-/);
    expect(String(headers?.['content-security-policy'])).toContain("frame-ancestors 'none'");
  });
});

describe('refusal pages', () => {
  it('names the expired deadline in Dutch', () => {
    const expiresAt = endOfDutchDay('2020-07-01');
    expect(formatDutchDeadline(expiresAt)).toBe('woensdag 1 juli 2020, 23:59');
    const page = renderLinkError(new LinkExpiredError(expiresAt), event);
    expect(page.statusCode).toBe(410);
    expect(text(page.body)).toContain('De termijn verliep op woensdag 1 juli 2020, 23:59.');
  });

  it('has a page per refusal with its status and what to do', () => {
    const cases = [
      [new LinkUsedError(Date.parse('2020-06-30T12:12:00Z')), 410, 'Met deze link is deze stap al gedaan, op dinsdag 30 juni 2020, 14:12.'],
      [new LinkSupersededError(), 410, 'Alleen de link in de nieuwste e-mail werkt.'],
      [new LinkInvalidError(), 404, 'Klik de link in de e-mail nog eens aan.'],
      [new TransitionRefusedError('state'), 409, 'niet in de fase waarin deze stap kan'],
      [new NotSignatoryError(), 403, 'Alleen de tekenbevoegde persoon'],
      [new RegistrationNotOpenError(startOfDutchDay('2020-05-01')), 403, 'De aanmeldperiode opent op 1 mei 2020.'],
      [new RegistrationClosedError(endOfDutchDay('2020-07-01')), 410, 'tot en met 1 juli 2020'],
    ] as const;
    for (const [error, status, says] of cases) {
      const page = renderLinkError(error, event);
      expect(page.statusCode, error.code).toBe(status);
      expect(text(page.body), error.code).toContain(says);
      expect(page.body).toContain('<html lang="nl">');
    }
  });

  it('never shows internals for an unexpected error', () => {
    const page = renderLinkError(undefined, event);
    expect(page.statusCode).toBe(500);
    expect(text(page.body)).toContain('Er ging iets mis');
  });
});
