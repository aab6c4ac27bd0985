import { describe, expect, it } from 'vitest';
import { submitProposalFields, submitRegistrationFields, signAgreementFields, requestRegistrationFields } from '../../../../functions/links/forms.ts';
import { formPage } from '../../../../functions/links/pages.ts';
import { fill, parseForm, SAMPLE_PDF } from '../../../../functions/local/rehearsal/browser.ts';

const URL_ = 'http://127.0.0.1:4000/l/abc.def';
const page = (fields: Parameters<typeof formPage>[0]['form']['fields'], values = {}) =>
  formPage({ title: 'T', form: { fields, submitLabel: 'Verstuur' }, state: { values } }).body as string;

describe('how a simulated provider reads and fills a page', () => {
  it('reads the form the provider pages render: fields, method, where it posts, multipart for files', () => {
    const form = parseForm(page(submitRegistrationFields({ kvkExtractNotBefore: '2020-01-01' })), URL_)!;
    expect(form).toMatchObject({ method: 'post', action: URL_, multipart: true });
    expect(form.fields.map((f) => `${f.type}:${f.name}`)).toEqual([
      'textarea:careDescription',
      'date:startedOn',
      'radio:extraLocations',
      'radio:extraLocations',
      'textarea:extraLocationsDescription',
      'file:kvkExtract',
      'date:kvkExtractDate',
      'file:vog',
      'file:businessPlan',
    ]);
    expect(parseForm('<p>Deze link is verlopen.</p>', URL_)).toBeUndefined();
  });

  it('fills given values, ticks boxes, picks a radio option, attaches a PDF to file fields, keeps prefilled values', () => {
    const form = parseForm(page(submitRegistrationFields({ kvkExtractNotBefore: '2020-01-01' }), { careDescription: 'al ingevuld' }), URL_)!;
    const filled = fill(form, { startedOn: '2004-03-01', extraLocations: 'nee' });
    expect(filled.values).toMatchObject({ careDescription: 'al ingevuld', startedOn: '2004-03-01', extraLocations: 'nee', kvkExtractDate: '' });
    expect(Object.keys(filled.files)).toEqual(['kvkExtract', 'vog', 'businessPlan']);
    expect(Buffer.from(filled.files.vog.bytes).subarray(0, 5).toString()).toBe('%PDF-');
    expect(SAMPLE_PDF.length).toBeGreaterThan(20);

    const sign = fill(parseForm(page(signAgreementFields), URL_)!, { signatoryName: 'Anna de Vries' });
    expect(sign.values).toEqual({ signatoryName: 'Anna de Vries', confirm: 'ja' });
    const unticked = fill(parseForm(page(signAgreementFields), URL_)!, { confirm: [] });
    expect(unticked.values).toEqual({ signatoryName: '' });
  });

  it('ticks only the chosen options of a checkbox group', () => {
    const form = parseForm(page(requestRegistrationFields([{ code: 'msr', name: 'MSR' }, { code: 'zg', name: 'ZG' }])), URL_)!;
    expect(fill(form, { careTypes: ['zg'] }).values.careTypes).toBe('zg');
    expect(form.multipart).toBe(false);
    expect(fill(parseForm(page(submitProposalFields), URL_)!, { amount: '1.000,00', volume: '10' }).values).toEqual({ amount: '1.000,00', volume: '10', note: '' });
  });
});
