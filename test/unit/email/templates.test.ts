import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/commons/errors.ts';
import { escapeHtml } from '../../../functions/email/layout.ts';
import { render, TEMPLATE_IDS, TEMPLATES, type TemplateId } from '../../../functions/email/templates.ts';
import { CARE_TYPE, DEADLINE_TEXT, ICS, LINK, LINK_REQUIRED, PROVIDER, SAMPLES, TEAM_TEMPLATES, WITH_DEADLINE } from './samples.ts';

const renderSample = (id: TemplateId, patch: Record<string, unknown> = {}) => render(id, { ...SAMPLES[id], ...patch });

function validationError(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('the template registry', () => {
  it('has one template per message kind, keyed by its id', () => {
    expect(TEMPLATE_IDS).toHaveLength(30);
    for (const id of TEMPLATE_IDS) expect(TEMPLATES[id].id).toBe(id);
    expect(new Set(TEMPLATE_IDS).size).toBe(TEMPLATE_IDS.length);
  });

  it('refuses an unknown template id', () => {
    const error = validationError(() => render('no-such-template', {}));
    expect(error.issues[0].path).toBe('template');
  });
});

describe.each(TEMPLATE_IDS)('template %s', (id) => {
  const email = renderSample(id);

  it('renders a Dutch subject, HTML and plain text', () => {
    expect(email.subject.length).toBeGreaterThan(10);
    expect(email.subject).toContain(CARE_TYPE);
    expect(email.html).toContain('<html lang="nl">');
    expect(email.text).toMatch(/^(Geachte heer\/mevrouw|Beste (zorginkoper|collega)),\n/);
    expect(email.html).toMatch(/<p>(Geachte heer\/mevrouw|Beste (zorginkoper|collega)),<\/p>/);
    for (const body of [email.html, email.text]) {
      expect(body).toContain('Met vriendelijke groet');
      expect(body).toContain(CARE_TYPE);
    }
    expect(email.text).not.toMatch(/<[a-z]/i);
  });

  it('names the provider (or the providers concerned)', () => {
    if (id === 'contracted-list-ready') {
      expect(email.text).toContain('42 zorgaanbieders');
      return;
    }
    expect(email.text).toContain(PROVIDER);
    expect(email.html).toContain(escapeHtml(PROVIDER));
  });

  it('escapes HTML in every param it shows', () => {
    const hostile = 'Zorg & Co <script>alert("x")</script>';
    const patched = renderSample(id, TEAM_TEMPLATES.includes(id) ? { careTypeName: hostile } : { providerName: hostile });
    expect(patched.html).not.toContain('<script>');
    expect(patched.html).toContain('Zorg &amp; Co &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(patched.text).toContain(hostile);
  });
});

// Checks that apply to some templates only: each runs over exactly the templates it concerns.
const withDeadline = TEMPLATE_IDS.filter((id) => WITH_DEADLINE.includes(id) || id === 'calendar-amended');
const withLink = TEMPLATE_IDS.filter((id) => 'actionUrl' in SAMPLES[id] || 'listUrl' in SAMPLES[id]);
const linkRequired = TEMPLATE_IDS.filter((id) => LINK_REQUIRED.includes(id));
const toProviders = TEMPLATE_IDS.filter((id) => !TEAM_TEMPLATES.includes(id));

describe.each(withDeadline)('template %s with a deadline', (id) => {
  it('shows the deadline in Dutch', () => {
    const email = renderSample(id);
    expect(email.text).toContain(DEADLINE_TEXT);
    expect(email.html).toContain(DEADLINE_TEXT);
  });
});

describe.each(withLink)('template %s with a link', (id) => {
  it('shows the link in both bodies', () => {
    const email = renderSample(id);
    expect(email.text).toContain(LINK);
    expect(email.html).toContain(`href="${LINK}"`);
  });
});

describe.each(linkRequired)('template %s that needs a link', (id) => {
  it('fails param validation without actionUrl, naming it', () => {
    const { actionUrl: _omitted, ...withoutLink } = SAMPLES[id] as Record<string, unknown>;
    const error = validationError(() => render(id, withoutLink));
    expect(error.issues.map((i) => i.path)).toContain('actionUrl');
    expect(error.message).toContain('actionUrl');
  });
});

describe.each(toProviders)('template %s to a provider', (id) => {
  it('fails param validation without the provider name, naming it', () => {
    const { providerName: _omitted, ...rest } = SAMPLES[id] as Record<string, unknown>;
    const error = validationError(() => render(id, rest));
    expect(error.issues.map((i) => i.path)).toContain('providerName');
  });
});

describe('template details', () => {
  it('formats deadlines as the end of the Dutch day, in winter time too', () => {
    const email = renderSample('agreement-accepted', { deadline: '2020-12-31' });
    expect(email.text).toContain('uiterlijk donderdag 31 december 2020, 23:59');
  });

  it('refuses a link that is not http(s)', () => {
    const error = validationError(() => renderSample('reminder', { actionUrl: 'javascript:alert(1)' }));
    expect(error.issues[0].path).toBe('actionUrl');
  });

  it('escapes quotes in a link attribute', () => {
    const url = 'https://links.example.nl/l/a?x="><img src=x>';
    const email = renderSample('reminder', { actionUrl: url });
    expect(email.html).toContain('href="https://links.example.nl/l/a?x=&quot;&gt;&lt;img src=x&gt;"');
    expect(email.html).not.toContain('"><img');
  });

  it('refuses a date that is not a calendar date, naming the field', () => {
    const error = validationError(() => renderSample('reminder', { deadline: '2020-02-30' }));
    expect(error.issues[0].path).toBe('deadline');
  });

  it('attaches the calendar to the policy publication', () => {
    const email = renderSample('policy-published');
    expect(email.attachments).toEqual([
      { filename: 'inkoopkalender-medisch-specialistische-revalidatie-2021.ics', contentType: 'text/calendar', content: ICS },
    ]);
    expect(email.text).toContain('1 mei t/m 1 juli 2020: Aanmelden nieuwe zorgaanbieders');
    expect(email.text).toContain('1 april 2020: Inkoopbeleid gepubliceerd');
    expect(() => renderSample('policy-published', { ics: 'not a calendar' })).toThrow(/ics/);
  });

  it('explains a negative eligibility decision, and requires the reason', () => {
    expect(renderSample('eligibility-decision').text).toContain('De reden: De KvK-inschrijving ontbreekt.');
    const error = validationError(() => renderSample('eligibility-decision', { reason: undefined }));
    expect(error.issues.map((i) => i.path)).toEqual(['reason']);
    const eligible = render('eligibility-decision', { ...SAMPLES['eligibility-decision'], decision: 'eligible' });
    expect(eligible.text).toContain(`${PROVIDER} komt in aanmerking voor een overeenkomst.`);
  });

  it('asks for a proposal only from providers in negotiation', () => {
    const { deadline: _d, actionUrl: _a, ...base } = SAMPLES['agreement-available'] as Record<string, unknown>;
    const info = render('agreement-available', { ...base, proposalRequested: false });
    expect(info.text).not.toContain('Voorstel indienen');
    expect(renderSample('agreement-available').text).toContain(`Voorstel indienen:\n${LINK}`);
  });

  it('says that signing the negotiation agreement also signs the quality conditions (MSR)', () => {
    expect(renderSample('negotiation-agreement-offered').text).toContain('ondertekent u in één keer ook alle kwaliteitsvoorwaarden');
    expect(renderSample('negotiation-agreement-offered', { includesQualityConditions: false }).text).not.toContain(
      'kwaliteitsvoorwaarden',
    );
  });

  it('offered when the talks start (ZG), it asks for acceptance once agreed orally, not as agreements already made', () => {
    const text = renderSample('negotiation-agreement-offered', { acceptOnceAgreed: true }).text;
    expect(text).toContain('zijn gestart');
    expect(text).toContain('Zodra u en uw zorginkoper mondeling overeenstemming hebben');
    expect(text).not.toContain('zijn vastgelegd in een onderhandelakkoord');
    expect(renderSample('negotiation-agreement-offered').text).toContain('zijn vastgelegd in een onderhandelakkoord');
  });

  it('shows an amended date from old to new with the reason', () => {
    const text = renderSample('calendar-amended').text;
    expect(text).toContain('Was: uiterlijk maandag 15 juni 2020, 23:59');
    expect(text).toContain(`Wordt: ${DEADLINE_TEXT}`);
    expect(text).toContain('Reden: De overeenkomst komt later beschikbaar.');
  });

  it('names a multi-year contract period', () => {
    const email = renderSample('contracted', { contractYear: 2024, contractTermYears: 2 });
    expect(email.subject).toContain('2024–2025');
    expect(email.text).toContain('contractperiode 2024–2025');
  });

  it('words a reminder per provider action', () => {
    const text = renderSample('reminder').text;
    expect(text).toContain(`Wilt u ${DEADLINE_TEXT} uw aanmelding afronden en de gevraagde documenten aanleveren? U heeft daarvoor nog 14 dagen.`);
    expect(renderSample('reminder', { action: 'sign-agreement', daysLeft: 1 }).text).toContain(
      'de overeenkomst ondertekenen? U heeft daarvoor nog 1 dag.',
    );
  });

  it('lists the undecided applications for purchasers', () => {
    const email = renderSample('eligibility-escalation');
    expect(email.subject).toContain('2 aanmeldingen zonder besluit');
    expect(email.text).toContain('- Zorggroep Noord (AGB 87654321)');
  });
});
